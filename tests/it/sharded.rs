//! The sharded scan as an engine runs it, in miniature: records analysed in parts, candidate
//! pairs verified in parts, then the corpus-wide step once on "the driver" (`ShardedScan`) and
//! once component by component (`Component`), as `reprint.spark.dedup` runs it past the
//! driver's size. The two must report every document, pair and cluster alike.

use std::collections::BTreeMap;
use std::sync::Arc;

use reprint::candidates::lsh::CandidatePair;
use reprint::ingest::{Origin, Payload, RawRecord, RecordPosition};
use reprint::pipeline::incremental::TextToRelate;
use reprint::pipeline::sharded::{
    self, Component, ShardedScan, SketchedDoc, VerifiedItem, VerifiedPart,
};
use reprint::pipeline::{DocStatus, ScanOptions, ScanParams};
use reprint::quality::boilerplate::TemplateLines;
use reprint::relate::cluster::MemberInfo;
use reprint::relate::exact::ExactGroups;
use reprint::report;
use reprint::synth::{Generator, SynthParams};

const ORIGIN: &str = "records";

fn params() -> ScanParams {
    ScanOptions {
        quality: false,
        ..ScanOptions::default()
    }
    .params()
    .unwrap()
}

fn records(lines: &[String]) -> Vec<RawRecord> {
    let name: Arc<str> = Arc::from(ORIGIN);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| RawRecord {
            origin: Origin {
                file: name.clone(),
                line: i as u64 + 1,
            },
            payload: Payload::JsonLine(line.as_bytes().to_vec()),
            position: RecordPosition {
                source: 0,
                offset: 0,
                line: i as u64 + 1,
            },
        })
        .collect()
}

/// What both ways of relating start from, as the engine holds it after analysis.
struct Analysed {
    sketched: Vec<SketchedDoc>,
    accepted: Vec<bool>,
    leaders: Vec<u32>,
    candidates: Vec<(u32, u32)>,
    /// (line key, document) of the lines in at least `--template-min-docs` documents.
    entries: Vec<(u64, u32)>,
    recurring: TemplateLines,
}

impl Analysed {
    fn text(&self, doc: u32) -> TextToRelate<'_> {
        let sketched = &self.sketched[doc as usize];
        TextToRelate {
            text: &sketched.text,
            title: sketched.outcome.title.as_deref(),
            page: None,
        }
    }

    /// Verifies `pairs` in three parts, each with only its own documents' texts, as
    /// executors do.
    fn verify(&self, pairs: &[(u32, u32)], params: &ScanParams) -> Vec<VerifiedPart> {
        pairs
            .chunks(pairs.len().div_ceil(3).max(1))
            .map(|part| {
                let mut docs: Vec<u32> = part.iter().flat_map(|&(a, b)| [a, b]).collect();
                docs.sort_unstable();
                docs.dedup();
                let texts: Vec<(u32, TextToRelate<'_>)> =
                    docs.iter().map(|&doc| (doc, self.text(doc))).collect();
                sharded::verify_part(part, &texts, &self.recurring, params)
            })
            .collect()
    }
}

