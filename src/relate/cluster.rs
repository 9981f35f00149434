//! Clustering: verified pairs are joined by a serial union-find into groups of documents that
//! reuse each other's wording, and each group gets a representative, the likely original.

use crate::date::format_date;
use crate::relate::relation::{RelatedPair, Relation};

/// What the cluster stage needs to know about each document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInfo<'a> {
    /// The document id (the last tie-breaker, so the choice never depends on input order).
    pub id: &'a str,
    /// Publication time, seconds since the epoch.
    pub date: Option<i64>,
    /// Size of the document's shingle set.
    pub shingles: u32,
}

/// A group of near-duplicate documents.
// Serialized only to carry one connected component's clusters between two steps of an
// engine that relates each component on a worker of its own (`pipeline::sharded`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cluster {
    /// Cluster number: clusters are numbered from 0 in the input order of their first member.
    pub id: u32,
    /// Member documents by corpus index, ascending.
    pub members: Vec<u32>,
    /// The likely original.
    pub representative: u32,
    /// Why the representative was chosen.
    pub reason: ClusterReason,
}

/// Why a member represents its cluster, with the figures.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Representative {
    /// The only member with the earliest date.
    EarliestDate {
        /// That date, seconds since the epoch.
        date: i64,
        /// Members with a date.
        dated: usize,
        /// Members in all.
        members: usize,
    },
    /// Among the members sharing the earliest date, the one that contains the most of the
    /// others' text.
    EarliestAndMostComplete {
        /// The shared date, seconds since the epoch.
        date: i64,
        /// Members with that date.
        tied: usize,
        /// Its mean containment of the other members' shingles.
        containment: f64,
    },
    /// No dates: the member that contains the most of the others' text.
    MostComplete {
        /// Its mean containment of the other members' shingles.
        containment: f64,
    },
}

/// Why a cluster's representative was chosen, and whether the cluster was split from a
/// larger group linked through copies.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClusterReason {
    /// How the representative was chosen.
    pub representative: Representative,
    /// The size of the connected group this cluster was split from, when it was split.
    pub split_from: Option<usize>,
    /// Members whose text is identical to another member's after normalization: they were
    /// counted once, through that member, in choosing the original.
    pub identical: usize,
}

impl std::fmt::Display for ClusterReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.representative {
            Representative::EarliestDate {
                date,
                dated,
                members,
            } => write!(
                f,
                "earliest date {} ({dated} of {members} members dated)",
                format_date(date)
            )?,
            Representative::EarliestAndMostComplete {
                date,
                tied,
                containment,
            } => write!(
                f,
                "earliest date {} shared by {tied} members; of those, contains the most of the others' text (mean containment {containment:.2})",
                format_date(date)
            )?,
            Representative::MostComplete { containment } => write!(
                f,
                "no dates; most complete member: contains on average {containment:.2} of the other members' text"
            )?,
        }
        if let Some(group) = self.split_from {
            write!(
                f,
                "; split from {group} documents linked through copies, as members must be copies of the original (no chaining)"
            )?;
        }
        match self.identical {
            0 => {}
            1 => f.write_str(
                "; 1 member has the same main text as another member and was counted once",
            )?,
            n => write!(
                f,
                "; {n} members have the same main text as another member and were counted once"
            )?,
        }
        Ok(())
    }
}

/// Disjoint sets over document indices with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The root of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Joins the sets of `x` and `y`.
    pub fn union(&mut self, x: u32, y: u32) {
        let (mut rx, mut ry) = (self.find(x), self.find(y));
        if rx == ry {
            return;
        }
        if self.size[rx as usize] < self.size[ry as usize] {
            std::mem::swap(&mut rx, &mut ry);
        }
        self.parent[ry as usize] = rx;
        self.size[rx as usize] += self.size[ry as usize];
    }
}

/// Groups documents into copy clusters and picks representatives. Only `copy` pairs (and,
/// with a `floor`, pairs with at least that exact Jaccard) link documents; `pairs` are sorted
/// by `(a, b)`. Documents in no cluster belong to none.
///
/// No chaining: within each group connected by copy links, the representative is chosen
/// first, and only members linked to it directly stay in its cluster. The rest form clusters
/// of their own the same way, so A ~ B and B ~ C never put A and C together unless A ~ C.
pub fn build_clusters(
    members: &[MemberInfo<'_>],
    pairs: &[RelatedPair],
    floor: Option<f64>,
) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = connected_groups(members.len(), pairs, floor)
        .into_iter()
        .flat_map(|(group, group_pairs)| split_group(group, &group_pairs, members))
        .collect();
    clusters.sort_by_key(|c| c.members[0]);
    for (id, cluster) in clusters.iter_mut().enumerate() {
        cluster.id = id as u32;
    }
    clusters
}

