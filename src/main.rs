//! The `reprint` command: parses arguments, calls the library, prints, maps errors to exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use reprint::candidates::minhash::{DEFAULT_MINHASH_SEED, SketchScheme};
use reprint::ingest::{Corpus, CorpusOptions, InputSpec, check_outputs_apart};
use reprint::pipeline::{
    self, DEFAULT_TEMPLATE_MIN_DOCS, Progress, ScanOptions, ScanParams, ScanResult,
};
use reprint::relate::relation::RelationParams;
use reprint::report::{self, Destination, Output, ReportDir};
use reprint::synth::{Generator, SynthParams};

/// Find articles that reuse each other's wording.
#[derive(Parser)]
#[command(name = "reprint", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find copy clusters and partial reuse; print a summary and, with --out, write the
    /// reports.
    Scan {
        #[command(flatten)]
        input: InputArgs,
        /// Folder for docs.jsonl, pairs.jsonl, clusters.jsonl, outlets.jsonl, scan.json and
        /// the HTML report (report.html, with the texts it shows in texts.jsonl); created if
        /// needed. By default, none is written.
        #[arg(short, long, visible_alias = "out")]
        output: Option<PathBuf>,
        /// With --output: skip the HTML report (and the second read of the corpus for its
        /// texts).
        #[arg(long, requires = "output")]
        no_report: bool,
        /// How many of the largest clusters the summary lists.
        #[arg(long, default_value_t = 10)]
        show: usize,
    },
    /// Rebuild the HTML report of an earlier `scan --output DIR` from the files in DIR.
    Report {
        /// The folder the scan wrote.
        dir: PathBuf,
        /// Where to write the report; by default DIR/report.html.
        #[arg(short, long, visible_alias = "out")]
        output: Option<PathBuf>,
    },
    /// Write the input records minus duplicates (cluster representatives are kept).
    Dedup {
        #[command(flatten)]
        input: InputArgs,
        /// The deduplicated JSONL feed; - for stdout.
        #[arg(short, long, visible_alias = "out")]
        output: PathBuf,
        /// Add a field "clean_text" to each written record: its text without boilerplate
        /// lines (for HTML, the extracted main text without them). Other fields are untouched.
        #[arg(long)]
        strip_boilerplate: bool,
        /// Leave rejected records (unreadable, too short, repeated ids) out of the feed. By
        /// default they are written as read: they are not duplicates of anything.
        #[arg(long)]
        drop_rejected: bool,
    },
    /// Score every document's quality (boilerplate, padding, keyword stuffing) with the
    /// evidence: {"id", "quality"} JSONL to stdout or --output, the worst documents to stderr.
    Score {
        #[command(flatten)]
        input: InputArgs,
        /// Write the JSONL here instead of stdout (- is stdout).
        #[arg(short, long, visible_alias = "out")]
        output: Option<PathBuf>,
        /// How many of the lowest-scoring documents the table on stderr lists.
        #[arg(long, default_value_t = 10)]
        show: usize,
        /// Add "clean_text" to every line: the record's text without its boilerplate lines
        /// and the corpus's template lines (null for rejected records). Nothing is
        /// deduplicated.
        #[arg(long)]
        clean_text: bool,
    },
    /// Print pairs in the copy or partial relation, with their passages, as JSONL on stdout.
    Pairs {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Show how two documents relate (copy, partial or none) and why: exact figures, who took
    /// from whom, and the reused passages highlighted in both texts.
    Explain {
        /// Id of the first document.
        id_a: String,
        /// Id of the second document.
        id_b: String,
        /// Print one JSON object (relation, reason, figures, direction, passages as byte
        /// ranges) instead of the highlighted texts.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Feed mode: a persistent index that checks each batch of articles against everything
    /// added before (see README, "Feed mode").
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
    /// Generate a news-like corpus with planted near-duplicates.
    Gen {
        /// Number of articles.
        #[arg(long, default_value_t = 1000)]
        docs: usize,
        /// Seed; the same seed gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of articles that are planted copies.
        #[arg(long, default_value_t = 0.2)]
        copy_rate: f64,
        /// Largest share of words edited in a copy.
        #[arg(long, default_value_t = 0.3)]
        max_edit_rate: f64,
        /// Share of copies cut to their first paragraphs (50–80 % of them, see
        /// --truncate-min-kept).
        #[arg(long, default_value_t = 0.0)]
        truncate_rate: f64,
        /// Smallest share of paragraphs a cut copy keeps (it keeps up to 80 %).
        #[arg(long, default_value_t = 0.5)]
        truncate_min_kept: f64,
        /// Share of copies wrapped in their outlet's header and footer lines.
        #[arg(long, default_value_t = 0.0)]
        boilerplate_rate: f64,
        /// Wrapped articles, originals too, carry their outlet's own template: header, byline,
        /// share row, "Advertisement" and "Related:" lines, footer.
        #[arg(long)]
        outlet_templates: bool,
        /// Share of originals that lift one or two paragraphs from an earlier article.
        #[arg(long, default_value_t = 0.0)]
        lift_rate: f64,
        /// Share of copies with one or two paragraphs moved (never the lede).
        #[arg(long, default_value_t = 0.0)]
        reorder_rate: f64,
        /// Share of sentences with a figure, which each outlet writes in its own style ("1.5
        /// million", "1.5 mln", "1,500,000").
        #[arg(long, default_value_t = 0.0)]
        figure_rate: f64,
        /// Share of sentences with a word spelled differently in British and American English;
        /// each outlet keeps one convention.
        #[arg(long, default_value_t = 0.0)]
        variant_rate: f64,
        /// Chance per sentence of a copy that it is split in two or merged with the next.
        #[arg(long, default_value_t = 0.0)]
        split_merge_rate: f64,
        /// Share of copies that keep their original's headline (the rest get their own).
        #[arg(long, default_value_t = 0.0)]
        keep_headline_rate: f64,
        /// OCR-like misreadings per letter, in every article (digitised newspapers).
        #[arg(long, default_value_t = 0.0)]
        ocr_noise: f64,
        /// Every transformation on at realistic rates (30 % copies with up to 15 % edits, cut
        /// to 30–80 %, reordered, restyled, in outlet templates; see README). Other options
        /// of the generator's content cannot be combined with it, except --ocr-noise.
        #[arg(long, conflicts_with_all = [
            "copy_rate", "max_edit_rate", "truncate_rate", "truncate_min_kept",
            "boilerplate_rate", "outlet_templates", "lift_rate", "reorder_rate", "figure_rate",
            "variant_rate", "split_merge_rate", "keep_headline_rate",
        ])]
        syndication: bool,
        /// Output JSONL corpus; - for stdout.
        #[arg(short, long, visible_alias = "out")]
        output: PathBuf,
        /// Output JSONL with one line per article: {"id", "cluster", "parent", "edit_rate",
        /// "kind", "truncated", "boilerplate", "reordered", "figures_restyled",
        /// "spellings_switched", "sentences_split", "sentences_merged", "headline",
        /// "ocr_noise"}; - for stdout.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Worker threads; 0 means one per core.
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Add documents to the index at DB (created with these parameters if absent), printing one
    /// JSONL line per input record with its relations to earlier documents. Commits every
    /// --batch records; a record already indexed with the same text is skipped.
    Add {
        /// The index file.
        db: PathBuf,
        #[command(flatten)]
        input: InputArgs,
        /// Records per commit: a crash loses at most the batch being added.
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
    },
    /// Check documents against the index without changing it: the same lines as `add`.
    Query {
        /// The index file.
        db: PathBuf,
        #[command(flatten)]
        input: InputArgs,
        /// Records checked together: each is also related to the earlier records of its batch.
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
    },
    /// Print one JSON object: documents, date range, parameters, size on disk.
    Stats {
        /// The index file.
        db: PathBuf,
    },
    /// Drop the documents dated before DATE, with their postings and relations, and give
    /// their space back.
    Expire {
        /// The index file.
        db: PathBuf,
        /// A date (2024-05-01) or time (2024-05-01T12:00:00Z); documents without a date stay.
        #[arg(long)]
        before: String,
    },
    /// Check the index's integrity; exits non-zero naming the first inconsistency.
    Check {
        /// The index file.
        db: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Scheme {
    /// One-permutation hashing with densification.
    Oph,
    /// Classic MinHash, one hash function per slot.
    Classic,
}

#[derive(Args)]
struct InputArgs {
    /// Folders, JSONL files (optionally .gz), or - for JSONL on stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Least exact Jaccard similarity for near-duplicates.
    #[arg(long, default_value_t = ScanOptions::default().threshold)]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = ScanOptions::default().shingle)]
    shingle: usize,
    /// Use character n-grams of this length instead of word shingles. By default, off.
    #[arg(long, conflicts_with = "shingle")]
    char_ngrams: Option<usize>,
    /// MinHash signature size.
    #[arg(long, default_value_t = ScanOptions::default().hashes)]
    hashes: usize,
    /// MinHash scheme.
    #[arg(long, value_enum, default_value_t = Scheme::Oph)]
    scheme: Scheme,
    /// MinHash seed.
    #[arg(long, default_value_t = DEFAULT_MINHASH_SEED)]
    seed: u64,
    /// LSH bands; with --rows, overrides the shape derived from --threshold.
    #[arg(long, requires = "rows")]
    bands: Option<usize>,
    /// LSH rows per band; with --bands.
    #[arg(long, requires = "bands")]
    rows: Option<usize>,
    /// JSONL field with the document id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSONL field with the document text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Worker threads; 0 means one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Encoding of inputs without a byte-order mark (a WHATWG label: windows-1252, latin1,
    /// utf-16le, shift_jis, ...). By default UTF-8, and records that are not are rejected. A
    /// byte-order mark (UTF-8, UTF-16) is always honoured.
    #[arg(long, value_parser = parse_encoding)]
    encoding: Option<&'static encoding_rs::Encoding>,
    /// Records larger than this are rejected with their size, unread (suffixes K, M, G: powers
    /// of 1024).
    #[arg(long, default_value = "16M", value_parser = parse_bytes)]
    max_doc_bytes: u64,
    /// Stop at an unreadable entry of an input folder (a dangling link, a link loop, a file
    /// without read permission) instead of rejecting it and going on.
    #[arg(long)]
    strict: bool,
    /// Print the wall time of each stage to stderr at the end. By default, off.
    #[arg(long)]
    timings: bool,
    /// Below the threshold, a pair is a copy when passages, in any order, cover at least this
    /// share of the shorter text.
    #[arg(long, default_value_t = RelationParams::default().copy_share())]
    copy_share: f64,
    /// Partial reuse needs a shared passage of at least this many words...
    #[arg(long, default_value_t = RelationParams::default().partial_words())]
    partial_words: u32,
    /// ...and passages covering at least this share of the shorter text.
    #[arg(long, default_value_t = RelationParams::default().partial_share())]
    partial_share: f64,
    /// Keep cluster members that are not copies of the representative if their exact Jaccard
    /// with it is at least this. By default, copies only.
    #[arg(long)]
    cluster_floor: Option<f64>,
    /// Do not compute or report passages for pairs that are copies by Jaccard alone (pairs
    /// below the threshold are still aligned to decide their relation).
    #[arg(long)]
    no_passages: bool,
    /// Find candidates by Jaccard LSH only, without the passage index: faster, but misses
    /// trimmed copies below the threshold and partial reuse.
    #[arg(long)]
    jaccard_only: bool,
    /// Shingles per window of the passage index: a shared run of this many shingles is
    /// always found; smaller finds shorter passages and uses more memory. By default, 8 word
    /// shingles or 100 character n-grams.
    #[arg(long)]
    winnow_window: Option<usize>,
    /// A line recurring in the documents of at least this many different clusters is an
    /// outlet template (boilerplate).
    #[arg(long, default_value_t = DEFAULT_TEMPLATE_MIN_DOCS)]
    template_min_docs: u32,
    /// Do not assess quality (no "quality" in docs.jsonl): a little faster on huge corpora.
    #[arg(long)]
    no_quality: bool,
    /// Compare and report every pair of related documents. By default, identical texts are
    /// compared once, huge band buckets are paired through one member, and within a cluster
    /// only each member's pair with the original is reported, so n copies cost n - 1 pairs
    /// rather than n(n - 1)/2.
    #[arg(long)]
    all_pairs: bool,
}

impl InputArgs {
    fn params(&self) -> reprint::Result<ScanParams> {
        ScanOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            threshold: self.threshold,
            shingle: self.shingle,
            char_ngrams: self.char_ngrams,
            hashes: self.hashes,
            scheme: match self.scheme {
                Scheme::Oph => SketchScheme::OnePermutation,
                Scheme::Classic => SketchScheme::KPermutation,
            },
            seed: self.seed,
            bands_rows: self.bands.zip(self.rows),
            threads: self.threads,
            copy_share: self.copy_share,
            partial_words: self.partial_words,
            partial_share: self.partial_share,
            cluster_floor: self.cluster_floor,
            passages: !self.no_passages,
            all_pairs: self.all_pairs,
            quality: !self.no_quality,
            template_min_docs: self.template_min_docs,
            jaccard_only: self.jaccard_only,
            winnow_window: self.winnow_window,
        }
        .params()
    }

    fn specs(&self) -> Vec<InputSpec> {
        self.inputs.iter().map(|a| InputSpec::from_arg(a)).collect()
    }

    fn corpus(&self) -> reprint::Result<Corpus> {
        let options = CorpusOptions {
            encoding: self.encoding,
            max_doc_bytes: self.max_doc_bytes,
            strict: self.strict,
        };
        Corpus::open_with(&self.specs(), options)
    }

    /// Checks the parameters and that no output overwrites an input, then opens the outputs,
    /// all before anything is read.
    fn open_outputs(&self, outputs: &[&Destination]) -> reprint::Result<Vec<Output>> {
        self.params()?;
        let paths: Vec<&Path> = outputs.iter().filter_map(|d| d.path()).collect();
        check_outputs_apart(&self.specs(), &paths)?;
        outputs.iter().map(|d| Output::open(d)).collect()
    }

    /// Scans the inputs, doing what the command's output needs (quality is skipped when it
    /// does not, whatever --no-quality says).
    fn scan(&self, needs: Needs) -> anyhow::Result<(Corpus, ScanResult)> {
        let mut params = self.params()?;
        params.quality &= needs == Needs::Quality;
        params.templates = needs != Needs::Clusters;
        let corpus = self.corpus()?;
        let progress = Bar::new(self.timings);
        let result = pipeline::scan(&corpus, &params, &progress)?;
        progress.print_timings();
        for warning in &result.warnings {
            eprintln!("warning: {warning}");
        }
        Ok((corpus, result))
    }
}

