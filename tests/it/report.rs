//! The HTML report: built by `scan --output`, rebuilt the same by `reprint report`, its
//! embedded data against a golden file, and the page itself in a headless Chromium (when one
//! is installed; `.ci/run` installs it and sets `REPRINT_BROWSER_TESTS=required`).

use crate::support::{reprint, sample_corpus};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A scan of `inputs` into a fresh folder: the folder and the printed summary.
struct Scanned {
    dir: tempfile::TempDir,
    stdout: String,
}

impl Scanned {
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
}

fn scan_into(inputs: &[&Path], extra: &[&str]) -> Scanned {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = reprint();
    // Run from the repository root so that relative inputs (the golden test's `corpus`) give
    // origins that do not depend on where the checkout lives.
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("scan")
        .args(inputs)
        .arg("--out")
        .arg(&out)
        .args(extra);
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Scanned {
        dir,
        stdout: String::from_utf8(output.stdout).unwrap(),
    }
}

fn scan_sample() -> Scanned {
    scan_into(&[&sample_corpus()], &[])
}

#[test]
fn scan_writes_the_report_and_report_rebuilds_it_byte_for_byte() {
    let scanned = scan_sample();
    let page = std::fs::read(scanned.out().join("report.html")).unwrap();
    assert!(page.starts_with(b"<!doctype html>"));
    assert!(scanned.stdout.contains("report.html"), "{}", scanned.stdout);
    let rebuilt = scanned.dir.path().join("again.html");
    reprint()
        .arg("report")
        .arg(scanned.out())
        .arg("-o")
        .arg(&rebuilt)
        .assert()
        .success();
    assert!(
        std::fs::read(&rebuilt).unwrap() == page,
        "rebuilt report differs"
    );
    // Without -o, the report is rewritten in place, the same.
    reprint()
        .arg("report")
        .arg(scanned.out())
        .assert()
        .success();
    assert!(std::fs::read(scanned.out().join("report.html")).unwrap() == page);
}

#[test]
fn the_report_is_the_same_at_any_thread_count_and_requests_nothing() {
    let one = scan_into(&[&sample_corpus()], &["--threads", "1"]);
    let four = scan_into(&[&sample_corpus()], &["--threads", "4"]);
    let page = std::fs::read_to_string(one.out().join("report.html")).unwrap();
    assert!(page == std::fs::read_to_string(four.out().join("report.html")).unwrap());
    // No address of anything outside the page: no CDN, font or image to fetch, and a policy
    // that forbids requests.
    for pattern in ["http://", "https://", "src=\"", "@import", "url("] {
        let outside = page
            .match_indices(pattern)
            .filter(|(at, _)| !page[at.saturating_sub(30)..*at].contains("xmlns"))
            .count();
        assert_eq!(outside, 0, "the page names {pattern}");
    }
    assert!(page.contains("default-src 'none'"));
}

#[test]
fn no_report_skips_it_and_removes_an_older_one() {
    let scanned = scan_sample();
    assert!(scanned.out().join("texts.jsonl").exists());
    let output = reprint()
        .arg("scan")
        .arg(sample_corpus())
        .arg("--out")
        .arg(scanned.out())
        .arg("--no-report")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!scanned.out().join("report.html").exists());
    assert!(!scanned.out().join("texts.jsonl").exists());
    assert!(scanned.out().join("docs.jsonl").exists());
    // The report can still be built: it says that it has no texts.
    reprint()
        .arg("report")
        .arg(scanned.out())
        .assert()
        .success();
    let data = reprint::report::report_data_json(&scanned.out()).unwrap();
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["texts_kept"], false);
    assert_eq!(data["texts"].as_array().unwrap().len(), 0);
    // Without texts to show, the page keeps only the documents of clusters and pairs (and
    // rejected and flagged ones), yet counts them all.
    let shown = data["docs"]["id"].as_array().unwrap().len() as u64;
    assert!(
        shown < data["counts"]["records"].as_u64().unwrap(),
        "{shown}"
    );
    for (key, summary) in summary_counts(&String::from_utf8(output.stdout).unwrap()) {
        assert_eq!(data["counts"][key], summary, "{key}");
    }
}

