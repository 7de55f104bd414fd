//! Browser harness: a real headless Chromium driven over WebDriver (W3C
//! protocol, JSON over HTTP) by its own `chromedriver`, one per test.
//!
//! Every wait is bounded; a wait that runs out panics with the page's
//! address, a piece of its text, and a screenshot saved to a temp folder.
//! At most two browsers run at once (the machine has two cores).
//! `CERCLE_SKIP_BROWSER=1` skips the browser tests.

use cercle_domain::Language;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long any wait on the page may last.
pub const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const INSTALL: &str = "apt-get install -y chromium chromium-driver";
/// The axe-core release the accessibility check runs (`scripts/test.sh`
/// installs it from the npm registry; the application never ships it).
pub const AXE_VERSION: &str = "4.10.3";
/// The WCAG levels axe checks: 2.0 and 2.1, A and AA, and the 2.2 AA target
/// size (touch targets of at least 24 px).
const AXE_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
/// Browser tests running at once, over the whole test binary. A slot is
/// held by a test (all the browsers of one application), not by a browser:
/// a test that opens its second or third browser never waits for another
/// test, so tests cannot deadlock each holding part of what they need.
const MAX_BROWSER_TESTS: usize = 2;

static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
/// The slot of each application whose browsers are open.
static HELD: OnceLock<Mutex<HashMap<String, Weak<OwnedSemaphorePermit>>>> = OnceLock::new();

/// The slot of the test serving `app_url`: shared with its open browsers,
/// or a new one (waiting at most 5 minutes for another test to finish).
async fn slot_for(app_url: &str) -> Arc<OwnedSemaphorePermit> {
    let held = HELD.get_or_init(|| Mutex::new(HashMap::new()));
    let shared = |held: &Mutex<HashMap<String, Weak<OwnedSemaphorePermit>>>| {
        held.lock().expect("browser slots").get(app_url).and_then(Weak::upgrade)
    };
    if let Some(slot) = shared(held) {
        return slot;
    }
    let slots = SLOTS
        .get_or_init(|| Arc::new(Semaphore::new(MAX_BROWSER_TESTS)))
        .clone();
    let permit = tokio::time::timeout(Duration::from_secs(300), slots.acquire_owned())
        .await
        .expect("waited 5 minutes for a free browser slot")
        .expect("browser slots closed");
    let mut map = held.lock().expect("browser slots");
    if let Some(slot) = map.get(app_url).and_then(Weak::upgrade) {
        return slot;
    }
    let slot = Arc::new(permit);
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(app_url.to_string(), Arc::downgrade(&slot));
    slot
}

/// Where axe-core's `axe.min.js` is: `CERCLE_AXE`, or where `scripts/test.sh`
/// installs it (`~/.cache/cercle-axe`).
pub fn axe_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CERCLE_AXE") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache/cercle-axe/node_modules/axe-core/axe.min.js")
}

/// axe-core's script, read once; panics saying how to install it.
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        let path = axe_path();
        let how = format!(
            "the accessibility check needs axe-core {AXE_VERSION}: run ./scripts/test.sh (it installs it), or \
             `npm install --prefix ~/.cache/cercle-axe axe-core@{AXE_VERSION}`, or set CERCLE_AXE to an axe.min.js \
             (or set CERCLE_SKIP_BROWSER=1 to skip the browser tests)"
        );
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} ({e}): {how}", path.display()));
        let head: String = source.chars().take(40).collect();
        assert!(
            head.contains(&format!("axe v{AXE_VERSION}")),
            "{} is not axe-core {AXE_VERSION} (it starts {head:?}): {how}",
            path.display()
        );
        source
    })
}

/// One axe-core violation: its rule, impact, help and the elements at fault.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    /// Each failing node: its CSS target and axe's summary of what is wrong.
    pub nodes: Vec<(String, String)>,
}

impl std::fmt::Display for AxeViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "  [{}] {} ({})", self.rule, self.help, self.impact)?;
        for (target, summary) in self.nodes.iter().take(6) {
            let summary = summary.replace('\n', " ");
            writeln!(f, "      {target}: {}", summary.chars().take(400).collect::<String>())?;
        }
        if self.nodes.len() > 6 {
            writeln!(f, "      … and {} more", self.nodes.len() - 6)?;
        }
        Ok(())
    }
}