/// The pairs of documents that the clustering would need but that were never compared
/// (`compared` says which were): in each group linked through copies, every member with the
/// representative the whole group would get. A group linked through one of its members (the
/// candidates of a huge band bucket pair its documents with the bucket's first only), or
/// through a pair that LSH missed, keeps together once these are verified, instead of
/// splitting for want of a direct link. Sorted, each `(a, b)` with `a < b`.
pub fn unverified_links(
    members: &[MemberInfo<'_>],
    pairs: &[RelatedPair],
    floor: Option<f64>,
    compared: impl Fn(u32, u32) -> bool,
) -> Vec<(u32, u32)> {
    let mut missing = Vec::new();
    for (group, group_pairs) in connected_groups(members.len(), pairs, floor) {
        let representative = choose_representative(&group, &group_pairs, members);
        for &doc in &group {
            let link = (doc.min(representative), doc.max(representative));
            if doc != representative && !compared(link.0, link.1) {
                missing.push(link);
            }
        }
    }
    missing.sort_unstable();
    missing
}

/// The groups of documents connected through linking pairs (copies, and pairs at or above
/// the floor), members ascending and groups in the order of their first member, each with its
/// linking pairs.
fn connected_groups(
    documents: usize,
    pairs: &[RelatedPair],
    floor: Option<f64>,
) -> Vec<(Vec<u32>, Vec<&RelatedPair>)> {
    let links = |p: &RelatedPair| {
        p.relation() == Relation::Copy || floor.is_some_and(|f| p.figures.jaccard >= f)
    };
    let mut sets = UnionFind::new(documents);
    let mut linked = vec![false; documents];
    for pair in pairs.iter().filter(|p| links(p)) {
        sets.union(pair.figures.a, pair.figures.b);
        linked[pair.figures.a as usize] = true;
        linked[pair.figures.b as usize] = true;
    }
    let mut root_to_group = vec![u32::MAX; documents];
    let mut groups: Vec<(Vec<u32>, Vec<&RelatedPair>)> = Vec::new();
    for doc in 0..documents as u32 {
        if !linked[doc as usize] {
            continue;
        }
        let root = sets.find(doc) as usize;
        if root_to_group[root] == u32::MAX {
            root_to_group[root] = groups.len() as u32;
            groups.push((Vec::new(), Vec::new()));
        }
        groups[root_to_group[root] as usize].0.push(doc);
    }
    for pair in pairs.iter().filter(|p| links(p)) {
        let root = sets.find(pair.figures.a) as usize;
        groups[root_to_group[root] as usize].1.push(pair);
    }
    groups
}

/// The pairs whose two documents are both in `docs` (sorted).
fn pairs_among<'a>(pairs: &[&'a RelatedPair], docs: &[u32]) -> Vec<&'a RelatedPair> {
    pairs
        .iter()
        .copied()
        .filter(|p| {
            docs.binary_search(&p.figures.a).is_ok() && docs.binary_search(&p.figures.b).is_ok()
        })
        .collect()
}

/// Splits one connected group into clusters whose members each link to the representative.
fn split_group(
    mut remaining: Vec<u32>,
    pairs: &[&RelatedPair],
    members: &[MemberInfo],
) -> Vec<Cluster> {
    let links: ahash::AHashSet<(u32, u32)> =
        pairs.iter().map(|p| (p.figures.a, p.figures.b)).collect();
    let linked_to = |x: u32, y: u32| links.contains(&(x.min(y), x.max(y)));
    let group_size = remaining.len();
    let mut clusters = Vec::new();
    while remaining.len() > 1 {
        let pool_pairs = pairs_among(pairs, &remaining);
        let representative = choose_representative(&remaining, &pool_pairs, members);
        let (cluster, rest): (Vec<u32>, Vec<u32>) = remaining
            .iter()
            .partition(|&&d| d == representative || linked_to(d, representative));
        if cluster.len() > 1 {
            let cluster_pairs = pairs_among(&pool_pairs, &cluster);
            let reason = ClusterReason {
                representative: describe_choice(representative, &cluster, &cluster_pairs, members),
                split_from: (group_size > cluster.len()).then_some(group_size),
                identical: 0,
            };
            clusters.push(Cluster {
                id: 0,
                members: cluster,
                representative,
                reason,
            });
        }
        remaining = rest;
    }
    clusters
}

