//! The HTML report: one self-contained page per scan, built from the files of its report
//! folder (so `scan --output` and `reprint report` give the same bytes). The page holds its
//! style, its script, its plots (SVG, drawn here) and the scan's data (JSON, gzip, base64),
//! and its content security policy forbids every request: it works opened from disk.

mod data;
mod plots;
mod read;

use crate::error::{Error, Result};
use base64::Engine as _;
use data::{DocTotals, FLAGGED_SHOWN, REJECTED_SHOWN, ReportData};
use read::ScanFolder;
use read::StatusIn;
use std::io::Write;
use std::path::Path;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// What was written: the page's size and the texts it embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlReportSize {
    /// Bytes of the page.
    pub bytes: usize,
    /// Texts embedded.
    pub texts: usize,
}

/// Builds the report of the scan folder `dir` and writes it to `out` (named `path` in
/// errors).
pub fn write_html_report(dir: &Path, out: &mut dyn Write, path: &Path) -> Result<HtmlReportSize> {
    with_data(dir, |folder, totals, data| {
        let json = embedded_json(data);
        let page = page(folder, totals, &json).map_err(|message| folder_error(dir, message))?;
        out.write_all(page.as_bytes())
            .map_err(|e| Error::io(path, e))?;
        Ok(HtmlReportSize {
            bytes: page.len(),
            texts: data.texts.len(),
        })
    })
}

/// The embedded data of the scan folder `dir`, as JSON: for tests.
#[cfg(any(test, feature = "testing"))]
pub fn report_data_json(dir: &Path) -> Result<String> {
    with_data(dir, |_, _, data| Ok(embedded_json(data)))
}

/// Reads the scan folder `dir` and hands `use_data` what the page is made of.
fn with_data<T>(
    dir: &Path,
    use_data: impl FnOnce(&ScanFolder, &DocTotals, &ReportData) -> Result<T>,
) -> Result<T> {
    let (folder, totals) = read_folder(dir)?;
    let data = ReportData::of(&folder, &totals).map_err(|message| folder_error(dir, message))?;
    use_data(&folder, &totals, &data)
}

/// A folder whose files disagree with each other (no one line is at fault).
fn folder_error(dir: &Path, message: String) -> Error {
    Error::ReportFolder {
        path: dir.to_path_buf(),
        line: 0,
        message,
    }
}

/// The embedded data as JSON (what the golden test compares).
fn embedded_json(data: &ReportData) -> String {
    serde_json::to_string(data).expect("report data serializes")
}

/// Reads the scan folder `dir`, keeping of `docs.jsonl` the documents the page shows: those a
/// cluster, pair or text names, the first [`REJECTED_SHOWN`] rejected records, and the
/// [`FLAGGED_SHOWN`] worst-scored flagged documents; and counts them all.
fn read_folder(dir: &Path) -> Result<(ScanFolder, DocTotals)> {
    use std::collections::BinaryHeap;
    /// A flagged document, ordered by score (then line) so the heap's top is the best.
    struct Flagged(u64, u32, read::DocIn);
    impl PartialEq for Flagged {
        fn eq(&self, other: &Self) -> bool {
            (self.0, self.1) == (other.0, other.1)
        }
    }
    impl Eq for Flagged {}
    impl PartialOrd for Flagged {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Flagged {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            (self.0, self.1).cmp(&(other.0, other.1))
        }
    }
    let mut totals = DocTotals::default();
    let mut worst: BinaryHeap<Flagged> = BinaryHeap::new();
    let mut folder = ScanFolder::read(dir, |number, doc, named| {
        totals.count(&doc);
        if named || (doc.status == StatusIn::Rejected && totals.rejected <= REJECTED_SHOWN) {
            return Some(doc);
        }
        if let Some(q) = doc.quality.as_ref().filter(|q| !q.flags.is_empty()) {
            // Scores are in [0, 1]: their bits sort as they do.
            worst.push(Flagged(q.score.max(0.0).to_bits(), number, doc));
            if worst.len() > FLAGGED_SHOWN {
                worst.pop();
            }
        }
        None
    })?;
    folder.docs.extend(
        worst
            .into_iter()
            .map(|Flagged(_, number, doc)| (number, doc)),
    );
    folder.docs.sort_by_key(|(number, _)| *number);
    Ok((folder, totals))
}

fn page(
    folder: &ScanFolder,
    totals: &DocTotals,
    json: &str,
) -> std::result::Result<String, String> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    gzip.write_all(json.as_bytes()).map_err(|e| e.to_string())?;
    let compressed = gzip.finish().map_err(|e| e.to_string())?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(compressed);

    let (labels, counts) =
        plots::cluster_size_buckets(folder.clusters.iter().map(|c| c.members.len()));
    let sizes = plots::bars(
        "Clusters by size",
        "documents in the cluster",
        &labels,
        &counts,
    )?;
    let lsh = folder.scan.lsh().map_err(|e| format!("scan.json: {e}"))?;
    let s_curve = plots::s_curve(&lsh, folder.scan.threshold)?;
    let [score, boilerplate, padding, stuffing] = &totals.histograms;
    let quality_plots = [
        plots::unit_histogram("score (higher is better)", score)?,
        plots::unit_histogram("boilerplate", boilerplate)?,
        plots::unit_histogram("padding", padding)?,
        plots::unit_histogram("stuffing", stuffing)?,
    ];
    let figure = |svg: &str| format!("<figure>{svg}</figure>");
    let quality_figures: String = quality_plots.iter().map(|s| figure(s)).collect();
    Ok(format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="reprint {version}">
<title>reprint report</title>
<style>
{STYLE}</style>
</head>
<body>
<header><h1>reprint report</h1>
<nav><a href="#overview" data-view="overview">Overview</a><a href="#clusters" data-view="clusters">Clusters</a><a href="#partial" data-view="partial">Partial reuse</a><a href="#quality" data-view="quality">Quality</a></nav></header>
<main>
<p id="loading" class="note">Reading the scan…</p>
<section id="overview">
<h2>Overview</h2>
<div class="cards" id="counts"></div>
<div id="run"></div>
<div class="plots">{sizes}{s_curve}</div>
<h3>Outlets: who republishes whom</h3>
<div id="outlets"></div>
</section>
<section id="clusters" hidden>
<h2>Clusters</h2>
<p class="note">Click a cluster to list its members; click a member to compare it with the original.</p>
<div class="controls" id="cluster-controls"></div>
<div id="cluster-table"></div>
</section>
<section id="partial" hidden>
<h2>Partial reuse</h2>
<p class="note">Passages lifted from one document into another; click one to see both texts.</p>
<div class="controls" id="partial-controls"></div>
<div id="partial-table"></div>
</section>
<section id="quality" hidden>
<h2>Quality</h2>
<div class="plots">{quality_figures}</div>
<h3>Flagged documents</h3>
<div class="controls" id="quality-controls"></div>
<div id="quality-table"></div>
</section>
<section id="pair" hidden></section>
<section id="doc" hidden></section>
</main>
<script type="application/octet-stream" id="reprint-data">{encoded}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"##,
        version = folder.scan.reprint.replace(['<', '>', '"', '&'], ""),
        sizes = figure(&sizes),
        s_curve = figure(&s_curve),
    ))
}