/// A WebDriver error answer (`error` is the W3C error code).
#[derive(Debug, Clone)]
pub struct WdError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message.lines().next().unwrap_or(""))
    }
}

type WdResult<T> = Result<T, WdError>;

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// True when the browser tests should not run (`CERCLE_SKIP_BROWSER=1`);
/// panics with the install command when Chromium or chromedriver is missing.
pub fn skipped() -> bool {
    if std::env::var("CERCLE_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        crate::report_skipped("CERCLE_SKIP_BROWSER=1, browser test not run");
        return true;
    }
    let chromium = on_path("chromium")
        .or_else(|| on_path("chromium-browser"))
        .or_else(|| on_path("google-chrome"));
    if chromium.is_none() || on_path("chromedriver").is_none() {
        panic!(
            "browser tests need Chromium and chromedriver: run `{INSTALL}` (or set CERCLE_SKIP_BROWSER=1 to skip them)"
        );
    }
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One headless Chromium with its chromedriver, for one test. The
/// WebDriver protocol (session, commands, error answers) goes through the
/// `thirtyfour` crate; starting chromedriver, the waits, the checks and axe
/// are ours, on top of it.
pub struct Browser {
    wd: thirtyfour::WebDriver,
    driver: tokio::process::Child,
    user_data_dir: PathBuf,
    /// The application's base address (`http://127.0.0.1:port`).
    pub app_url: String,
    pub lang: Language,
    quit: bool,
    _slot: Arc<OwnedSemaphorePermit>,
}

impl Browser {
    /// Starts a browser whose language is `lang`, or `None` when browser
    /// tests are skipped (`CERCLE_SKIP_BROWSER=1`).
    pub async fn launch(app_url: &str, lang: Language) -> Option<Browser> {
        if skipped() {
            return None;
        }
        let slot = slot_for(app_url).await;
        let mut last_error = String::new();
        // A port found free may be taken before chromedriver binds it: retry.
        for _ in 0..3 {
            match Self::start(lang).await {
                Ok((driver, user_data_dir, wd)) => {
                    return Some(Browser {
                        wd,
                        driver,
                        user_data_dir,
                        app_url: app_url.trim_end_matches('/').to_string(),
                        lang,
                        quit: false,
                        _slot: slot.clone(),
                    });
                }
                Err(e) => last_error = e,
            }
        }
        panic!("could not start Chromium through chromedriver: {last_error}");
    }

    async fn start(lang: Language) -> Result<(tokio::process::Child, PathBuf, thirtyfour::WebDriver), String> {
        let port = free_port();
        let user_data_dir = crate::temp_dir("cercle-chromium");
        let mut cmd = tokio::process::Command::new("chromedriver");
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        // Its own process group, so that Chromium goes down with it.
        #[cfg(unix)]
        cmd.process_group(0);
        let mut driver = cmd
            .spawn()
            .map_err(|e| format!("chromedriver did not start ({e}); install it with `{INSTALL}`"))?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        let fail = |driver: &mut tokio::process::Child, dir: &Path, msg: String| {
            let _ = driver.start_kill();
            let _ = std::fs::remove_dir_all(dir);
            msg
        };
        // chromedriver is ready when /status says so (bounded).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = driver.try_wait() {
                return Err(fail(
                    &mut driver,
                    &user_data_dir,
                    format!("chromedriver exited at start ({status})"),
                ));
            }
            let ready = match http.get(format!("{base}/status")).send().await {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .ok()
                    .is_some_and(|v| v["value"]["ready"] == json!(true)),
                Err(_) => false,
            };
            if ready {
                break;
            }
            if Instant::now() > deadline {
                return Err(fail(
                    &mut driver,
                    &user_data_dir,
                    "chromedriver not ready after 10 s".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let accept = match lang {
            Language::Fr => "fr-CA,fr",
            Language::En => "en-CA,en",
        };
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            "--use-fake-device-for-media-stream".into(),
            "--use-fake-ui-for-media-stream".into(),
            format!("--lang={}", lang.code()),
            format!("--user-data-dir={}", user_data_dir.display()),
        ];
        let timeouts = json!({ "pageLoad": WAIT.as_millis() as u64, "script": 10_000, "implicit": 0 });
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": timeouts,
            "goog:chromeOptions": { "args": args, "prefs": { "intl.accept_languages": accept } },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(caps) = caps else {
            return Err(fail(
                &mut driver,
                &user_data_dir,
                "capabilities are not an object".into(),
            ));
        };
        let config = thirtyfour::common::config::WebDriverConfig::builder()
            .reqwest_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string());
        let session = match config {
            Ok(config) => thirtyfour::WebDriver::new_with_config(base, caps, config)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let wd = match session {
            Ok(wd) => wd,
            Err(e) => return Err(fail(&mut driver, &user_data_dir, format!("no WebDriver session: {e}"))),
        };
        // thirtyfour sets its default timeouts once the session is open: ours again.
        if let Err(e) = wd
            .handle
            .cmd(Raw::new(reqwest::Method::POST, "/timeouts", Some(timeouts)))
            .await
        {
            let _ = wd.quit().await;
            return Err(fail(&mut driver, &user_data_dir, format!("timeouts refused: {e}")));
        }
        Ok((driver, user_data_dir, wd))
    }

    // ---------- protocol ----------

    /// One WebDriver command on this session (`path` after `/session/{id}`).
    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> WdResult<Value> {
        let answer = self.wd.handle.cmd(Raw::new(method, path, body)).await;
        answer.and_then(|r| r.value_json()).map_err(WdError::from)
    }

    async fn post(&self, path: &str, body: Value) -> WdResult<Value> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> WdResult<Value> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    /// Runs a script in the page (`return …` gives the value back).
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// The first element matching `css` now, if any.
    pub async fn find(&self, css: &str) -> WdResult<Option<String>> {
        match self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await
        {
            Ok(v) => Ok(v[ELEMENT_KEY].as_str().map(str::to_string)),
            Err(e) if e.error == "no such element" => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ---------- bounded waits ----------

    /// Polls `check` until it gives a value, for at most [`WAIT`]; then
    /// fails the test, describing `what` and the page.
    pub async fn wait_until<T>(&self, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if Instant::now() > deadline {
                self.fail(&format!("timed out after {} s waiting for {what}", WAIT.as_secs()))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for an element matching `css`; gives its WebDriver id.
    pub async fn wait_for(&self, css: &str) -> String {
        self.wait_until(&format!("element `{css}`"), async || {
            self.find(css).await.ok().flatten()
        })
        .await
    }

    /// Waits until the page's address has this path and the page is loaded.
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_until(&format!("path {path}"), async || {
            let v = self
                .execute("return [location.pathname, document.readyState];", vec![])
                .await
                .ok()?;
            (v[0] == json!(path) && v[1] == json!("complete")).then_some(())
        })
        .await
    }

    /// Waits until the page's text holds `needle`.
    pub async fn wait_for_text(&self, needle: &str) {
        self.wait_until(&format!("text {needle:?}"), async || {
            self.page_text_now().await.contains(needle).then_some(())
        })
        .await
    }

    /// Waits until the text of the elements matching `css` holds `needle`
    /// (live updates).
    pub async fn wait_for_text_in(&self, css: &str, needle: &str) {
        self.wait_until(&format!("{needle:?} in `{css}`"), async || {
            let v = self
                .execute(
                    "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText).join('\\n');",
                    vec![json!(css)],
                )
                .await
                .ok()?;
            v.as_str().is_some_and(|s| s.contains(needle)).then_some(())
        })
        .await;
    }

    /// Marks the current document, runs `action`, and waits until another
    /// document has replaced it and finished loading.
    async fn expect_new_page<F: Future<Output = ()>>(&self, what: &str, action: F) {
        let marked = self.execute("window.__cercleOld = true; return true;", vec![]).await;
        if let Err(e) = marked {
            self.fail(&format!("could not mark the page before {what}: {e}")).await;
        }
        action.await;
        self.wait_until(&format!("a new page after {what}"), async || {
            // Errors here are a page being replaced: keep polling.
            let v = self
                .execute("return [window.__cercleOld === true, document.readyState];", vec![])
                .await
                .ok()?;
            (v[0] == json!(false) && v[1] == json!("complete")).then_some(())
        })
        .await
    }

    // ---------- actions ----------

    /// Opens a path of the application (or a full address).
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.app_url)
        } else {
            path.to_string()
        };
        if let Err(e) = self.post("/url", json!({ "url": url })).await {
            self.fail(&format!("could not open {url}: {e}")).await;
        }
    }

    /// Types `text` into the field matching `css` (cleared first).
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.wait_for(css).await;
        let cleared = self.post(&format!("/element/{id}/clear"), json!({})).await;
        let typed = match cleared {
            Ok(_) => {
                self.post(&format!("/element/{id}/value"), json!({ "text": text }))
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = typed {
            self.fail(&format!("could not type into `{css}`: {e}")).await;
        }
    }

    /// Clicks the element matching `css` (no wait for a page load).
    pub async fn click(&self, css: &str) {
        let id = self.wait_for(css).await;
        if let Err(e) = self.post(&format!("/element/{id}/click"), json!({})).await {
            self.fail(&format!("could not click `{css}`: {e}")).await;
        }
    }

    /// Clicks a link or button that loads another page, and waits for it.
    pub async fn click_and_load(&self, css: &str) {
        self.wait_for(css).await;
        self.expect_new_page(&format!("clicking `{css}`"), self.click(css))
            .await;
    }

    /// Chooses an option of a `<select>`.
    pub async fn select(&self, select_css: &str, value: &str) {
        self.click(&format!("{select_css} option[value=\"{value}\"]")).await;
        let chosen = self
            .execute(
                "return document.querySelector(arguments[0]).value;",
                vec![json!(select_css)],
            )
            .await
            .ok();
        if chosen != Some(json!(value)) {
            self.fail(&format!("`{select_css}` did not take the value {value:?}"))
                .await;
        }
    }

    /// Gives a file to an `<input type=file>` (WebDriver sends its path).
    pub async fn choose_file(&self, css: &str, file: &Path) {
        let id = self.wait_for(css).await;
        let sent = self
            .post(
                &format!("/element/{id}/value"),
                json!({ "text": file.display().to_string() }),
            )
            .await;
        if let Err(e) = sent {
            self.fail(&format!("could not choose {} in `{css}`: {e}", file.display()))
                .await;
        }
    }

    /// Submits a form the way its submit button would (validation, submit
    /// event), and waits for the page that answers.
    pub async fn submit_form(&self, form_css: &str) {
        self.wait_for(form_css).await;
        self.expect_new_page(&format!("submitting `{form_css}`"), async {
            let sent = self.execute("const f = document.querySelector(arguments[0]); if (!f) return false; f.requestSubmit(); return true;", vec![json!(form_css)]).await;
            if !matches!(sent, Ok(Value::Bool(true))) {
                self.fail(&format!("could not submit `{form_css}`: {sent:?}")).await;
            }
        })
        .await
    }

    // ---------- reading ----------

    /// A script's value, polled until `ok` accepts it.
    pub async fn wait_js(&self, what: &str, script: &str, ok: impl Fn(&Value) -> bool) -> Value {
        self.wait_until(what, async || {
            let v = self.execute(script, vec![]).await.ok()?;
            ok(&v).then_some(v)
        })
        .await
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let id = self.wait_for(css).await;
        match self.get(&format!("/element/{id}/text")).await {
            Ok(v) => v.as_str().unwrap_or("").to_string(),
            Err(e) => self.fail(&format!("could not read `{css}`: {e}")).await,
        }
    }

    async fn page_text_now(&self) -> String {
        self.execute("return document.body ? document.body.innerText : '';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The whole visible text of the page.
    pub async fn page_text(&self) -> String {
        self.page_text_now().await
    }

    /// Asserts that the page's text holds `needle`.
    pub async fn assert_text(&self, needle: &str) {
        if !self.page_text_now().await.contains(needle) {
            self.fail(&format!("the page does not say {needle:?}")).await;
        }
    }

    pub async fn current_url(&self) -> String {
        self.get("/url")
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub async fn current_path(&self) -> String {
        self.execute("return location.pathname;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Saves the whole page at 1280 and 375 px wide as `<name>-<width>.png`
    /// when `CERCLE_SCREENSHOTS` names a folder (to look at the pages as a
    /// user would); does nothing otherwise.
    pub async fn shoot(&self, name: &str) {
        let Ok(dir) = std::env::var("CERCLE_SCREENSHOTS") else {
            return;
        };
        let _ = std::fs::create_dir_all(&dir);
        let rect = |w: i64, h: i64| Some(serde_json::json!({ "width": w, "height": h }));
        for width in [1280, 375] {
            let _ = self.cmd(reqwest::Method::POST, "/window/rect", rect(width, 900)).await;
            let height = self
                .execute("return document.documentElement.scrollHeight;", vec![])
                .await
                .ok()
                .and_then(|v| v.as_i64())
                .unwrap_or(900)
                .clamp(600, 5000);
            let _ = self
                .cmd(reqwest::Method::POST, "/window/rect", rect(width, height + 120))
                .await;
            if let Ok(png) = self.screenshot().await {
                let _ = std::fs::write(format!("{dir}/{name}-{width}.png"), png);
            }
        }
        let _ = self.cmd(reqwest::Method::POST, "/window/rect", rect(1280, 900)).await;
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> WdResult<Vec<u8>> {
        use base64::Engine;
        let v = self.get("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or(""))
            .map_err(|e| WdError {
                error: "base64".into(),
                message: e.to_string(),
            })
    }

    /// Browser console entries of level SEVERE since the last call (script
    /// errors, Content-Security-Policy violations, failed loads).
    pub async fn console_errors(&self) -> WdResult<Vec<String>> {
        let v = self.post("/se/log", json!({ "type": "browser" })).await?;
        Ok(v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == json!("SEVERE"))
                    .map(|e| e["message"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Fails the test if the console shows a script error or a
    /// Content-Security-Policy violation since the last look. Pages that
    /// refuse on purpose (403, 410, 422…) are logged by Chromium too: not
    /// those.
    pub async fn assert_no_console_errors(&self, when: &str) {
        let errors: Vec<String> = self
            .console_errors()
            .await
            .unwrap_or_else(|e| panic!("browser log {when}: {e:?}"))
            .into_iter()
            .filter(|e| !e.contains("the server responded with a status of 4"))
            .collect();
        assert!(errors.is_empty(), "console errors {when}: {errors:#?}");
    }

    /// Downloads a path with the browser's own cookies, from the page:
    /// (status, content type, bytes).
    pub async fn download(&self, path: &str) -> (i64, String, Vec<u8>) {
        use base64::Engine;
        let v = self
            .execute(
                "const x = new XMLHttpRequest(); x.open('GET', arguments[0], false);\
                 x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();\
                 let s = ''; const r = x.responseText;\
                 for (let i = 0; i < r.length; i++) s += String.fromCharCode(r.charCodeAt(i) & 0xff);\
                 return [x.status, x.getResponseHeader('content-type') || '', btoa(s)];",
                vec![json!(path)],
            )
            .await
            .unwrap_or_else(|e| panic!("download {path}: {e:?}"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v[2].as_str().unwrap_or(""))
            .unwrap_or_else(|e| panic!("download {path}: base64 {e}"));
        (
            v[0].as_i64().unwrap_or(0),
            v[1].as_str().unwrap_or("").to_string(),
            bytes,
        )
    }

    /// Fails the test with the page's address, a piece of its text and a
    /// screenshot saved to a temp folder.
    pub async fn fail(&self, why: &str) -> ! {
        let url = self.current_url().await;
        let text = self.page_text_now().await;
        let snippet: String = text.chars().take(800).collect();
        let shot = match self.screenshot().await {
            Ok(png) => {
                let dir = crate::temp_dir("cercle-browser-failure");
                let file = dir.join("page.png");
                match std::fs::write(&file, png) {
                    Ok(()) => format!("screenshot: {}", file.display()),
                    Err(e) => format!("no screenshot ({e})"),
                }
            }
            Err(e) => format!("no screenshot ({e})"),
        };
        let console = self.console_errors().await.map(|c| c.join("\n  ")).unwrap_or_default();
        panic!("{why}\n  at: {url}\n  {shot}\n  console errors: {console}\n  page text:\n{snippet}\n");
    }

    /// Runs axe-core on the page as it is now (WCAG 2.0/2.1 A and AA, and
    /// the 2.2 target size) and gives its violations. axe is injected
    /// through WebDriver, never served by the application.
    pub async fn axe(&self) -> WdResult<Vec<AxeViolation>> {
        // A long page (the audit log) takes axe more than the usual 10 s on
        // a busy machine.
        self.post("/timeouts", json!({ "script": 60_000 })).await?;
        let loaded = self.execute("return typeof window.axe === 'object';", vec![]).await?;
        if loaded != json!(true) {
            self.execute(&format!("{}\n;return true;", axe_source()), vec![])
                .await?;
        }
        let v = self
            .execute(
                "return axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] }) \
                   .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact || '', help: v.help, \
                     nodes: v.nodes.map((n) => [n.target.join(' '), n.failureSummary || '']) })));",
                vec![json!(AXE_TAGS)],
            )
            .await?;
        Ok(v.as_array()
            .map(|all| {
                all.iter()
                    .map(|v| AxeViolation {
                        rule: v["id"].as_str().unwrap_or("").to_string(),
                        impact: v["impact"].as_str().unwrap_or("").to_string(),
                        help: v["help"].as_str().unwrap_or("").to_string(),
                        nodes: v["nodes"]
                            .as_array()
                            .map(|ns| {
                                ns.iter()
                                    .map(|n| {
                                        (
                                            n[0].as_str().unwrap_or("").to_string(),
                                            n[1].as_str().unwrap_or("").to_string(),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Fails the test when axe-core finds any violation on the page, listing
    /// each rule, the elements at fault and the page (`what`).
    pub async fn assert_accessible(&self, what: &str) {
        match self.axe().await {
            Ok(v) if v.is_empty() => {}
            Ok(v) => {
                let list: String = v.iter().map(ToString::to_string).collect();
                self.fail(&format!("axe-core: {} violation(s) on {what}:\n{list}", v.len()))
                    .await
            }
            Err(e) => self.fail(&format!("axe-core did not run on {what}: {e}")).await,
        }
    }

    /// Sets the window's size, then waits until the page has that width.
    pub async fn resize(&self, width: i64, height: i64) {
        let _ = self
            .cmd(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({ "width": width, "height": height })),
            )
            .await;
        self.wait_until(&format!("window {width} px wide"), async || {
            let v = self.execute("return window.innerWidth;", vec![]).await.ok()?;
            (v.as_i64()? == width).then_some(())
        })
        .await
    }

    /// Closes the browser and its driver.
    pub async fn quit(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.wd.clone().quit()).await;
        self.quit = true;
    }
}

/// A raw WebDriver command on the session (`path` after `/session/{id}`):
/// the tests send some thirtyfour has no method for (`/se/log`, pointer
/// actions as JSON).
#[derive(Debug)]
struct Raw {
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
}

impl Raw {
    fn new(method: reqwest::Method, path: &str, body: Option<Value>) -> Raw {
        Raw {
            method,
            path: path.to_string(),
            body,
        }
    }
}

impl thirtyfour::common::command::FormatRequestData for Raw {
    fn format_request(&self, session_id: &thirtyfour::SessionId) -> thirtyfour::RequestData {
        let request = thirtyfour::RequestData::new(self.method.clone(), format!("session/{session_id}{}", self.path));
        match &self.body {
            Some(body) => request.add_body(body.clone()),
            None => request,
        }
    }
}

impl From<thirtyfour::error::WebDriverError> for WdError {
    fn from(e: thirtyfour::error::WebDriverError) -> WdError {
        use thirtyfour::error::WebDriverErrorInner as E;
        // The W3C error code where the driver gave one (tests look for
        // `no such element`), else thirtyfour's own kind of failure.
        let error = match e.as_inner() {
            E::NoSuchElement(info)
            | E::StaleElementReference(info)
            | E::JavascriptError(info)
            | E::UnknownError(info)
            | E::ElementNotInteractable(info)
            | E::ElementClickIntercepted(info)
            | E::InvalidArgument(info)
            | E::NoSuchAlert(info)
            | E::NotInSpec(info)
            | E::UnknownCommand(info)
            | E::ScriptTimeout(info) => info.value.error.clone().unwrap_or_else(|| info.error.clone()),
            _ => "webdriver".to_string(),
        };
        WdError {
            error,
            message: e.to_string(),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromedriver goes down below: thirtyfour's own closing of the
        // session on drop then fails at once instead of waiting.
        // chromedriver leads its own process group: end that group (its
        // Chromium included), then chromedriver itself.
        #[cfg(unix)]
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.driver.start_kill();
        let _ = std::fs::remove_dir_all(&self.user_data_dir);
    }
}
