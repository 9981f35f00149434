//! The human summaries: what `scan` prints and the table of the lowest quality scores.

use super::*;
use crate::pipeline::{DocStatus, ScanResult};
use crate::quality::QualityReport;
use crate::relate::relation::Relation;
use std::fmt::Write as _;
use std::path::Path;

/// The human summary printed by `scan`: counts, the band shape, the largest clusters.
pub fn summary(result: &ScanResult, largest: usize, reports: Option<&Path>) -> String {
    // Where the rest is: the report files when they are written, else how to get them.
    let see = |file: &str| match reports {
        Some(_) => format!("see {file}"),
        None => format!("scan --output DIR writes {file}"),
    };
    let stats = &result.stats;
    let lsh = &result.params.lsh;
    let duplicates = result
        .docs
        .iter()
        .filter(|d| d.status == DocStatus::Duplicate)
        .count();
    let unique = result
        .docs
        .iter()
        .filter(|d| d.status == DocStatus::Unique)
        .count();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "read {} records ({}); {} rejected{}",
        stats.records,
        human_bytes(stats.input_bytes),
        stats.rejected,
        if stats.ignored_files > 0 {
            format!("; {} non-document files ignored", stats.ignored_files)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "{} clusters; {} duplicates to drop; {} unique documents; {} kept in all",
        result.clusters.len(),
        duplicates,
        unique,
        unique + result.clusters.len()
    );
    let _ = writeln!(
        s,
        "threshold {}: {} bands x {} rows of {} hashes; P(candidate) at J=0.3 {:.3}, 0.5 {:.3}, 0.7 {:.3}, 0.9 {:.3}",
        result.params.threshold,
        lsh.bands(),
        lsh.rows(),
        result.params.minhash.num_hashes(),
        lsh.candidate_probability(0.3),
        lsh.candidate_probability(0.5),
        lsh.candidate_probability(0.7),
        lsh.candidate_probability(0.9),
    );
    let _ = writeln!(
        s,
        "{} candidate pairs ({} from Jaccard LSH, {} from the passage index); {} verified at Jaccard >= {}",
        stats.candidates,
        stats.lsh_candidates,
        stats.winnow_candidates,
        stats.verified,
        result.params.threshold
    );
    let _ = writeln!(
        s,
        "{} copy pairs ({} below the threshold), {} partial-reuse pairs{}",
        stats.copies,
        stats.copies.saturating_sub(stats.verified),
        stats.partials,
        if result.params.all_pairs {
            ""
        } else {
            "; in a cluster, each member's pair with its original (--all-pairs: every pair)"
        }
    );
    if stats.by_character > 0 {
        let _ = writeln!(
            s,
            "{} documents are written (wholly or partly) in scripts without spaces (Han, kana, Thai, ...): shingled by character there (\"tokens\" in docs.jsonl)",
            stats.by_character
        );
    }
    if stats.identical > 0 {
        let _ = writeln!(
            s,
            "{} documents have the same text as another after normalization and were compared through it",
            stats.identical
        );
    }
    let mut order: Vec<usize> = (0..result.clusters.len()).collect();
    order.sort_by(|&x, &y| {
        result.clusters[y]
            .members
            .len()
            .cmp(&result.clusters[x].members.len())
            .then(x.cmp(&y))
    });
    if !order.is_empty() {
        let _ = writeln!(s, "\nlargest clusters:");
    }
    for &i in order.iter().take(largest) {
        let cluster = &result.clusters[i];
        let rep = &result.docs[cluster.representative as usize];
        let title = rep.title.as_deref().unwrap_or("(no title)");
        let _ = writeln!(
            s,
            "  #{:<4} {:>3} docs  original {}  \"{}\"",
            cluster.id,
            cluster.members.len(),
            rep.id.as_deref().unwrap_or(""),
            truncate(title, 60)
        );
        let _ = writeln!(s, "         {}", cluster.reason);
    }
    let borrowers: Vec<(&str, &crate::pipeline::Reuse)> = result
        .docs
        .iter()
        .flat_map(|d| {
            d.reuses
                .iter()
                .filter(|r| r.relation == Relation::Partial)
                .map(move |r| (d.id.as_deref().unwrap_or(""), r))
        })
        .collect();
    let undirected = result
        .pairs
        .iter()
        .filter(|p| p.relation() == Relation::Partial && p.from().is_none())
        .count();
    if !borrowers.is_empty() || undirected > 0 {
        let _ = writeln!(s, "\npartial reuse:");
    }
    for (borrower, reuse) in borrowers.iter().take(largest) {
        let _ = writeln!(
            s,
            "  {borrower} took {:.0}% of its words from {}",
            100.0 * reuse.share,
            id_of(result, reuse.from)
        );
    }
    if borrowers.len() > largest {
        let _ = writeln!(
            s,
            "  ... and {} more ({})",
            borrowers.len() - largest,
            see("docs.jsonl")
        );
    }
    if undirected > 0 {
        let _ = writeln!(
            s,
            "  {undirected} partial pairs with no clear direction ({})",
            see("pairs.jsonl")
        );
    }
    let outlets = outlets(result);
    if !outlets.is_empty() {
        let _ = writeln!(
            s,
            "\n{:<34} {:>5} {:>7} {:>7} {:>10}  copies taken from",
            "outlets", "docs", "copies", "partial", "syndicated"
        );
        for outlet in outlets.iter().take(largest) {
            let row = format!(
                "  {:<32} {:>5} {:>7} {:>7} {:>9.0}%  {}",
                truncate(outlet.source, 32),
                outlet.docs,
                outlet.copies,
                outlet.partial,
                100.0 * outlet.syndicated_share,
                outlet
                    .takes_from
                    .iter()
                    .filter(|f| f.copy > 0)
                    .take(3)
                    .map(|f| format!("{} ({})", f.source, f.copy))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(s, "{}", row.trim_end());
        }
        if outlets.len() > largest {
            let _ = writeln!(
                s,
                "  ... and {} more ({})",
                outlets.len() - largest,
                see("outlets.jsonl")
            );
        }
    }
    let rejected: Vec<String> = result.docs.iter().filter_map(rejection).collect();
    if !rejected.is_empty() {
        let _ = writeln!(s, "\nrejected:");
        for reason in rejected.iter().take(10) {
            let _ = writeln!(s, "  {reason}");
        }
        if rejected.len() > 10 {
            let _ = writeln!(
                s,
                "  ... and {} more ({})",
                rejected.len() - 10,
                see("docs.jsonl")
            );
        }
    }
    s
}

/// The `worst` lowest-scoring documents with their flags and strongest evidence, as a table
/// (ties broken by input order).
pub fn worst_documents(result: &ScanResult, worst: usize) -> String {
    let mut scored: Vec<(usize, &QualityReport)> = result
        .docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.quality.as_deref().map(|q| (i, &q.report)))
        .collect();
    let assessed = scored.len();
    scored.sort_by(|x, y| x.1.score.total_cmp(&y.1.score).then(x.0.cmp(&y.0)));
    let flagged = scored.iter().filter(|(_, q)| !q.flags.is_empty()).count();
    let mut text = format!(
        "{assessed} documents assessed, {flagged} flagged; lowest scores:\n{:<28} {:>5}  {:<34} evidence\n",
        "id", "score", "flags"
    );
    for (i, quality) in scored.into_iter().take(worst) {
        let evidence = quality.evidence.first().map_or(String::new(), |e| {
            let example = e
                .text
                .as_deref()
                .map(|t| format!(" {:?}", truncate(t, 60)))
                .unwrap_or_default();
            format!("{} {:.3}{example}", e.signal, e.value)
        });
        text.push_str(&format!(
            "{:<28} {:>5.3}  {:<34} {evidence}\n",
            truncate(result.docs[i].id.as_deref().unwrap_or("?"), 28),
            quality.score,
            quality
                .flags
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ));
    }
    text
}

pub(super) fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b => format!("{:.2} GiB", b as f64 / (1024.0 * 1024.0 * 1024.0)),
    }
}

pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