/// What a command's output needs from a scan beyond the clusters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// The clusters alone (a plain dedup feed).
    Clusters,
    /// The outlet template lines too (partial pairs, clean_text).
    Templates,
    /// The quality assessment too (unless --no-quality).
    Quality,
}

/// An encoding by its WHATWG label.
fn parse_encoding(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding {label:?}; use a WHATWG label such as windows-1252, latin1, utf-16le or shift_jis")
    })
}

/// A size in bytes, with an optional K, M or G suffix (powers of 1024).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, scale) = match text.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => {
            let scale = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("unknown size suffix in {text:?}; use K, M or G")),
            };
            (&text[..at], scale)
        }
        _ => (text, 1),
    };
    let number: u64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size in bytes (e.g. 16M)"))?;
    number
        .checked_mul(scale)
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| format!("{text:?} must be at least 1 byte and fit in 64 bits"))
}

/// A progress bar on stderr, drawn only when stderr is a terminal; optionally records how long
/// each stage took.
struct Bar {
    bar: Option<ProgressBar>,
    timings: Option<std::sync::Mutex<Vec<(String, std::time::Instant)>>>,
}

impl Bar {
    fn new(timings: bool) -> Self {
        Bar {
            bar: std::io::stderr().is_terminal().then(ProgressBar::hidden),
            timings: timings.then(|| std::sync::Mutex::new(Vec::new())),
        }
    }