/// Analyses the records in two parts, rejects repeated ids, groups identical texts and pairs
/// every two compared documents sharing a band key.
fn analyse(lines: &[String], params: &ScanParams) -> (Analysed, ShardedScan) {
    let mut raw = records(lines);
    let second = raw.split_off(raw.len() / 2);
    let mut sketched = sharded::analyze(raw, params);
    sketched.extend(sharded::analyze(second, params));
    let scan = ShardedScan::new(
        sketched.iter().map(|s| s.outcome.clone()).collect(),
        sketched.iter().map(|s| s.identity).collect(),
        Vec::new(),
        params,
    )
    .unwrap();
    let accepted: Vec<bool> = scan
        .docs()
        .iter()
        .map(|d| d.status != DocStatus::Rejected)
        .collect();
    let members: Vec<MemberInfo<'_>> = scan
        .docs()
        .iter()
        .map(|d| MemberInfo {
            id: d.id.as_deref().unwrap_or(""),
            date: d.date,
            shingles: 0,
        })
        .collect();
    let identities: Vec<_> = sketched.iter().map(|s| s.identity).collect();
    let exact = ExactGroups::find(&identities, &members, &accepted);
    let leaders: Vec<u32> = (0..sketched.len() as u32)
        .map(|doc| match accepted[doc as usize] {
            true => exact.leader(doc),
            false => doc,
        })
        .collect();
    let mut buckets: BTreeMap<(usize, u32), Vec<u32>> = BTreeMap::new();
    for (doc, s) in sketched.iter().enumerate() {
        if accepted[doc] && leaders[doc] == doc as u32 {
            for (band, key) in s.band_keys.iter().enumerate() {
                buckets.entry((band, key.0)).or_default().push(doc as u32);
            }
        }
    }
    let mut candidates: Vec<(u32, u32)> = buckets
        .values()
        .flat_map(|docs| {
            docs.iter()
                .enumerate()
                .flat_map(|(i, &a)| docs[i + 1..].iter().map(move |&b| (a, b)))
        })
        .collect();
    // And every two sharing enough fingerprints of the passage index.
    if let Some(winnow) = &params.winnow {
        let mut postings: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (doc, s) in sketched.iter().enumerate() {
            if accepted[doc] && leaders[doc] == doc as u32 {
                for &fingerprint in &s.fingerprints {
                    postings.entry(fingerprint).or_default().push(doc as u32);
                }
            }
        }
        let mut shared: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for docs in postings.values() {
            let mut docs = docs.clone();
            docs.dedup();
            if docs.len() < 2 || docs.len() > winnow.max_postings() {
                continue;
            }
            for (i, &a) in docs.iter().enumerate() {
                for &b in &docs[i + 1..] {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
        candidates.extend(
            shared
                .into_iter()
                .filter(|&(_, n)| n >= winnow.min_shared())
                .map(|(pair, _)| pair),
        );
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut holders: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for (doc, s) in sketched.iter().enumerate() {
        if accepted[doc] {
            for &key in &s.line_keys {
                holders.entry(key).or_default().push(doc as u32);
            }
        }
    }
    holders.retain(|_, docs| docs.len() >= params.template_min_docs as usize);
    let recurring =
        TemplateLines::from_counts(holders.iter().map(|(&key, docs)| (key, docs.len() as u32)));
    let entries = holders
        .iter()
        .flat_map(|(&key, docs)| docs.iter().map(move |&doc| (key, doc)))
        .collect();
    let analysed = Analysed {
        sketched,
        accepted,
        leaders,
        candidates,
        entries,
        recurring,
    };
    (analysed, scan)
}

/// The reports of both ways, as sorted JSON lines: docs, pairs, clusters.
type Lines = [Vec<String>; 3];

fn on_the_driver(analysed: &Analysed, scan: ShardedScan, params: &ScanParams) -> Lines {
    let candidates = analysed
        .candidates
        .iter()
        .map(|&(a, b)| CandidatePair::new(a, b))
        .collect();
    let mut verify = |pairs: Vec<CandidatePair>| -> reprint::Result<Vec<VerifiedPart>> {
        let pairs: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        Ok(analysed.verify(&pairs, params))
    };
    let result = scan
        .relate(&analysed.entries, candidates, (0, 0), &mut verify)
        .unwrap();
    let name = |i| report::id_of(&result, i);
    let json = |value: &dyn erased::Line| value.json();
    let mut lines: Lines = Default::default();
    for doc in &result.docs {
        lines[0].push(json(&report::doc_line(doc, name)));
    }
    for pair in &result.pairs {
        lines[1].push(json(&report::pair_line(pair, &result.clusters, name)));
    }
    for cluster in &result.clusters {
        lines[2].push(json(&report::cluster_line(cluster, name)));
    }
    lines
}

/// Serializes the report layer's lines through one function.
mod erased {
    pub trait Line {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Line for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

fn by_component(analysed: &Analysed, scan: &ShardedScan, params: &ScanParams) -> Lines {
    let documents = analysed.sketched.len();
    let items: Vec<VerifiedItem> = analysed
        .verify(&analysed.candidates, params)
        .into_iter()
        .flat_map(VerifiedPart::into_items)
        .collect();
    // Connected components over the verified pairs and identical texts.
    let mut parent: Vec<u32> = (0..documents as u32).collect();
    fn root(parent: &mut [u32], mut doc: u32) -> u32 {
        while parent[doc as usize] != doc {
            parent[doc as usize] = parent[parent[doc as usize] as usize];
            doc = parent[doc as usize];
        }
        doc
    }
    let mut in_edge = vec![false; documents];
    let edges = items
        .iter()
        .filter_map(|item| match item.docs() {
            (a, Some(b)) => Some((a, b)),
            _ => None,
        })
        .chain(
            (0..documents as u32)
                .filter(|&doc| analysed.leaders[doc as usize] != doc)
                .map(|doc| (doc, analysed.leaders[doc as usize])),
        )
        .collect::<Vec<_>>();
    for &(a, b) in &edges {
        in_edge[a as usize] = true;
        in_edge[b as usize] = true;
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
    let comp: Vec<Option<u32>> = (0..documents as u32)
        .map(|doc| in_edge[doc as usize].then(|| root(&mut parent, doc)))
        .collect();
    let mut components: BTreeMap<u32, Component<'_>> = BTreeMap::new();
    // Given in reverse order: a component must not depend on the order its rows came in.
    for doc in (0..documents as u32).rev() {
        let Some(c) = comp[doc as usize] else {
            continue;
        };
        let component = components.entry(c).or_default();
        component.ordinals.push(doc);
        component.docs.push(scan.docs()[doc as usize].clone());
        component
            .identities
            .push(analysed.sketched[doc as usize].identity);
        component.texts.push(analysed.text(doc));
        component.leaders.push(analysed.leaders[doc as usize]);
    }
    for &(a, b) in &analysed.candidates {
        if let (Some(ca), Some(cb)) = (comp[a as usize], comp[b as usize])
            && ca == cb
        {
            components.get_mut(&ca).unwrap().candidates.push((a, b));
        }
    }
    for item in items {
        if let Some(c) = comp[item.docs().0 as usize] {
            components.get_mut(&c).unwrap().verified.push(item);
        }
    }
    let clustered = sharded::cluster_components(
        components.into_values().collect(),
        &analysed.recurring,
        params,
    )
    .unwrap();
    // Clusters numbered by first member across components; templates counted over clusters.
    let mut firsts: Vec<(u32, usize, usize)> = clustered
        .iter()
        .enumerate()
        .flat_map(|(c, component)| {
            component
                .first_members()
                .into_iter()
                .enumerate()
                .map(move |(local, first)| (first, c, local))
        })
        .collect();
    firsts.sort_unstable();
    let mut ids: Vec<Vec<u32>> = clustered
        .iter()
        .map(|c| vec![0; c.first_members().len()])
        .collect();
    for (id, &(_, c, local)) in firsts.iter().enumerate() {
        ids[c][local] = id as u32;
    }
    let mut group: Vec<u32> = (0..documents as u32)
        .map(|d| documents as u32 + d)
        .collect();
    for component in &clustered {
        for (doc, first) in component.clustered() {
            group[doc as usize] = first;
        }
    }
    let templates = TemplateLines::count(
        analysed
            .entries
            .iter()
            .map(|&(key, doc)| (key, group[doc as usize]))
            .collect(),
        params.template_min_docs,
    );
    let work = clustered
        .into_iter()
        .zip(ids)
        .map(|(component, ids)| {
            let asked = component
                .partial_line_keys()
                .into_iter()
                .filter_map(|key| templates.docs(key).map(|n| (key, n)));
            let templates = TemplateLines::from_counts(asked);
            (component, ids, templates)
        })
        .collect();
    let concluded = sharded::conclude_components(work, &Arc::from(ORIGIN), params).unwrap();
    let mut docs: Vec<Option<String>> = vec![None; documents];
    let mut pairs: Vec<((u32, u32), String)> = Vec::new();
    let mut clusters: Vec<(u32, String)> = Vec::new();
    for component in &concluded {
        let name = |i| component.id(i);
        let ordinal = |i: u32| component.ordinals[i as usize];
        for (i, doc) in component.docs.iter().enumerate() {
            docs[ordinal(i as u32) as usize] =
                Some(erased::Line::json(&report::doc_line(doc, name)));
        }
        for pair in &component.pairs {
            let line = report::pair_line(pair, &component.clusters, name);
            pairs.push((
                (ordinal(pair.figures.a), ordinal(pair.figures.b)),
                erased::Line::json(&line),
            ));
        }
        for cluster in &component.clusters {
            clusters.push((
                cluster.id,
                erased::Line::json(&report::cluster_line(cluster, name)),
            ));
        }
    }
    pairs.sort();
    clusters.sort();
    // A document in no component is unique, or rejected, as analysis and the ids left it.
    let docs = docs
        .into_iter()
        .enumerate()
        .map(|(doc, line)| {
            line.unwrap_or_else(|| {
                let outcome = &scan.docs()[doc];
                erased::Line::json(&report::doc_line(outcome, |_| unreachable!()))
            })
        })
        .collect();
    [
        docs,
        pairs.into_iter().map(|(_, l)| l).collect(),
        clusters.into_iter().map(|(_, l)| l).collect(),
    ]
}

fn assert_both_ways_alike(lines: &[String]) -> Lines {
    let params = params();
    let (analysed, scan) = analyse(lines, &params);
    assert!(analysed.accepted.iter().filter(|&&a| a).count() > 10);
    let components = by_component(&analysed, &scan, &params);
    let driver = on_the_driver(&analysed, scan, &params);
    for (what, (driver, components)) in ["docs", "pairs", "clusters"]
        .iter()
        .zip(driver.iter().zip(&components))
    {
        assert_eq!(driver.len(), components.len(), "{what}");
        for (d, c) in driver.iter().zip(components) {
            assert_eq!(d, c, "{what}");
        }
    }
    driver
}

#[test]
fn components_related_one_by_one_report_the_sample_corpus_as_the_driver_does() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/news.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let [docs, pairs, clusters] = assert_both_ways_alike(&lines);
    assert!(docs.len() == 50 && !pairs.is_empty() && !clusters.is_empty());
    assert!(pairs.iter().any(|p| p.contains(r#""relation":"partial""#)));
}

#[test]
fn components_related_one_by_one_report_a_syndication_corpus_as_the_driver_does() {
    let generator = Generator::new(SynthParams::syndication(3000, 5)).unwrap();
    let mut out = Vec::new();
    report::write_generated(&generator, &mut out, None, 0).unwrap();
    let mut lines: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    // Identical texts under new ids (compared through their leader) and a repeated id.
    let copies: Vec<String> = lines[..40]
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["id"] = format!("exact-{i}").into();
            record.to_string()
        })
        .collect();
    lines.extend(copies);
    lines.push(lines[7].clone());
    let [docs, pairs, clusters] = assert_both_ways_alike(&lines);
    assert!(docs.iter().any(|d| d.contains("duplicate id")));
    assert!(
        pairs
            .iter()
            .filter(|p| p.contains(r#""relation":"partial""#))
            .count()
            > 20
    );
    assert!(clusters.len() > 100);
    assert!(clusters.iter().any(|c| c.contains("exact-")));
}