#[test]
fn a_broken_scan_folder_is_named_with_its_line() {
    let scanned = scan_sample();
    let pairs = scanned.out().join("pairs.jsonl");
    let mut text = std::fs::read_to_string(&pairs).unwrap();
    text.insert_str(text.find('\n').unwrap() + 1, "{\"a\": oops}\n");
    std::fs::write(&pairs, text).unwrap();
    let output = reprint().arg("report").arg(scanned.out()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pairs.jsonl:2:"), "{stderr}");
    let output = reprint()
        .arg("report")
        .arg("no/such/folder")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.starts_with("error: no/such/folder: not a folder"),
        "{stderr}"
    );
    let empty = tempfile::tempdir().unwrap();
    let output = reprint().arg("report").arg(empty.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("scan.json") && stderr.contains("missing"),
        "{stderr}"
    );
}

/// The embedded data of the sample corpus's report, pretty-printed for readable diffs.
#[test]
fn embedded_data_matches_its_golden_file() {
    // A relative input: the records' origins are `corpus/...` wherever the checkout is.
    let scanned = scan_into(&[Path::new("corpus")], &[]);
    let data: Value =
        serde_json::from_str(&reprint::report::report_data_json(&scanned.out()).unwrap()).unwrap();
    let mut text = serde_json::to_string_pretty(&data).unwrap();
    text.push('\n');
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample-report-data.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(
        text == expected,
        "the report's data differs from tests/golden/sample-report-data.json; rerun with \
         UPDATE_GOLDEN=1 if intended"
    );
}

#[test]
fn the_embedded_counts_are_the_summarys() {
    let scanned = scan_sample();
    let data: Value =
        serde_json::from_str(&reprint::report::report_data_json(&scanned.out()).unwrap()).unwrap();
    let counts = &data["counts"];
    for (key, summary) in summary_counts(&scanned.stdout) {
        assert_eq!(counts[key], summary, "{key}");
    }
}

/// The counts the printed summary gives, by the report's names for them.
fn summary_counts(stdout: &str) -> Vec<(&'static str, u64)> {
    let number_before = |line: &str, word: &str| -> u64 {
        let at = line
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {line}"));
        line[..at]
            .split_whitespace()
            .last()
            .unwrap()
            .trim_start_matches('(')
            .parse()
            .unwrap()
    };
    let line = |start: &str| {
        stdout
            .lines()
            .find(|l| l.contains(start))
            .unwrap_or_else(|| panic!("no line with {start}"))
            .to_string()
    };
    let read = line("records (");
    let clusters = line(" clusters; ");
    let pairs = line(" copy pairs");
    vec![
        ("records", number_before(&read, " records")),
        ("rejected", number_before(&read, " rejected")),
        ("clusters", number_before(&clusters, " clusters")),
        ("duplicates", number_before(&clusters, " duplicates")),
        ("unique", number_before(&clusters, " unique")),
        ("kept", number_before(&clusters, " kept")),
        ("copies", number_before(&pairs, " copy pairs")),
        ("partials", number_before(&pairs, " partial-reuse")),
    ]
}

#[test]
fn texts_are_chosen_by_priority_within_the_budget() {
    use reprint::pipeline::ScanParams;
    let dir = tempfile::tempdir().unwrap();
    let corpus = crate::support::generated_corpus(dir.path(), 2_000, 5);
    let result = crate::support::scan(&[corpus], &ScanParams::default());
    assert!(reprint::report::texts_to_embed(&result, 0).is_empty());
    // With room for everything: every cluster member, both sides of every partial pair.
    let all = reprint::report::texts_to_embed(&result, usize::MAX / 4);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    let chosen = |i: &u32| all.binary_search(i).is_ok();
    assert!(result.clusters.iter().flat_map(|c| &c.members).all(chosen));
    assert!(
        result
            .pairs
            .iter()
            .all(|p| chosen(&p.figures.a) && chosen(&p.figures.b))
    );
    // With room for a tenth of them, whole clusters come first, the largest first.
    let some = reprint::report::texts_to_embed(&result, 100_000);
    assert!(
        !some.is_empty() && some.len() < all.len() / 2,
        "{}",
        some.len()
    );
    let largest = result
        .clusters
        .iter()
        .max_by_key(|c| (c.members.len(), std::cmp::Reverse(c.id)))
        .unwrap();
    assert!(
        largest
            .members
            .iter()
            .all(|m| some.binary_search(m).is_ok())
    );
}

