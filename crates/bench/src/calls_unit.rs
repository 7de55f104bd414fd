//! The forwarding unit in a process of its own, for `cercle-bench calls`
//! (the default): the participants run in the benchmark's process, the
//! unit in a child `cercle-bench calls-unit`, so that the CPU of each is
//! measured apart (`/proc/<pid>/stat`) and the participants' work never
//! runs on the unit's process.
//!
//! The child starts the unit on loopback and speaks JSON lines: on its
//! standard input, commands (`join`, `answer`, `stats`); on its standard
//! output, one reply per command in order (`{"re": …}`) and, whenever the
//! unit makes one, its offers (`{"offer": …}`). Media go over UDP
//! between the two processes, as between browsers and a node.

use cercle_sfu::{Config, Signal, Unit};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long one reply of the unit may take.
const REPLY_WAIT: Duration = Duration::from_secs(10);

#[derive(clap::Args)]
pub struct UnitArgs {
    /// Most participants of one call.
    #[arg(long)]
    participants: usize,
    /// Most calls.
    #[arg(long)]
    calls: usize,
}

fn out(v: Value) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{v}");
    let _ = o.flush();
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// The child: the unit, driven by the lines on its standard input, until
/// it closes.
pub fn serve(args: &UnitArgs) -> anyhow::Result<()> {
    let mut config = Config::with_participants(SocketAddr::from(([127, 0, 0, 1], 0)), args.participants.max(2));
    config.max_calls = args.calls.max(1);
    let (handle, mut signals) = Unit::start(config)?;
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
            return;
        };
        rt.block_on(async {
            while let Some(o) = signals.recv().await {
                out(json!({ "offer": { "call": o.call, "participant": o.participant, "sdp": o.offer_sdp } }));
            }
        });
    });
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let cmd: Value = serde_json::from_str(&line)?;
        let reply = match cmd["cmd"].as_str().unwrap_or_default() {
            "join" => match handle
                .join(&s(&cmd, "call"), &s(&cmd, "participant"), &s(&cmd, "sdp"))
                .wait(REPLY_WAIT)
            {
                Ok(answer) => json!({ "ok": answer }),
                Err(e) => json!({ "err": e.to_string() }),
            },
            "answer" => match handle
                .signal(
                    &s(&cmd, "call"),
                    &s(&cmd, "participant"),
                    &Signal::Answer(s(&cmd, "sdp")),
                )
                .wait(REPLY_WAIT)
            {
                Ok(_) => json!({ "ok": null }),
                Err(e) => json!({ "err": e.to_string() }),
            },
            "stats" => match handle.stats().wait(REPLY_WAIT) {
                Ok(st) => json!({ "ok": {
                    "participants": st.participants,
                    "connected": st.connected,
                    "forwarded_frames": st.forwarded_frames,
                    "forwarded_bytes": st.forwarded_bytes,
                    "cpu_ms": st.cpu_ms,
                } }),
                Err(e) => json!({ "err": e.to_string() }),
            },
            other => json!({ "err": format!("unknown command {other:?}") }),
        };
        out(json!({ "re": reply }));
    }
    Ok(())
}

/// An offer of the unit to a participant.
pub struct Offer {
    pub call: String,
    pub participant: String,
    pub sdp: String,
}

/// The unit's process, seen from the benchmark's.
pub struct UnitProcess {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<Value>,
    pub offers: Receiver<Offer>,
}

impl UnitProcess {
    /// Starts `cercle-bench calls-unit` (this same program).
    pub fn start(calls: usize, participants: usize) -> anyhow::Result<UnitProcess> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args([
                "calls-unit",
                "--participants",
                &participants.to_string(),
                "--calls",
                &calls.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow::anyhow!("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let (re_tx, replies) = channel();
        let (offer_tx, offers) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let Some(o) = v.get("offer") {
                    let _ = offer_tx.send(Offer {
                        call: s(o, "call"),
                        participant: s(o, "participant"),
                        sdp: s(o, "sdp"),
                    });
                } else if let Some(r) = v.get("re") {
                    let _ = re_tx.send(r.clone());
                }
            }
        });
        Ok(UnitProcess {
            child,
            stdin,
            replies,
            offers,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn ask(&mut self, cmd: Value) -> anyhow::Result<Value> {
        writeln!(self.stdin, "{cmd}")?;
        self.stdin.flush()?;
        let r = self
            .replies
            .recv_timeout(REPLY_WAIT + Duration::from_secs(5))
            .map_err(|_| anyhow::anyhow!("the unit's process did not answer"))?;
        if let Some(e) = r.get("err") {
            anyhow::bail!("the unit refused: {e}");
        }
        Ok(r["ok"].clone())
    }

    pub fn join(&mut self, call: &str, participant: &str, sdp: &str) -> anyhow::Result<String> {
        let a = self.ask(json!({ "cmd": "join", "call": call, "participant": participant, "sdp": sdp }))?;
        Ok(a.as_str().unwrap_or_default().to_string())
    }

    pub fn answer(&mut self, call: &str, participant: &str, sdp: &str) -> anyhow::Result<()> {
        self.ask(json!({ "cmd": "answer", "call": call, "participant": participant, "sdp": sdp }))
            .map(|_| ())
    }

    /// The unit's statistics: forwarded frames and bytes, its thread's CPU.
    pub fn stats(&mut self) -> anyhow::Result<Value> {
        self.ask(json!({ "cmd": "stats" }))
    }
}

impl Drop for UnitProcess {
    fn drop(&mut self) {
        // The child is this benchmark's own: ended and waited for.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user and system) of a process so far, in ms (Linux, 10 ms
/// ticks).
pub fn process_cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10)
}
