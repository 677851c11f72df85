//! The HTML report opened in a real browser (headless Chromium): it renders, its charts are
//! drawn, and it fetches nothing.
//!
//! How "nothing is fetched" is proved: the page is served by this test from
//! `http://127.0.0.1:PORT/report.html`, and the browser is told to send *every* request —
//! any host, any scheme, loopback included (`--proxy-bypass-list=<-loopback>`) — through this
//! same server as its proxy, so nothing leaves the machine and every request is seen. The browser
//! makes requests of its own (time, accounts), so the requests are told apart by Chromium's
//! network log (`--log-net-log`), which names each request's initiator: a request the page caused
//! (an image, a style sheet, a font, a favicon) has the page's origin as initiator. The test
//! asserts that no request has it, and that the only request for the page's origin is the page
//! itself. A control page with an image and a remote style sheet runs through the same harness
//! and must show both, so the method is shown to see a fetch when there is one.
//!
//! Without Chromium the test is skipped with a message, or fails under `CI=true` (`.ci/run`
//! installs it).
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Db;
use common::report::{add_hostile_job, report};

/// Chromium, or `None` after saying why the test cannot run (a failure under `CI=true`).
fn chromium(name: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(b))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        let why =
            "Chromium is not installed here; `.ci/run` installs it (apt-get install chromium)";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name}: {why}"
        );
        eprintln!("skipped {name}: {why}");
    }
    found
}

/// A server for one page that records the first line of every request it gets, as a web
/// server and as the browser's proxy.
fn serve(page: String) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let page = Arc::new(page);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let (log, page) = (Arc::clone(&log), Arc::clone(&page));
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let line = text.lines().next().unwrap_or("").to_string();
                if line.is_empty() {
                    return; // a socket opened ahead of need and closed unused
                }
                let ours = line.starts_with("GET ") && line.contains("/report.html ");
                log.lock().unwrap().push(line);
                let reply = if ours {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                        page.len()
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .into()
                };
                let _ = conn.write_all(reply.as_bytes());
            });
        }
    });
    (port, seen)
}

struct Visit {
    dom: String,
    /// Every request line the server (web server and proxy) saw.
    requests: Vec<String>,
    /// The URLs of the requests the page initiated, from the browser's network log.
    page_initiated: Vec<String>,
    screenshot: PathBuf,
}

/// Opens `page` once in headless Chromium; waits for the browser to finish (it exits when the
/// page has loaded and the DOM and screenshot are written), at most a minute.
fn visit(browser: &Path, dir: &Path, page: String) -> Visit {
    let (port, seen) = serve(page);
    let origin = format!("http://127.0.0.1:{port}");
    let net = dir.join("net.json");
    let screenshot = dir.join("shot.png");
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=900,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server={origin}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--log-net-log={}", net.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--dump-dom")
        .arg(format!("{origin}/report.html"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut dom = String::new();
        let _ = stdout.read_to_string(&mut dom);
        let _ = tx.send(dom);
    });
    let dom = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(dom) => dom,
        Err(_) => {
            let _ = child.kill();
            panic!("chromium did not finish within a minute");
        }
    };
    let status = child.wait().unwrap();
    assert!(status.success(), "chromium failed: {status}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net).expect("the network log"))
            .expect("a complete network log");
    let page_initiated = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["params"]["initiator"].as_str() == Some(origin.as_str()))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    let requests = seen.lock().unwrap().clone();
    Visit {
        dom,
        requests,
        page_initiated,
        screenshot,
    }
}

/// How many pixels of the screenshot have exactly `rgb`.
fn pixels_of(png_file: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::fs::File::open(png_file).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    assert!(step >= 3, "a colour screenshot");
    buf[..info.buffer_size()]
        .chunks(step)
        .filter(|p| p[..3] == rgb)
        .count()
}

#[test]
fn the_report_renders_draws_its_charts_and_fetches_nothing() {
    let name = "the_report_renders_draws_its_charts_and_fetches_nothing";
    let Some(browser) = chromium(name) else {
        return;
    };
    // One job with one chart, near the top, so the screenshot shows it; every name hostile.
    let db = Db::new();
    add_hostile_job(&db);
    let page = report(&db, "r.html", &[]);
    let dir = tempfile::tempdir().unwrap();

    // The control: a page that does fetch is seen fetching.
    let control = visit(
        &browser,
        dir.path(),
        "<!DOCTYPE html><img src=\"/pixel.png\"><link rel=\"stylesheet\" href=\"http://evil.example/x.css\">".into(),
    );
    for fetched in ["/pixel.png", "http://evil.example/x.css"] {
        assert!(
            control.page_initiated.iter().any(|u| u.ends_with(fetched)),
            "the harness must see the control's {fetched}: {:?}",
            control.page_initiated
        );
        assert!(
            control.requests.iter().any(|r| r.contains(fetched)),
            "{:?}",
            control.requests
        );
    }

    let v = visit(&browser, dir.path(), page.clone());
    assert!(
        v.page_initiated.is_empty(),
        "the report fetched {:?}",
        v.page_initiated
    );
    let own: Vec<&String> = v
        .requests
        .iter()
        .filter(|r| r.contains("127.0.0.1"))
        .collect();
    assert_eq!(own.len(), 1, "only the page itself: {own:?}");
    // It rendered: the browser's DOM has the page's title and every chart with its points.
    assert!(
        v.dom.contains("<title>jobloop report"),
        "{}",
        &v.dom[..v.dom.len().min(300)]
    );
    assert_eq!(v.dom.matches("<svg").count(), page.matches("<svg").count());
    assert_eq!(v.dom.matches("<svg").count(), 1);
    assert!(!v.dom.contains("<script"), "the hostile names stayed text");
    assert_eq!(
        v.dom.matches("class=\"baseline\"").count(),
        page.matches("class=\"baseline\"").count()
    );
    // The charts are visible: the screenshot has the baseline dots' blue (#1f5fbf) and the
    // live line's orange (#d2691e), which nothing else on the page uses.
    let blue = pixels_of(&v.screenshot, [0x1f, 0x5f, 0xbf]);
    let orange = pixels_of(&v.screenshot, [0xd2, 0x69, 0x1e]);
    assert!(blue > 50, "baseline dots drawn: {blue} pixels");
    assert!(orange > 50, "live line drawn: {orange} pixels");
}
