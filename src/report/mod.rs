//! Reports: the JSONL outputs users script against, the human summary, and the deduplicated
//! feed. The only layer besides `ingest` that touches files: every output is opened before the
//! work starts and appears only once complete ([`Output`]).
//!
//! Field names here are a public interface: change them only with a changelog entry.

mod explain;
mod feed;
mod generated;
mod html;
mod index;
mod jsonl;
mod outlets;
mod output;
mod scan_file;
mod summary;
mod texts;

pub use explain::{ExplanationLine, explanation_line, render_explanation};
pub use feed::{FeedStats, feed_summary, write_feed};
pub use generated::{ArticleLine, Generated, TruthLine, write_generated};
#[cfg(any(test, feature = "testing"))]
pub use html::report_data_json;
pub use html::{HtmlReportSize, write_html_report};
pub use index::{IndexLine, IndexStatsLine, RelationLine, index_stats_line, write_index_lines};
pub use jsonl::{
    ClusterLine, DocLine, EvidenceLine, PairLine, PassageLine, QualityLine, ReuseLine, ScoreLine,
    cluster_line, doc_line, id_of, pair_line, rejection, write_clusters, write_docs, write_pairs,
    write_report_dir, write_scores, write_scores_with_clean_text,
};
use jsonl::{round6, write_line};
pub use outlets::{OutletFlow, OutletLine, outlets, write_outlets};
pub use output::{Destination, HTML_REPORT_FILES, Output, REPORT_FILES, ReportDir};
pub use scan_file::{ScanCounts, ScanFile, write_scan_file};
use summary::truncate;
pub use summary::{summary, worst_documents};
pub use texts::{MarkLine, TEXT_BUDGET_BYTES, TextLine, texts_to_embed, write_texts};
