//! Attachments in a real headless Chromium (SPEC 6): a participant opens
//! the attachment page of a clinical thread, attaches a photo, rotates it
//! and blurs a region in the editor, sends it (with a progress bar) and
//! finds it in the gallery, stored as a JPEG without metadata, turned and
//! blurred; records a voice message with the fake microphone and sends it;
//! a text file named `.jpg` is refused with the translated message and
//! nothing is added.
//! `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>` saves each
//! step at 1280 and 375 px wide.

use crate::helpers::{admin_and_two_members, clinical_thread};
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in;
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Drags the mouse over an element, from and to offsets from its centre.
async fn drag(b: &Browser, css: &str, from: (i64, i64), to: (i64, i64)) {
    let id = b.wait_for(css).await;
    b.execute(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
        vec![json!(css)],
    )
    .await
    .expect("scroll");
    let origin = json!({ ELEMENT: id });
    let mid = ((from.0 + to.0) / 2, (from.1 + to.1) / 2);
    let actions = json!({ "actions": [{
        "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
        "actions": [
            { "type": "pointerMove", "duration": 0, "origin": origin, "x": from.0, "y": from.1 },
            { "type": "pointerDown", "button": 0 },
            { "type": "pointerMove", "duration": 120, "origin": origin, "x": mid.0, "y": mid.1 },
            { "type": "pointerMove", "duration": 120, "origin": origin, "x": to.0, "y": to.1 },
            { "type": "pointerUp", "button": 0 },
        ],
    }] });
    if let Err(e) = b.cmd(reqwest::Method::POST, "/actions", Some(actions)).await {
        b.fail(&format!("could not drag over `{css}`: {e}")).await;
    }
    let _ = b.cmd(reqwest::Method::DELETE, "/actions", None).await;
}