    fn mark(&self, name: &str) {
        if let Some(timings) = &self.timings {
            timings
                .lock()
                .expect("no panics while holding the lock")
                .push((name.to_string(), std::time::Instant::now()));
        }
    }

    fn print_timings(&self) {
        let Some(timings) = &self.timings else { return };
        let marks = timings.lock().expect("no panics while holding the lock");
        let parts: Vec<String> = marks
            .windows(2)
            .map(|w| format!("{} {:.2} s", w[0].0, (w[1].1 - w[0].1).as_secs_f64()))
            .collect();
        if let (Some(first), Some(last)) = (marks.first(), marks.last()) {
            eprintln!(
                "timings: {}; total {:.2} s",
                parts.join(", "),
                (last.1 - first.1).as_secs_f64()
            );
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        self.mark(name);
        if let Some(bar) = &self.bar {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg:>10} [{bar:30}] {percent:>3}% {elapsed}")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            bar.set_message(name.to_string());
            bar.set_length(total);
            bar.set_position(0);
        }
    }
    fn advance(&self, amount: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(amount);
        }
    }
    fn finish(&self) {
        self.mark("end");
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What `scan` and `report` say of a written HTML report.
fn report_line(path: &Path, page: report::HtmlReportSize) -> String {
    format!(
        "wrote {} ({:.1} MB; the texts of {} documents); open it in a browser",
        path.display(),
        page.bytes as f64 / 1e6,
        page.texts
    )
}

/// The one output opened for a command that writes one.
fn single(mut outputs: Vec<Output>) -> Output {
    outputs.pop().expect("one output was opened")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Scan {
            input,
            output,
            no_report,
            show,
        } => {
            let reports = match &output {
                Some(dir) if dir == Path::new("-") => {
                    return Err(reprint::Error::param(
                        "--output",
                        "scan writes four reports and needs a folder; for one stream on \
                         stdout use `reprint pairs` or `reprint dedup -o -`",
                    )
                    .into());
                }
                Some(dir) => {
                    input.params()?;
                    let paths = ReportDir::paths(dir, !no_report);
                    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
                    check_outputs_apart(&input.specs(), &paths)?;
                    Some(ReportDir::open(dir, !no_report)?)
                }
                None => None,
            };
            let (corpus, result) = input.scan(Needs::Quality)?;
            let page = match reports {
                Some(reports) => report::write_report_dir(&corpus, &result, reports)?,
                None => None,
            };
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(report::summary(&result, show, output.as_deref()).as_bytes())?;
            if let Some(dir) = &output {
                writeln!(
                    stdout,
                    "\nwrote {}/{{docs,pairs,clusters,outlets}}.jsonl and scan.json",
                    dir.display()
                )?;
            }
            if let (Some(dir), Some(page)) = (&output, page) {
                writeln!(
                    stdout,
                    "{}",
                    report_line(&dir.join(report::HTML_REPORT_FILES[1]), page)
                )?;
            }
        }
        Command::Report { dir, output } => {
            if !dir.is_dir() {
                return Err(reprint::Error::ReportFolder {
                    path: dir,
                    line: 0,
                    message: "not a folder; give the folder `reprint scan --output` wrote".into(),
                }
                .into());
            }
            let path = output.unwrap_or_else(|| dir.join(report::HTML_REPORT_FILES[1]));
            let destination = Destination::from_arg(&path);
            let mut out = Output::open(&destination)?;
            let name = out.name().to_path_buf();
            let page = report::write_html_report(&dir, &mut out, &name)?;
            out.finish()?;
            eprintln!("{}", report_line(&name, page));
        }
        Command::Dedup {
            input,
            output,
            strip_boilerplate,
            drop_rejected,
        } => {
            let destination = Destination::from_arg(&output);
            let mut out = single(input.open_outputs(&[&destination])?);
            // The feed depends on the clusters alone, never on quality; the templates are
            // needed only for clean_text.
            let needs = if strip_boilerplate {
                Needs::Templates
            } else {
                Needs::Clusters
            };
            let (corpus, result) = input.scan(needs)?;
            let name = out.name().to_path_buf();
            let stats = report::write_feed(
                &corpus,
                &result,
                strip_boilerplate,
                drop_rejected,
                &mut out,
                &name,
            )?;
            out.finish()?;
            eprintln!("{}", report::feed_summary(&stats, result.stats.records));
            for reason in result.docs.iter().filter_map(report::rejection).take(10) {
                eprintln!("  rejected {reason}");
            }
        }
        Command::Score {
            input,
            output,
            show,
            clean_text,
        } => {
            if input.no_quality {
                return Err(reprint::Error::param(
                    "--no-quality",
                    "score needs quality assessment; drop --no-quality",
                )
                .into());
            }
            let destination = output
                .as_deref()
                .map_or(Destination::Stdout, Destination::from_arg);
            let mut out = single(input.open_outputs(&[&destination])?);
            let (corpus, result) = input.scan(Needs::Quality)?;
            let name = out.name().to_path_buf();
            if clean_text {
                report::write_scores_with_clean_text(&corpus, &result, &mut out, &name)?;
            } else {
                report::write_scores(&result, &mut out, &name)?;
            }
            out.finish()?;
            eprint!("{}", report::worst_documents(&result, show));
        }
        Command::Pairs { input } => {
            let mut out = single(input.open_outputs(&[&Destination::Stdout])?);
            // Pairs carry no quality; outlet templates are found without it.
            let (_, result) = input.scan(Needs::Templates)?;
            let name = out.name().to_path_buf();
            report::write_pairs(&result, &mut out, &name)?;
            out.finish()?;
        }
        Command::Index { command } => run_index(command)?,
        Command::Explain {
            id_a,
            id_b,
            json,
            input,
        } => {
            let params = input.params()?;
            let corpus = input.corpus()?;
            let explanation = pipeline::explain(&corpus, &params, &id_a, &id_b)?;
            if json {
                let mut stdout = std::io::stdout().lock();
                serde_json::to_writer(&mut stdout, &report::explanation_line(&explanation))?;
                writeln!(stdout)?;
                return Ok(());
            }
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = report::render_explanation(&explanation, colour);
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        Command::Gen {
            docs,
            seed,
            copy_rate,
            max_edit_rate,
            truncate_rate,
            truncate_min_kept,
            boilerplate_rate,
            outlet_templates,
            lift_rate,
            reorder_rate,
            figure_rate,
            variant_rate,
            split_merge_rate,
            keep_headline_rate,
            ocr_noise,
            syndication,
            output,
            truth,
            threads,
        } => {
            let params = if syndication {
                SynthParams {
                    ocr_noise,
                    ..SynthParams::syndication(docs, seed)
                }
            } else {
                SynthParams {
                    docs,
                    seed,
                    copy_rate,
                    max_edit_rate,
                    truncate_rate,
                    boilerplate_rate,
                    lift_rate,
                    truncate_min_kept,
                    reorder_rate,
                    figure_rate,
                    variant_rate,
                    split_merge_rate,
                    keep_headline_rate,
                    outlet_templates,
                    ocr_noise,
                }
            };
            let generator = Generator::new(params)?;
            let corpus_destination = Destination::from_arg(&output);
            let truth_destination = truth.as_deref().map(Destination::from_arg);
            if truth_destination == Some(Destination::Stdout)
                && corpus_destination == Destination::Stdout
            {
                return Err(reprint::Error::param(
                    "--truth",
                    "the corpus already goes to stdout; give the truth a file",
                )
                .into());
            }
            let mut corpus_out = Output::open(&corpus_destination)?;
            let mut truth_out = truth_destination.as_ref().map(Output::open).transpose()?;
            let report::Generated { copies, lifts } = report::write_generated(
                &generator,
                &mut corpus_out,
                truth_out.as_mut().map(|w| w as &mut dyn Write),
                threads,
            )?;
            corpus_out.finish()?;
            if let Some(out) = truth_out {
                out.finish()?;
            }
            eprintln!(
                "wrote {docs} articles ({copies} planted copies, {lifts} with lifted paragraphs) to {}",
                output.display()
            );
        }
    }
    Ok(())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(cause.downcast_ref::<reprint::Error>(), Some(reprint::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The message of an error and its causes, each cause added only when the text so far does
/// not already say it (a library error shows its I/O cause in its own message).
/// `reprint index add` (`adding`) or `query`: the inputs in batches of `batch` records, one
/// line per record on stdout, written once its batch is committed.
fn feed(db: &Path, input: &InputArgs, batch: usize, adding: bool) -> anyhow::Result<()> {
    use reprint::index::feed::FeedIndex;
    if batch == 0 {
        return Err(reprint::Error::param("--batch", "must be at least 1").into());
    }
    let mut params = input.params()?;
    // Every candidate pair is related, as `scan --all-pairs` relates them.
    params.all_pairs = true;
    let corpus = input.corpus()?;
    let index = if adding {
        FeedIndex::open_for_adding(db, &params)?
    } else {
        FeedIndex::open_for_query(db, &params)?
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let stdout_name = Path::new("<stdout>");
    let print = |outcomes: Vec<reprint::index::feed::FeedOutcome>,
                 out: &mut dyn Write|
     -> reprint::Result<()> {
        for outcome in &outcomes {
            if let Some(reason) = report::rejection(&outcome.doc) {
                eprintln!("rejected: {reason}");
            }
        }
        report::write_index_lines(&outcomes, out, stdout_name)?;
        out.flush().map_err(|e| reprint::Error::io(stdout_name, e))
    };
    // Adding, each batch is read while the one before is written; its lines are printed
    // once it is committed.
    let mut adder = adding.then(|| index.adder());
    let mut flush =
        |records: Vec<reprint::ingest::RawRecord>, out: &mut dyn Write| -> reprint::Result<()> {
            let outcomes = pipeline::with_threads(params.threads, || match &mut adder {
                Some(adder) => adder.add(records),
                None => index.query(records),
            })??;
            print(outcomes, out)
        };
    let mut pending: Vec<reprint::ingest::RawRecord> = Vec::new();
    corpus.for_each_batch(reprint::ingest::BATCH_BYTES, |records| {
        for record in records {
            pending.push(record);
            if pending.len() == batch {
                flush(std::mem::take(&mut pending), &mut out)?;
            }
        }
        Ok(())
    })?;
    if !pending.is_empty() {
        flush(pending, &mut out)?;
    }
    if let Some(adder) = adder {
        let outcomes = pipeline::with_threads(params.threads, || adder.finish())??;
        print(outcomes, &mut out)?;
    }
    Ok(())
}

/// Feed mode's commands.
fn run_index(command: IndexCommand) -> anyhow::Result<()> {
    use reprint::index::store::IndexStore;
    match command {
        IndexCommand::Add { db, input, batch } => feed(&db, &input, batch, true)?,
        IndexCommand::Query { db, input, batch } => feed(&db, &input, batch, false)?,
        IndexCommand::Stats { db } => {
            let store = IndexStore::open_read(&db, None)?;
            let stats = store.stats()?;
            let line = serde_json::to_string(&report::index_stats_line(&stats))?;
            writeln!(std::io::stdout(), "{line}")?;
        }
        IndexCommand::Expire { db, before } => {
            let cutoff = reprint::date::parse_date(&before).ok_or_else(|| {
                reprint::Error::param(
                    "--before",
                    format!("{before:?} is not a date; write 2024-05-01 or 2024-05-01T12:00:00Z"),
                )
            })?;
            let mut store = IndexStore::open(&db, &IndexStore::params_of(&db)?)?;
            let expired = store.expire_before(cutoff)?;
            store.compact()?;
            let stats = store.stats()?;
            eprintln!(
                "expired {expired} documents dated before {}; {} remain, {} bytes on disk",
                reprint::date::format_date(cutoff),
                stats.documents,
                stats.bytes()
            );
        }
        IndexCommand::Check { db } => {
            let store = IndexStore::open_read(&db, None)?;
            let report = store.check()?;
            writeln!(
                std::io::stdout(),
                "{}: sound: {} documents, {} segments, {} postings, {} relations",
                db.display(),
                report.documents,
                report.segments,
                report.postings,
                report.relations
            )?;
        }
    }
    Ok(())
}

fn message(error: &anyhow::Error) -> String {
    let mut message = format!("error: {error}");
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

/// Exit code 2 for bad input or usage and for output that cannot be written (every library
/// error is one of those, and so is an I/O error on stdout); 1 for anything else, which is
/// a bug.
fn exit_code(error: &anyhow::Error) -> u8 {
    let outside = error.chain().any(|cause| {
        cause.downcast_ref::<reprint::Error>().is_some()
            || cause.downcast_ref::<std::io::Error>().is_some()
    });
    if outside { 2 } else { 1 }
}

/// glibc's malloc gives each thread that contends for it an arena of its own (up to 8 per
/// core), and memory freed in one arena is not reused by another: `index add`, whose batches
/// are allocated on one thread and freed on another, peaked at 653–689 MB adding 100,000
/// articles with the default and at 543–683 MB (595 on average over 6 runs) with 2 arenas, at
/// the same speed (measured 2026-12-02). Set before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", message(&error));
            ExitCode::from(exit_code(&error))
        }
    }
}
