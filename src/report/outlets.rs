//! Per outlet: what it publishes and where its text comes from (`outlets.jsonl` and the
//! summary's table).

use super::*;
use crate::error::Result;
use crate::pipeline::{DocStatus, ScanResult};
use crate::relate::relation::Relation;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One line of `outlets.jsonl`: what one `source` publishes and where its text comes from.
#[derive(Debug, Serialize)]
pub struct OutletLine<'a> {
    /// The outlet, as given in the records' `source` field.
    pub source: &'a str,
    /// Accepted records from this outlet.
    pub docs: usize,
    /// Cluster representatives (likely originals of republished stories).
    pub originals: usize,
    /// Records that are copies of another document (duplicates in a cluster, or copies of a
    /// document outside their own cluster).
    pub copies: usize,
    /// Records that reuse passages of another document.
    pub partial: usize,
    /// `copies / docs`: how much of the outlet's output is republished.
    pub syndicated_share: f64,
    /// Outlets whose documents this outlet took text from, most first.
    pub takes_from: Vec<OutletFlow<'a>>,
    /// Outlets that took text from this outlet's documents, most first.
    pub taken_by: Vec<OutletFlow<'a>>,
}

/// Documents passed from one outlet to another.
#[derive(Debug, Serialize, Clone, Copy)]
pub struct OutletFlow<'a> {
    /// The other outlet.
    pub source: &'a str,
    /// Documents copied.
    pub copy: usize,
    /// Documents with passages reused.
    pub partial: usize,
}

/// The per-outlet summary, largest outlets first (then by name). Records without a `source`
/// are left out; the list is empty when no record has one.
pub fn outlets(result: &ScanResult) -> Vec<OutletLine<'_>> {
    use std::collections::BTreeMap;
    let mut lines: BTreeMap<&str, OutletLine> = BTreeMap::new();
    let mut flows: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for doc in &result.docs {
        let Some(source) = doc.source.as_deref() else {
            continue;
        };
        if doc.status == DocStatus::Rejected {
            continue;
        }
        let line = lines.entry(source).or_insert_with(|| OutletLine {
            source,
            docs: 0,
            originals: 0,
            copies: 0,
            partial: 0,
            syndicated_share: 0.0,
            takes_from: Vec::new(),
            taken_by: Vec::new(),
        });
        line.docs += 1;
        line.originals += usize::from(doc.status == DocStatus::Original);
        let has = |relation| doc.reuses.iter().any(|r| r.relation == relation);
        line.copies += usize::from(has(Relation::Copy));
        line.partial += usize::from(has(Relation::Partial));
        for reuse in &doc.reuses {
            let Some(from) = result.docs[reuse.from as usize].source.as_deref() else {
                continue;
            };
            let flow = flows.entry((source, from)).or_default();
            match reuse.relation {
                Relation::Copy => flow.0 += 1,
                _ => flow.1 += 1,
            }
        }
    }
    for (&(to, from), &(copy, partial)) in &flows {
        let flow = |source| OutletFlow {
            source,
            copy,
            partial,
        };
        if let Some(line) = lines.get_mut(to) {
            line.takes_from.push(flow(from));
        }
        if let Some(line) = lines.get_mut(from) {
            line.taken_by.push(flow(to));
        }
    }
    let mut out: Vec<OutletLine> = lines.into_values().collect();
    for line in &mut out {
        line.syndicated_share = round6(line.copies as f64 / line.docs.max(1) as f64);
        for list in [&mut line.takes_from, &mut line.taken_by] {
            list.sort_by(|x, y| {
                (y.copy + y.partial)
                    .cmp(&(x.copy + x.partial))
                    .then(x.source.cmp(y.source))
            });
        }
    }
    out.sort_by(|x, y| y.docs.cmp(&x.docs).then(x.source.cmp(y.source)));
    out
}

/// Writes `outlets.jsonl`: one line per outlet (see [`outlets`]).
pub fn write_outlets(result: &ScanResult, out: &mut dyn Write, path: &Path) -> Result<()> {
    for line in outlets(result) {
        write_line(out, &line, path)?;
    }
    Ok(())
}