/// A 600 x 400 PNG of 4-pixel black and white squares (blurring shows),
/// and a text file named like a photo.
fn fixtures() -> (PathBuf, PathBuf) {
    let dir = cercle_testkit::temp_dir("cercle-attachment-files");
    let png = dir.join("plaie-talon.png");
    let img = image::RgbImage::from_fn(600, 400, |x, y| {
        if (x / 4 + y / 4) % 2 == 0 {
            image::Rgb([0, 0, 0])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    img.save(&png).expect("write png");
    let fake = dir.join("notes.jpg");
    std::fs::write(&fake, "Ceci n'est pas une photo : glycémie 12,3 à 8 h.\n").expect("write text");
    (png, fake)
}

/// The standard deviation of the luminance in a square of the image.
fn spread(img: &image::GrayImage, x0: u32, y0: u32, side: u32) -> f64 {
    let values: Vec<f64> = (y0..y0 + side)
        .flat_map(|y| (x0..x0 + side).map(move |x| (x, y)))
        .map(|(x, y)| f64::from(img.get_pixel(x, y).0[0]))
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}

/// The JPEG's segments before the image data: none may be APP1 (EXIF, XMP).
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
    markers
}

const GALLERY_COUNT: &str = "return document.querySelectorAll('[data-att-gallery] .att').length;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_voice_messages_and_refusals_through_the_composer() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (a, b, _c) = admin_and_two_members(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Plaie du talon droit").await;
    let (png, fake) = fixtures();
    let fr = Language::Fr;
    let Some(user) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &user, &a.email, 1).await;

    // ---- The page: the composer's controls and an empty gallery.
    let page = format!("/threads/{thread}/attach");
    user.goto(&page).await;
    user.wait_for_path(&page).await;
    user.wait_for("[data-att-controls]").await;
    user.assert_text(&t(fr, "att-gallery-empty")).await;
    assert_eq!(user.execute(GALLERY_COUNT, vec![]).await.expect("count"), json!(0));
    user.shoot("attachments-empty").await;

    // ---- A photo: the editor opens with it.
    user.choose_file("[data-att-file]", &png).await;
    user.wait_for("[data-att-editor]:not([hidden]) canvas").await;
    user.wait_js(
        "the photo in the editor",
        "const c = document.querySelector('[data-att-canvas]'); return [c.width, c.height];",
        |v| *v == json!([600, 400]),
    )
    .await;

    // Rotate once: 400 x 600.
    user.click("[data-att-action=rotate]").await;
    user.wait_js(
        "the photo turned",
        "const c = document.querySelector('[data-att-canvas]'); return [c.width, c.height];",
        |v| *v == json!([400, 600]),
    )
    .await;

    // Blur the middle: drag a rectangle with the blur tool.
    user.click("[data-att-tool=blur]").await;
    drag(&user, "[data-att-canvas]", (-60, -60), (60, 60)).await;
    let centre = "const c = document.querySelector('[data-att-canvas]'); \
        const d = c.getContext('2d').getImageData(c.width / 2 - 15, c.height / 2 - 15, 30, 30).data; \
        let s = 0, s2 = 0, n = 0; \
        for (let i = 0; i < d.length; i += 4) { const v = d[i]; s += v; s2 += v * v; n++; } \
        return Math.sqrt(s2 / n - (s / n) * (s / n));";
    user.wait_js("the middle of the photo blurred", centre, |v| {
        v.as_f64().is_some_and(|s| s < 40.0)
    })
    .await;
    let corner = "const c = document.querySelector('[data-att-canvas]'); \
        const d = c.getContext('2d').getImageData(10, 10, 30, 30).data; \
        let s = 0, s2 = 0, n = 0; \
        for (let i = 0; i < d.length; i += 4) { const v = d[i]; s += v; s2 += v * v; n++; } \
        return Math.sqrt(s2 / n - (s / n) * (s / n));";
    let sharp = user.execute(corner, vec![]).await.expect("corner");
    assert!(
        sharp.as_f64().is_some_and(|s| s > 90.0),
        "the corner stays sharp: {sharp}"
    );
    user.fill("[data-att-caption]", "Plaie au jour 3").await;
    user.shoot("attachments-editor").await;

    // ---- Send: progress, then the photo in the gallery with its thumbnail.
    user.click("[data-att-send]").await;
    user.wait_js(
        "the photo sent",
        "const s = document.querySelector('[data-att-status]'); return s.classList.contains('ok');",
        |v| *v == json!(true),
    )
    .await;
    let progress = user
        .execute(
            "const r = document.querySelector('[data-att-controls]'); return [r.dataset.attProgressShown || null, r.dataset.attMaxProgress || null];",
            vec![],
        )
        .await
        .expect("progress");
    assert_eq!(
        progress,
        json!(["1", "100"]),
        "the progress bar was shown and reached 100 %"
    );
    let photo_id = user
        .wait_js(
            "the photo's thumbnail in the gallery",
            "const i = document.querySelector('[data-att-list=photo] .att-photo img.att-thumb'); \
         return i && i.complete && i.naturalWidth > 0 ? i.closest('[data-att-id]').dataset.attId : null;",
            |v| v.is_string(),
        )
        .await;
    let photo_id = photo_id.as_str().expect("id").to_string();
    let served = user
        .execute(
            "return fetch('/threads/files/' + arguments[0]).then((r) => \
             [r.status, r.headers.get('content-type'), r.headers.get('cache-control'), r.headers.get('content-disposition')]);",
            vec![json!(photo_id)],
        )
        .await
        .expect("fetch");
    assert_eq!(served[0], json!(200), "{served}");
    assert_eq!(served[1], json!("image/jpeg"), "{served}");
    assert_eq!(served[2], json!("private, no-store"), "{served}");
    assert!(served[3].as_str().is_some_and(|d| d.starts_with("inline")), "{served}");

    // Stored: a JPEG without metadata, turned, blurred in the middle only.
    let (status, jpeg) = app.download_attachment(&a.token, &photo_id).await;
    assert_eq!(status, 200, "the photo");
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    let markers = jpeg_markers(&jpeg);
    assert!(!markers.contains(&0xE1), "no EXIF or XMP segment: {markers:x?}");
    assert!(!jpeg.windows(6).any(|w| w == b"Exif\0\0"), "no EXIF anywhere");
    let stored = image::load_from_memory(&jpeg).expect("decode").to_luma8();
    assert_eq!(stored.dimensions(), (400, 600), "turned a quarter");
    let (blurred, kept) = (spread(&stored, 185, 285, 30), spread(&stored, 10, 10, 30));
    assert!(blurred < 45.0 && kept > 80.0, "blurred {blurred}, kept {kept}");
    let (_, messages) = app.get(&format!("/threads/{thread}/messages"), Some(&a.token)).await;
    assert_eq!(messages["messages"][0]["body"], "Plaie au jour 3", "{messages}");
    assert_eq!(
        messages["messages"][0]["attachments"][0]["name"], "plaie-talon.jpg",
        "{messages}"
    );

    // ---- A voice message from the (fake) microphone, about 1.5 s.
    user.click("[data-att-record]").await;
    user.wait_for("[data-att-recorder]:not([hidden])").await;
    user.wait_js(
        "the recording running for a second",
        "return document.querySelector('[data-att-elapsed]').textContent;",
        |v| v.as_str().is_some_and(|s| s != "0:00"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    user.click("[data-att-stop]").await;
    user.wait_js("the recording ready to hear",
        "const r = document.querySelector('[data-att-controls]'); const p = document.querySelector('[data-att-preview]'); \
         return Number(r.dataset.attVoiceBytes || 0) > 0 && !p.hidden;",
        |v| *v == json!(true),
    )
    .await;
    user.shoot("attachments-voice").await;
    user.click("[data-att-send]").await;
    let duration = user
        .wait_js(
            "the voice message in the gallery, with a duration",
            "const a = document.querySelector('[data-att-list=voice] audio'); \
         return a && a.readyState >= 1 && isFinite(a.duration) && a.duration > 0 ? a.duration : null;",
            |v| v.is_number(),
        )
        .await;
    assert!(
        duration.as_f64().is_some_and(|d| d > 0.8 && d < 10.0),
        "about 1.5 s: {duration}"
    );
    let (_, gallery) = app.get(&format!("/threads/{thread}/attachments"), Some(&a.token)).await;
    let voice = &gallery["attachments"][1];
    assert_eq!(
        (
            voice["kind"].as_str(),
            voice["content_type"].as_str(),
            voice["name"].as_str()
        ),
        (Some("voice"), Some("audio/webm"), Some("voice-message.webm")),
        "{gallery}"
    );
    let (status, webm) = app
        .download_attachment(&a.token, voice["id"].as_str().expect("id"))
        .await;
    assert_eq!(status, 200, "the voice message");
    assert!(
        webm.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && webm.len() > 1024,
        "a WebM of {} bytes",
        webm.len()
    );

    // ---- A text file named like a photo: refused in words, nothing added.
    user.choose_file("[data-att-file]", &fake).await;
    user.wait_for("[data-att-chosen]:not([hidden])").await;
    user.click("[data-att-send]").await;
    let refusal = user
        .wait_js(
            "the refusal",
            "const s = document.querySelector('[data-att-status]'); \
         return s.classList.contains('error') ? [s.dataset.attCode, s.textContent] : null;",
            |v| v.is_array(),
        )
        .await;
    assert_eq!(refusal, json!(["file-mismatch", t(fr, "error-file-mismatch")]));
    assert_eq!(user.execute(GALLERY_COUNT, vec![]).await.expect("count"), json!(2));
    let (_, gallery) = app.get(&format!("/threads/{thread}/attachments"), Some(&a.token)).await;
    assert_eq!(gallery["attachments"].as_array().map(Vec::len), Some(2), "{gallery}");
    user.shoot("attachments-refused").await;

    // ---- The gallery page, as rendered by the server.
    let page = format!("/threads/{thread}/gallery");
    user.goto(&page).await;
    user.wait_for_path(&page).await;
    user.assert_text(&t(fr, "att-section-voice")).await;
    user.wait_js(
        "the gallery's thumbnail and player",
        "const i = document.querySelector('[data-att-list=photo] img.att-thumb'); \
         const a = document.querySelector('[data-att-list=voice] audio'); \
         return !!(i && i.complete && i.naturalWidth > 0 && a && a.readyState >= 1 && a.duration > 0);",
        |v| *v == json!(true),
    )
    .await;
    user.shoot("attachments-gallery").await;
    user.assert_no_console_errors("on the attachment pages").await;

    // Someone else's file is not found.
    user.goto("/threads/files/01ARZ3NDEKTSV4RRFFQ69G5FAV").await;
    user.assert_text(&t(fr, "error-not-found")).await;
    user.quit().await;
}