/// Records that try to run script through every field the report shows.
fn hostile_corpus(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.jsonl");
    let story = "The council approved the new harbour wall after a long debate about its cost \
                 and the storms that damaged the old one last winter, when waves broke over the \
                 promenade and flooded the shops along the front for three days running.";
    let lines = [
        serde_json::json!({"id": "<script>alert(1)</script>", "title": "<img src=x onerror=alert(2)>",
            "source": "<b onmouseover=alert(3)>Outlet</b>", "date": "2025-01-01",
            "text": format!("<script>alert(1)</script>\n\n{story}")}),
        serde_json::json!({"id": "plain-copy", "title": "Harbour wall", "source": "Plain Post",
            "date": "2025-01-02", "text": format!("{story}\n\n</script><script>alert(4)</script>")}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn hostile_text_does_not_reach_the_page_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = hostile_corpus(dir.path());
    let scanned = scan_into(&[&corpus], &[]);
    let page = std::fs::read_to_string(scanned.out().join("report.html")).unwrap();
    for hostile in ["alert(", "onerror", "onmouseover", "<img"] {
        assert!(
            !page.contains(hostile),
            "the page holds {hostile} as written"
        );
    }
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the page's own scripts"
    );
}

mod browser {
    //! The page in headless Chromium, driven over the DevTools protocol.

    use super::*;
    use headless_chrome::protocol::cdp::Log::LogEntryLevel;
    use headless_chrome::protocol::cdp::Page;
    use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
    use headless_chrome::protocol::cdp::types::Event;
    use headless_chrome::{Browser, LaunchOptions, Tab};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Where Chromium is: `REPRINT_CHROMIUM`, else Debian's. `None` skips the browser tests,
    /// unless `REPRINT_BROWSER_TESTS=required` (as in CI) makes that a failure.
    fn chromium() -> Option<PathBuf> {
        let path = std::env::var_os("REPRINT_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| {
                ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.exists())
            });
        if path.is_none() {
            assert!(
                std::env::var("REPRINT_BROWSER_TESTS").as_deref() != Ok("required"),
                "REPRINT_BROWSER_TESTS=required but no Chromium found (set REPRINT_CHROMIUM)"
            );
            eprintln!("skipped: no Chromium (apt-get install chromium, or set REPRINT_CHROMIUM)");
        }
        path
    }

    /// An open report page, with the errors it logged.
    struct OpenReport {
        _browser: Browser,
        tab: Arc<Tab>,
        errors: Arc<Mutex<Vec<String>>>,
    }

    fn open(chromium: PathBuf, report: &Path) -> OpenReport {
        let browser = Browser::new(LaunchOptions {
            headless: true,
            sandbox: false,
            window_size: Some((1280, 1000)),
            path: Some(chromium),
            idle_browser_timeout: Duration::from_secs(120),
            ..LaunchOptions::default()
        })
        .expect("Chromium starts");
        let tab = browser.new_tab().unwrap();
        tab.set_default_timeout(Duration::from_secs(30));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&errors);
        tab.enable_log().unwrap().enable_runtime().unwrap();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            let error = match event {
                Event::RuntimeExceptionThrown(e) => Some(format!(
                    "exception: {} {:?}",
                    e.params.exception_details.text,
                    e.params
                        .exception_details
                        .exception
                        .as_ref()
                        .and_then(|x| x.description.clone())
                )),
                Event::RuntimeConsoleAPICalled(e)
                    if matches!(
                        e.params.Type,
                        ConsoleAPICalledEventTypeOption::Error
                            | ConsoleAPICalledEventTypeOption::Assert
                    ) =>
                {
                    Some(format!("console.error: {:?}", e.params.args))
                }
                Event::LogEntryAdded(e) if e.params.entry.level == LogEntryLevel::Error => {
                    Some(format!("log: {}", e.params.entry.text))
                }
                _ => None,
            };
            if let Some(error) = error {
                sink.lock().unwrap().push(error);
            }
        }))
        .unwrap();
        // Any alert the page raised would be recorded here rather than shown.
        tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
            source: "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"
                .to_string(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        })
        .unwrap();
        let url = format!("file://{}", report.canonicalize().unwrap().display());
        tab.navigate_to(&url).unwrap();
        tab.wait_for_element("body[data-ready]").unwrap();
        OpenReport {
            _browser: browser,
            tab,
            errors,
        }
    }

    impl OpenReport {
        /// The value of a JavaScript expression, passed back as JSON (objects would come
        /// back as references).
        fn eval(&self, js: &str) -> Value {
            let js = format!("(async () => JSON.stringify(await ({js})))()");
            let result = self.tab.evaluate(&js, true).unwrap();
            match result.value {
                Some(Value::String(json)) => serde_json::from_str(&json).unwrap(),
                _ => Value::Null,
            }
        }

        fn click(&self, selector: &str) {
            self.tab
                .wait_for_element(selector)
                .unwrap()
                .click()
                .unwrap();
        }

        fn screenshot(&self, name: &str) {
            let png = self
                .tab
                .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
                .unwrap();
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), png).unwrap();
        }

        /// No line of the visible text is a JavaScript placeholder for a missing value.
        fn assert_no_placeholders(&self) {
            let lines = self
                .eval("document.querySelector('main').innerText.split('\\n').map(l => l.trim())");
            for line in lines.as_array().unwrap() {
                assert!(
                    !["null", "undefined", "NaN", "[object Object]"]
                        .contains(&line.as_str().unwrap()),
                    "the page shows {line}"
                );
            }
        }

        fn assert_no_errors(&self) {
            let errors = self.errors.lock().unwrap();
            assert!(errors.is_empty(), "the page logged errors: {errors:#?}");
        }
    }

    #[test]
    fn the_overview_loads_without_errors_and_shows_the_summarys_counts() {
        let Some(chromium) = chromium() else { return };
        let scanned = scan_sample();
        let page = open(chromium, &scanned.out().join("report.html"));
        for (key, summary) in summary_counts(&scanned.stdout) {
            let shown = page.eval(&format!(
                "document.querySelector('[data-count=\"{key}\"]').textContent"
            ));
            let shown: u64 = shown.as_str().unwrap().replace(',', "").parse().unwrap();
            assert_eq!(shown, summary, "{key}");
        }
        assert_eq!(
            page.eval("document.querySelectorAll('#overview svg').length"),
            2
        );
        page.screenshot("overview.png");
        page.assert_no_placeholders();
        page.assert_no_errors();
    }

    #[test]
    fn filtering_clusters_by_an_outlet_shows_only_its_documents() {
        let Some(chromium) = chromium() else { return };
        let scanned = scan_sample();
        let docs: Vec<Value> = std::fs::read_to_string(scanned.out().join("docs.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let outlet = "Coastal Wire";
        let expected = docs
            .iter()
            .filter(|d| d["source"] == outlet && !d["cluster"].is_null())
            .count();
        assert!(expected >= 2, "the sample has clusters with {outlet}");
        let page = open(chromium, &scanned.out().join("report.html"));
        page.click("header nav a[data-view=clusters]");
        page.eval(&format!(
            "(() => {{ const s = document.getElementById('cluster-outlet');
                s.value = [...s.options].find(o => o.textContent === {outlet:?}).value;
                s.dispatchEvent(new Event('change')); }})()"
        ));
        page.click("#cluster-expand");
        let outlets = page.eval(
            "[...document.querySelectorAll('#cluster-table tr.member')].map(r => r.dataset.outlet)",
        );
        let outlets = outlets.as_array().unwrap();
        assert_eq!(outlets.len(), expected, "{outlets:?}");
        assert!(outlets.iter().all(|o| o == outlet), "{outlets:?}");
        page.assert_no_errors();
    }

    #[test]
    fn clicking_a_member_opens_the_pair_view_with_linked_passages() {
        let Some(chromium) = chromium() else { return };
        let scanned = scan_sample();
        let page = open(chromium, &scanned.out().join("report.html"));
        page.click("header nav a[data-view=clusters]");
        // The largest cluster comes first; open it and click its first copy.
        page.click("#cluster-table tr.row");
        page.click("#cluster-table tr.member:not(.original)");
        page.tab.wait_for_element("#side-a mark.passage").unwrap();
        let visible = page.eval("!document.getElementById('pair').hidden");
        assert_eq!(visible, true);
        let marks = |side: &str| {
            page.eval(&format!(
                "document.querySelectorAll('#side-{side} mark.passage').length"
            ))
            .as_u64()
            .unwrap()
        };
        assert!(marks("a") > 0 && marks("b") > 0);
        // A click on a passage in one text lights up its counterpart in the other.
        page.click("#side-b mark.passage");
        let lit = page.eval(
            "[...document.querySelectorAll('mark.passage.on')].map(m => m.closest('.side').id)",
        );
        let lit = lit.as_array().unwrap();
        assert!(lit.iter().any(|s| s == "side-a") && lit.iter().any(|s| s == "side-b"));
        page.screenshot("pair-view.png");
        page.assert_no_placeholders();
        // The document view of the original, from the pair view's link.
        page.click("#side-a h3 a");
        page.tab.wait_for_element("#doc-text").unwrap();
        page.assert_no_placeholders();
        page.assert_no_errors();
    }

    #[test]
    fn the_partial_list_names_each_lift_and_opens_its_pair() {
        let Some(chromium) = chromium() else { return };
        let scanned = scan_sample();
        let partials = summary_counts(&scanned.stdout)
            .into_iter()
            .find(|(key, _)| *key == "partials")
            .unwrap()
            .1;
        let page = open(chromium, &scanned.out().join("report.html"));
        page.click("header nav a[data-view=partial]");
        let rows = page.eval("document.querySelectorAll('#partial-table tr.link').length");
        assert_eq!(rows, partials);
        let snippets = page.eval(
            "[...document.querySelectorAll('#partial-table tr.link')].map(r => r.lastChild.textContent)",
        );
        assert!(
            snippets
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s.as_str().unwrap().len() > 20),
            "{snippets}"
        );
        page.click("#partial-table tr.link");
        page.tab.wait_for_element("#side-b mark.passage").unwrap();
        assert!(
            page.eval("document.querySelectorAll('#side-a mark.passage').length")
                .as_u64()
                > Some(0)
        );
        page.assert_no_placeholders();
        page.assert_no_errors();
    }

    #[test]
    fn hostile_text_shows_as_text_and_runs_nothing() {
        let Some(chromium) = chromium() else { return };
        let dir = tempfile::tempdir().unwrap();
        let corpus = hostile_corpus(dir.path());
        let scanned = scan_into(&[&corpus], &[]);
        let page = open(chromium, &scanned.out().join("report.html"));
        page.eval("location.hash = 'doc/0'");
        page.tab.wait_for_element("#doc-text").unwrap();
        let text = page.eval("document.getElementById('doc-text').textContent");
        assert!(
            text.as_str()
                .unwrap()
                .starts_with("<script>alert(1)</script>"),
            "{text}"
        );
        page.eval("location.hash = 'pair/0/1'");
        page.tab.wait_for_element("#side-b").unwrap();
        page.click("header nav a[data-view=overview]");
        assert_eq!(page.eval("window.__alerts.length"), 0);
        assert_eq!(page.eval("document.querySelectorAll('script').length"), 2);
        assert_eq!(page.eval("document.querySelectorAll('img, b').length"), 0);
        page.assert_no_errors();
    }
}
