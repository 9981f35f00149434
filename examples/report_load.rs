//! How long an HTML report takes to become usable in headless Chromium, and how long its
//! common actions take: `cargo run --release --example report_load -- REPORT.html [RUNS]`.
//! Prints one JSON line per run and the median: size, milliseconds from navigation to the
//! page's `reprint-ready` mark, to filter the cluster table by an outlet, to open a cluster and
//! a pair view, and the browser tab's JavaScript heap. Needs Chromium (REPRINT_CHROMIUM, else
//! /usr/bin/chromium).

use headless_chrome::{Browser, LaunchOptions};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let report = PathBuf::from(args.next().expect("usage: report_load REPORT.html [RUNS]"));
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let chromium = std::env::var_os("REPRINT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let url = format!("file://{}", report.canonicalize()?.display());
    let bytes = std::fs::metadata(&report)?.len();
    let mut loads = Vec::new();
    for run in 0..runs {
        // A fresh browser each run: nothing cached from the run before.
        let browser = Browser::new(LaunchOptions {
            headless: true,
            sandbox: false,
            window_size: Some((1280, 1000)),
            path: Some(chromium.clone()),
            idle_browser_timeout: Duration::from_secs(300),
            ..LaunchOptions::default()
        })?;
        let tab = browser.new_tab()?;
        tab.set_default_timeout(Duration::from_secs(120));
        tab.navigate_to(&url)?;
        tab.wait_for_element("body[data-ready]")?;
        let eval = |js: &str| -> anyhow::Result<Value> {
            let js = format!("(async () => JSON.stringify(await ({js})))()");
            match tab.evaluate(&js, true)?.value {
                Some(Value::String(s)) => Ok(serde_json::from_str(&s)?),
                _ => Ok(Value::Null),
            }
        };
        let ready = eval("performance.getEntriesByName('reprint-ready')[0].startTime")?;
        // Each action is synchronous in the page: timed around it there.
        let actions = eval(
            "(() => {
              const time = (f) => { const t = performance.now(); f(); return performance.now() - t; };
              document.querySelector('header nav a[data-view=clusters]').click();
              const s = document.getElementById('cluster-outlet');
              const filter = time(() => { s.value = s.options[1] ? s.options[1].value : '';
                s.dispatchEvent(new Event('change')); });
              const clear = time(() => { s.value = ''; s.dispatchEvent(new Event('change')); });
              const cluster = time(() => document.querySelector('#cluster-table tr.row').click());
              const pair = time(() => document.querySelector('#cluster-table tr.member:not(.original)').click());
              return { filter_ms: filter, unfilter_ms: clear, open_cluster_ms: cluster,
                       open_pair_ms: pair, heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null };
            })()",
        )?;
        let line = json!({
            "run": run + 1,
            "report_mb": bytes as f64 / 1e6,
            "ready_ms": ready,
            "actions": actions,
        });
        println!("{line}");
        loads.push(ready.as_f64().unwrap_or(f64::NAN));
    }
    loads.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({"report_mb": bytes as f64 / 1e6, "runs": runs, "median_ready_ms": loads[loads.len() / 2]})
    );
    Ok(())
}
