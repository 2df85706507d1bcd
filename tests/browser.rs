//! report.html in a real browser: headless Chromium (Debian package
//! `chromium`) renders the sample report; the screenshot must show the page
//! (not a blank or error page, with the verdict colours of the charts) and
//! the DOM after scripts ran must hold every integration, sortable.
//!
//! Without Chromium the tests skip with a message, unless
//! `PCMFA_REQUIRE_BROWSER=1` (set by `.ci/run`), where they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{read_csv, scan};

/// The Chromium binary on PATH, or None (and a message) when the test may skip.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("PCMFA_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "PCMFA_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED: no chromium on PATH; apt-get install chromium to run the browser tests"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `args`; returns its stdout.
/// Offline: no network features, a throwaway profile, killed after 90 s.
fn run_chromium(browser: &Path, page: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile");
    let stdout = tempfile::NamedTempFile::new().expect("stdout");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(stdout.reopen().expect("stdout file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait().expect("wait") {
            Some(status) => {
                assert!(status.success(), "chromium {args:?} exited {status}");
                break;
            }
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium {args:?} took over 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    std::fs::read_to_string(stdout.path()).expect("chromium output")
}

/// The sample corpus's report, with the sample catalog.
fn sample_report() -> (tempfile::TempDir, Vec<String>) {
    let out = tempfile::tempdir().expect("tempdir");
    scan(
        &["sample-data/logs"],
        out.path(),
        &["--catalog", "docs/sample-catalog.csv"],
        0,
    );
    let keys = read_csv(&out.path().join("integrations.csv"))
        .into_iter()
        .map(|row| row["integration"].clone())
        .collect();
    (out, keys)
}

/// `data-rank` of each ranking entry, in DOM order.
fn ranks_in_dom(dom: &str) -> Vec<u32> {
    let table = &dom[dom.find("id=\"integrations\"").expect("ranking table")..];
    let table = &table[..table.find("</table>").expect("end of table")];
    table
        .split("data-rank=\"")
        .skip(1)
        .map(|rest| {
            rest[..rest.find('"').expect("quote")]
                .parse()
                .expect("rank")
        })
        .collect()
}

#[test]
fn screenshot_shows_the_report() {
    let Some(browser) = chromium() else { return };
    let (out, _) = sample_report();
    let png = out.path().join("shot.png");
    run_chromium(
        &browser,
        &out.path().join("report.html"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2400",
        ],
    );
    let image = common::png::decode(&std::fs::read(&png).expect("screenshot")).expect("decode");
    assert_eq!((image.width, image.height), (1280, 2400));
    let white = image
        .pixels
        .iter()
        .filter(|p| p.iter().all(|c| *c >= 245))
        .count();
    let inked = image.pixels.len() - white;
    assert!(
        inked * 10 > image.pixels.len(),
        "only {inked} of {} pixels are not white: a blank page?",
        image.pixels.len()
    );
    // The charts' verdict colours are on screen: the page rendered, styles and SVG included.
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 8);
    for (verdict, colour) in [
        ("broken", [0xc6, 0x28, 0x28]),
        ("at risk", [0xef, 0x8f, 0x00]),
        ("compliant", [0x2e, 0x7d, 0x32]),
        ("not affected", [0x9a, 0xa3, 0xad]),
        ("unknown", [0x6a, 0x4f, 0xa3]),
    ] {
        let n = image.pixels.iter().filter(|p| near(p, colour)).count();
        assert!(n > 500, "{verdict}: {n} pixels of its colour");
    }
    // Headline first: the top-left corner holds the title's dark ink.
    let title_ink = (20..600)
        .flat_map(|x| (10..60).map(move |y| (x, y)))
        .filter(|(x, y)| image.pixel(*x, *y).iter().all(|c| *c < 80))
        .count();
    assert!(
        title_ink > 200,
        "no title text at the top ({title_ink} dark pixels)"
    );
}

#[test]
fn dom_after_scripts_holds_every_integration_and_sorts() {
    let Some(browser) = chromium() else { return };
    let (out, keys) = sample_report();
    let page = out.path().join("report.html");
    let dom = run_chromium(&browser, &page, &["--dump-dom"]);
    // The script ran (its policy hash matched): every heading became a button.
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the sorting script did not run"
    );
    let headings = dom.matches("<th ").count();
    assert!(headings > 12);
    let table = &dom[dom.find("id=\"integrations\"").expect("table")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert_eq!(
        table.matches("<button type=\"button\">").count(),
        13,
        "one button per ranking column"
    );
    assert_eq!(
        ranks_in_dom(&dom),
        (1..=keys.len() as u32).collect::<Vec<_>>()
    );
    for key in &keys {
        assert!(
            table.contains(&format!("mono\">{key}</span>")),
            "{key} missing"
        );
    }

    // Click "Calls" (fifth column) on a copy with a click appended: calls ascending, ties by rank.
    let html = std::fs::read_to_string(&page).expect("html");
    let policy_end = html.find("img-src data:\">").expect("policy") + "img-src data:\">".len();
    let policy_start = html[..policy_end].rfind("<meta").expect("meta");
    let clicked = format!(
        "{}{}",
        &html[..policy_start],
        &html[policy_end..].replace(
            "</body>",
            "<script>document.querySelectorAll('#integrations th button')[4].click()</script></body>"
        )
    );
    let copy = out.path().join("clicked.html");
    std::fs::write(&copy, clicked).expect("write copy");
    let sorted = run_chromium(&browser, &copy, &["--dump-dom"]);
    let calls: Vec<u64> = read_csv(&out.path().join("integrations.csv"))
        .iter()
        .map(|r| r["calls"].parse().expect("calls"))
        .collect();
    let mut expected: Vec<u32> = (1..=calls.len() as u32).collect();
    expected.sort_by_key(|rank| (calls[*rank as usize - 1], *rank));
    assert_eq!(ranks_in_dom(&sorted), expected);
    assert!(sorted.contains("aria-sort=\"ascending\""));
}