/// The earliest dated member is the original; without dates (or among members dated alike)
/// the most complete member is: the one that contains the largest share of the others' text.
fn choose_representative(group: &[u32], pairs: &[&RelatedPair], members: &[MemberInfo]) -> u32 {
    let (_, pool) = earliest_pool(group, members);
    pool.iter()
        .copied()
        .max_by(|&x, &y| {
            let (mx, my) = (&members[x as usize], &members[y as usize]);
            completeness(x, group, pairs)
                .total_cmp(&completeness(y, group, pairs))
                .then(mx.shingles.cmp(&my.shingles))
                .then(my.id.cmp(mx.id))
        })
        .expect("a cluster has members")
}

/// The earliest date in `group` and the members that have it (everyone without dates).
fn earliest_pool(group: &[u32], members: &[MemberInfo]) -> (Option<i64>, Vec<u32>) {
    let earliest = group.iter().filter_map(|&d| members[d as usize].date).min();
    let pool = match earliest {
        Some(date) => group
            .iter()
            .copied()
            .filter(|&d| members[d as usize].date == Some(date))
            .collect(),
        None => group.to_vec(),
    };
    (earliest, pool)
}

/// Mean share of each other member's shingles found in `doc`; pairs not linked count 0.
fn completeness(doc: u32, group: &[u32], pairs: &[&RelatedPair]) -> f64 {
    let contained: f64 = pairs
        .iter()
        .map(|p| {
            if p.figures.a == doc {
                p.figures.containment_ba
            } else if p.figures.b == doc {
                p.figures.containment_ab
            } else {
                0.0
            }
        })
        .sum();
    contained / (group.len() - 1).max(1) as f64
}

/// Why `best` represents the cluster `group`.
fn describe_choice(
    best: u32,
    group: &[u32],
    pairs: &[&RelatedPair],
    members: &[MemberInfo],
) -> Representative {
    let (earliest, pool) = earliest_pool(group, members);
    let dated = group
        .iter()
        .filter(|&&d| members[d as usize].date.is_some())
        .count();
    match earliest {
        Some(date) if pool.len() == 1 => Representative::EarliestDate {
            date,
            dated,
            members: group.len(),
        },
        Some(date) => Representative::EarliestAndMostComplete {
            date,
            tied: pool.len(),
            containment: completeness(best, group, pairs),
        },
        None => Representative::MostComplete {
            containment: completeness(best, group, pairs),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::relation::{PairSide, Verdict};
    use crate::verify::VerifiedPair;

    fn member(id: &str, date: Option<i64>, shingles: u32) -> MemberInfo<'_> {
        MemberInfo { id, date, shingles }
    }

    fn related(a: u32, b: u32, jaccard: f64, relation: Relation) -> RelatedPair {
        RelatedPair {
            figures: VerifiedPair {
                a,
                b,
                intersection: 0,
                jaccard,
                containment_ab: jaccard,
                containment_ba: jaccard,
            },
            verdict: verdict_for(relation, jaccard),
            shares: (jaccard, jaccard),
            passages: None,
            direction: None,
        }
    }

    /// A verdict that decides `relation`, as the rule would for such a pair.
    fn verdict_for(relation: Relation, jaccard: f64) -> Verdict {
        match relation {
            Relation::Copy => Verdict::AboveThreshold {
                jaccard,
                threshold: 0.5,
            },
            Relation::Partial => Verdict::SharedPassage {
                longest: 30,
                partial_words: 20,
                shares: (jaccard, jaccard),
                shorter: PairSide::A,
                copy_share: 0.7,
            },
            Relation::None => Verdict::NotAligned {
                jaccard,
                threshold: 0.5,
            },
        }
    }

    fn pair(a: u32, b: u32, containment_ab: f64, containment_ba: f64) -> RelatedPair {
        let mut pair = related(a, b, 0.6, Relation::Copy);
        pair.figures.containment_ab = containment_ab;
        pair.figures.containment_ba = containment_ba;
        pair
    }

    fn member_lists(clusters: &[Cluster]) -> Vec<Vec<u32>> {
        clusters.iter().map(|c| c.members.clone()).collect()
    }

    #[test]
    fn linked_documents_form_clusters_in_input_order() {
        let ids: Vec<String> = (0..6).map(|i| format!("d{i}")).collect();
        let members: Vec<MemberInfo> = ids.iter().map(|id| member(id, None, 10)).collect();
        let all_linked = [
            pair(1, 3, 0.9, 0.9),
            pair(1, 4, 0.9, 0.9),
            pair(3, 4, 0.9, 0.9),
        ];
        assert_eq!(
            member_lists(&build_clusters(&members, &all_linked, None)),
            vec![vec![1, 3, 4]]
        );
        let two = [pair(0, 5, 0.9, 0.9), pair(2, 3, 0.9, 0.9)];
        assert_eq!(
            member_lists(&build_clusters(&members, &two, None)),
            vec![vec![0, 5], vec![2, 3]]
        );
    }

    #[test]
    fn a_chain_of_edits_is_split_at_the_representative() {
        // v0 -> v1 -> v2 -> v3, each a copy of the previous only; v0 is the earliest.
        let members: Vec<MemberInfo> = ["v0", "v1", "v2", "v3"]
            .iter()
            .enumerate()
            .map(|(i, id)| member(id, Some(i as i64), 10))
            .collect();
        let chain = [
            pair(0, 1, 0.9, 0.9),
            pair(1, 2, 0.9, 0.9),
            pair(2, 3, 0.9, 0.9),
        ];
        let clusters = build_clusters(&members, &chain, None);
        assert_eq!(member_lists(&clusters), vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(
            (clusters[0].representative, clusters[1].representative),
            (0, 2)
        );
        assert_eq!((clusters[0].id, clusters[1].id), (0, 1));
    }

    #[test]
    fn partial_pairs_never_join_and_the_floor_admits_similar_members() {
        let members: Vec<MemberInfo> = ["x", "y", "z"]
            .iter()
            .enumerate()
            .map(|(i, id)| member(id, Some(i as i64), 10))
            .collect();
        let pairs = [
            related(0, 1, 0.6, Relation::Copy),
            related(0, 2, 0.35, Relation::None),
            related(1, 2, 0.2, Relation::Partial),
        ];
        assert_eq!(
            member_lists(&build_clusters(&members, &pairs, None)),
            vec![vec![0, 1]]
        );
        assert_eq!(
            member_lists(&build_clusters(&members, &pairs, Some(0.3))),
            vec![vec![0, 1, 2]]
        );
    }

    #[test]
    fn earliest_date_wins() {
        let members = vec![
            member("a", Some(200), 10),
            member("b", Some(100), 5),
            member("c", None, 50),
        ];
        let clusters = build_clusters(
            &members,
            &[
                pair(0, 1, 0.5, 0.9),
                pair(0, 2, 0.5, 0.9),
                pair(1, 2, 0.5, 0.9),
            ],
            None,
        );
        assert_eq!(clusters[0].representative, 1);
        assert_eq!(
            clusters[0].reason.to_string(),
            "earliest date 1970-01-01T00:01:40Z (2 of 3 members dated)"
        );
    }

    #[test]
    fn without_dates_the_most_complete_member_wins() {
        // Document 1 contains all of 0 (a truncated copy) and 2.
        let members = vec![
            member("a", None, 50),
            member("b", None, 100),
            member("c", None, 90),
        ];
        let clusters = build_clusters(
            &members,
            &[pair(0, 1, 1.0, 0.5), pair(1, 2, 0.85, 0.95)],
            None,
        );
        assert_eq!(clusters[0].representative, 1);
        assert_eq!(
            clusters[0].reason.to_string(),
            "no dates; most complete member: contains on average 0.97 of the other members' text"
        );
    }

    #[test]
    fn links_to_the_representative_that_were_never_compared_are_listed() {
        // A star from a huge bucket: 0 was compared with everyone, and 2 is the earliest.
        let members: Vec<MemberInfo> = ["s", "t", "u", "v", "w"]
            .iter()
            .enumerate()
            .map(|(i, id)| member(id, Some(if i == 2 { 1 } else { 10 + i as i64 }), 10))
            .collect();
        let star = [
            pair(0, 1, 0.9, 0.9),
            pair(0, 2, 0.9, 0.9),
            pair(0, 3, 0.9, 0.9),
        ];
        let compared = |a: u32, b: u32| a == 0 || (a, b) == (1, 2);
        assert_eq!(
            unverified_links(&members, &star, None, compared),
            vec![(2, 3)],
            "(0, 2) and (1, 2) were compared; 4 is in no group"
        );
        // Once the missing link is verified, the group stays one cluster around 2, less 1,
        // whose comparison with 2 found no copy.
        let mut verified = star.to_vec();
        verified.push(pair(2, 3, 0.9, 0.9));
        verified.sort_by_key(|p| (p.figures.a, p.figures.b));
        let clusters = build_clusters(&members, &verified, None);
        assert_eq!(member_lists(&clusters), vec![vec![0, 2, 3]]);
        assert_eq!(clusters[0].representative, 2);
    }

    #[test]
    fn ties_break_by_id_not_position() {
        let forward = vec![member("x", None, 10), member("y", None, 10)];
        let backward = vec![member("y", None, 10), member("x", None, 10)];
        let pairs = [pair(0, 1, 1.0, 1.0)];
        let pick = |members: &[MemberInfo]| {
            let cluster = &build_clusters(members, &pairs, None)[0];
            members[cluster.representative as usize].id.to_string()
        };
        assert_eq!(pick(&forward), "x");
        assert_eq!(pick(&backward), "x");
    }
}
