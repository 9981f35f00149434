//! Exact duplicates: documents whose texts are the same after normalization, found by a hash
//! of their shingle stream before any pair is compared.
//!
//! Web crawls and news feeds hold large groups of identical texts (cookie walls, error pages,
//! a wire story carried verbatim by hundreds of sites). Comparing every pair of a group costs
//! the square of its size: 2,000 copies are 1,999,000 pairs. Instead each group sends one
//! member, its leader, through candidates, verification and clustering; the others join the
//! leader's cluster afterwards, each with one pair: with the cluster's original.

use std::cmp::Ordering;

use crate::relate::cluster::{Cluster, ClusterReason, MemberInfo, Representative};
use crate::relate::relation::{PairSide, RelatedPair, Verdict};
use crate::verify::VerifiedPair;
use crate::verify::align::Passage;

/// What identifies a document's text, from the first pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextIdentity {
    /// A hash of the shingle stream in order: equal for texts with the same normalized words.
    pub content: u64,
    /// A hash of the text's bytes: equal texts have passages at the same byte offsets.
    pub bytes: u64,
    /// From the first word's start to the last word's end, in bytes.
    pub span: (u32, u32),
    /// Normalized words (characters for character n-grams).
    pub words: u32,
}

/// Documents grouped by identical normalized text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExactGroups {
    /// Per document, the leader of its group (itself for a leader or a document in no
    /// group; `u32::MAX` for a document left out).
    leader: Vec<u32>,
    /// Every group of two or more documents: its members ascending.
    groups: Vec<Vec<u32>>,
    /// Per document, the index of its group in `groups` (`u32::MAX` for none).
    group_index: Vec<u32>,
}

impl ExactGroups {
    /// Groups the `included` documents by `identities[d].content`. A group's leader is the
    /// member a cluster would choose as its original among identical texts: the earliest
    /// dated, then the smallest id.
    pub fn find(
        identities: &[TextIdentity],
        members: &[MemberInfo<'_>],
        included: &[bool],
    ) -> ExactGroups {
        let mut by_content: Vec<(u64, u32)> = identities
            .iter()
            .enumerate()
            .filter(|&(doc, _)| included[doc])
            .map(|(doc, identity)| (identity.content, doc as u32))
            .collect();
        by_content.sort_unstable();
        let mut leader: Vec<u32> = (0..identities.len() as u32)
            .map(|doc| {
                if included[doc as usize] {
                    doc
                } else {
                    u32::MAX
                }
            })
            .collect();
        let mut groups = Vec::new();
        for run in by_content.chunk_by(|x, y| x.0 == y.0) {
            if run.len() < 2 {
                continue;
            }
            let group: Vec<u32> = run.iter().map(|&(_, doc)| doc).collect();
            let best = *group
                .iter()
                .min_by(|&&x, &&y| original_first(&members[x as usize], &members[y as usize]))
                .expect("a group has members");
            for &doc in &group {
                leader[doc as usize] = best;
            }
            groups.push(group);
        }
        groups.sort_unstable_by_key(|g| g[0]);
        let mut group_index = vec![u32::MAX; identities.len()];
        for (index, group) in groups.iter().enumerate() {
            for &doc in group {
                group_index[doc as usize] = index as u32;
            }
        }
        ExactGroups {
            leader,
            groups,
            group_index,
        }
    }

    /// The members of `doc`'s group, when it is in one of two or more.
    pub fn group_of(&self, doc: u32) -> Option<&[u32]> {
        match self.group_index[doc as usize] {
            u32::MAX => None,
            index => Some(&self.groups[index as usize]),
        }
    }

    /// The leader of `doc`'s group (`doc` itself when it is in none).
    pub fn leader(&self, doc: u32) -> u32 {
        self.leader[doc as usize]
    }

    /// Whether `doc` is compared with others: it is included and leads its group, if any.
    pub fn is_leader(&self, doc: u32) -> bool {
        self.leader[doc as usize] == doc
    }

    /// The groups of two or more documents, members ascending, in the order of their first
    /// member.
    pub fn groups(&self) -> &[Vec<u32>] {
        &self.groups
    }

    /// Documents that are not their group's leader.
    pub fn followers(&self) -> usize {
        self.groups.iter().map(|g| g.len() - 1).sum()
    }
}

/// Adds the followers of every exact group to the cluster of its leader (the clusters were
/// built over leaders only), or makes the group a cluster of its own around its leader.
/// Clusters are renumbered in the order of their first member.
pub fn join_exact_groups(
    mut clusters: Vec<Cluster>,
    groups: &ExactGroups,
    members: &[MemberInfo<'_>],
) -> Vec<Cluster> {
    if groups.groups().is_empty() {
        return clusters;
    }
    let mut cluster_of = vec![u32::MAX; members.len()];
    for (index, cluster) in clusters.iter().enumerate() {
        for &doc in &cluster.members {
            cluster_of[doc as usize] = index as u32;
        }
    }
    for group in groups.groups() {
        let leader = groups.leader(group[0]);
        let followers = group.len() - 1;
        match cluster_of[leader as usize] {
            u32::MAX => clusters.push(Cluster {
                id: 0,
                members: group.clone(),
                representative: leader,
                reason: ClusterReason {
                    representative: identical_choice(group, members),
                    split_from: None,
                    identical: followers,
                },
            }),
            index => {
                let cluster = &mut clusters[index as usize];
                cluster
                    .members
                    .extend(group.iter().copied().filter(|&doc| doc != leader));
                cluster.members.sort_unstable();
                cluster.reason.identical += followers;
                // The counts of dated members take in the followers.
                if let Representative::EarliestDate {
                    dated,
                    members: all,
                    ..
                } = &mut cluster.reason.representative
                {
                    *all += followers;
                    *dated += group
                        .iter()
                        .filter(|&&doc| doc != leader && members[doc as usize].date.is_some())
                        .count();
                }
            }
        }
    }
    clusters.sort_by_key(|c| c.members[0]);
    for (id, cluster) in clusters.iter_mut().enumerate() {
        cluster.id = id as u32;
    }
    clusters
}

/// Why the leader of a group of identical texts is its original: the earliest date, or,
/// among members dated alike or undated, any member contains all of the others' text and the
/// smallest id decides.
fn identical_choice(group: &[u32], members: &[MemberInfo<'_>]) -> Representative {
    let dates = || group.iter().filter_map(|&d| members[d as usize].date);
    match dates().min() {
        Some(date) => {
            let tied = dates().filter(|&d| d == date).count();
            if tied == 1 {
                Representative::EarliestDate {
                    date,
                    dated: dates().count(),
                    members: group.len(),
                }
            } else {
                Representative::EarliestAndMostComplete {
                    date,
                    tied,
                    containment: 1.0,
                }
            }
        }
        None => Representative::MostComplete { containment: 1.0 },
    }
}

/// Orders two identical texts so that the one a cluster would pick as its original comes
/// first: dated before undated, earlier before later, then the smaller id.
fn original_first(x: &MemberInfo<'_>, y: &MemberInfo<'_>) -> Ordering {
    let key = |m: &MemberInfo<'_>| (m.date.is_none(), m.date);
    key(x).cmp(&key(y)).then_with(|| x.id.cmp(y.id))
}

/// The pair of two documents with identical normalized text (`x != y`). Its passage, when
/// passages are kept, covers both texts from the first word to the last.
pub fn identical_pair(x: u32, y: u32, identities: &[TextIdentity], passages: bool) -> RelatedPair {
    let (a, b) = (x.min(y), x.max(y));
    let (ia, ib) = (identities[a as usize], identities[b as usize]);
    RelatedPair {
        figures: VerifiedPair {
            a,
            b,
            // Equal texts share every shingle; the count is not kept for followers.
            intersection: ia.words,
            jaccard: 1.0,
            containment_ab: 1.0,
            containment_ba: 1.0,
        },
        verdict: Verdict::Identical,
        shares: (1.0, 1.0),
        passages: passages.then(|| {
            vec![Passage {
                a_start: ia.span.0,
                a_end: ia.span.1,
                b_start: ib.span.0,
                b_end: ib.span.1,
                words: ia.words,
                b_words: ib.words,
            }]
        }),
        direction: None,
    }
}

/// `pair` with its document `leader` replaced by `twin`, a document with the same bytes:
/// the same figures and passages, the sides swapped when `twin` falls on the other side of
/// the partner in input order.
pub fn twin_pair(pair: &RelatedPair, leader: u32, twin: u32) -> RelatedPair {
    let leader_side = if pair.figures.a == leader {
        PairSide::A
    } else {
        PairSide::B
    };
    let partner = match leader_side {
        PairSide::A => pair.figures.b,
        PairSide::B => pair.figures.a,
    };
    let mut twin_pair = pair.clone();
    twin_pair.direction = None;
    match leader_side {
        PairSide::A => twin_pair.figures.a = twin,
        PairSide::B => twin_pair.figures.b = twin,
    }
    if (twin < partner) != (leader_side == PairSide::A) {
        twin_pair = swapped(twin_pair);
    }
    twin_pair
}

/// A pair with its documents in the other order.
fn swapped(pair: RelatedPair) -> RelatedPair {
    let figures = pair.figures;
    RelatedPair {
        figures: VerifiedPair {
            a: figures.b,
            b: figures.a,
            intersection: figures.intersection,
            jaccard: figures.jaccard,
            containment_ab: figures.containment_ba,
            containment_ba: figures.containment_ab,
        },
        verdict: pair.verdict.swapped(),
        shares: (pair.shares.1, pair.shares.0),
        passages: pair.passages.map(|passages| {
            let mut passages: Vec<Passage> = passages
                .into_iter()
                .map(|p| Passage {
                    a_start: p.b_start,
                    a_end: p.b_end,
                    b_start: p.a_start,
                    b_end: p.a_end,
                    words: p.b_words,
                    b_words: p.words,
                })
                .collect();
            passages.sort_by_key(|p| (p.a_start, p.b_start));
            passages
        }),
        direction: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::relation::Relation;

    fn identity(content: u64, span: (u32, u32), words: u32) -> TextIdentity {
        TextIdentity {
            content,
            bytes: content,
            span,
            words,
        }
    }

    #[test]
    fn groups_lead_with_the_member_a_cluster_would_pick() {
        let identities = [
            identity(7, (0, 10), 5),
            identity(9, (0, 10), 5),
            identity(7, (2, 12), 5),
            identity(7, (0, 10), 5),
            identity(9, (0, 10), 5),
            identity(3, (0, 10), 5),
        ];
        let members = [
            MemberInfo {
                id: "late",
                date: Some(200),
                shingles: 1,
            },
            MemberInfo {
                id: "b",
                date: None,
                shingles: 1,
            },
            MemberInfo {
                id: "early",
                date: Some(100),
                shingles: 1,
            },
            MemberInfo {
                id: "undated",
                date: None,
                shingles: 1,
            },
            MemberInfo {
                id: "a",
                date: None,
                shingles: 1,
            },
            MemberInfo {
                id: "alone",
                date: None,
                shingles: 1,
            },
        ];
        let included = [true, true, true, true, true, true];
        let groups = ExactGroups::find(&identities, &members, &included);
        assert_eq!(groups.groups(), &[vec![0, 2, 3], vec![1, 4]]);
        assert_eq!((groups.leader(0), groups.leader(3)), (2, 2));
        assert_eq!((groups.leader(1), groups.leader(4)), (4, 4));
        assert!(groups.is_leader(5) && groups.is_leader(2) && !groups.is_leader(0));
        assert_eq!(groups.followers(), 3);
        assert_eq!(groups.group_of(4), Some(&[1, 4][..]));
        assert_eq!(groups.group_of(5), None);
        let without_early = [true, true, false, true, true, true];
        let groups = ExactGroups::find(&identities, &members, &without_early);
        assert_eq!(groups.leader(3), 0, "a dated member leads an undated one");
        assert_eq!(groups.leader(2), u32::MAX);
    }

    #[test]
    fn followers_join_their_leaders_cluster_or_form_their_own() {
        let identities = [
            identity(1, (0, 9), 5),
            identity(2, (0, 9), 5),
            identity(1, (0, 9), 5),
            identity(3, (0, 9), 5),
            identity(3, (0, 9), 5),
            identity(4, (0, 9), 5),
        ];
        let members: Vec<MemberInfo> = ["a", "b", "c", "d", "e", "f"]
            .into_iter()
            .map(|id| MemberInfo {
                id,
                date: None,
                shingles: 5,
            })
            .collect();
        let groups = ExactGroups::find(&identities, &members, &[true; 6]);
        // Over leaders only, 0 and 5 were found to be copies.
        let leaders_cluster = Cluster {
            id: 0,
            members: vec![0, 5],
            representative: 5,
            reason: ClusterReason {
                representative: Representative::MostComplete { containment: 0.9 },
                split_from: None,
                identical: 0,
            },
        };
        let clusters = join_exact_groups(vec![leaders_cluster], &groups, &members);
        assert_eq!(clusters.len(), 2);
        assert_eq!((clusters[0].id, &clusters[0].members), (0, &vec![0, 2, 5]));
        assert_eq!(clusters[0].representative, 5);
        assert_eq!(clusters[0].reason.identical, 1);
        assert_eq!((clusters[1].id, &clusters[1].members), (1, &vec![3, 4]));
        assert_eq!(clusters[1].representative, 3);
        assert!(
            clusters[1].reason.to_string().ends_with(
                "1 member has the same main text as another member and was counted once"
            )
        );
    }

    #[test]
    fn identical_pairs_span_each_text() {
        let identities = [identity(1, (3, 40), 7), identity(1, (0, 37), 7)];
        let pair = identical_pair(1, 0, &identities, true);
        assert_eq!((pair.figures.a, pair.figures.b), (0, 1));
        assert_eq!(pair.relation(), Relation::Copy);
        let passage = pair.passages.unwrap()[0];
        assert_eq!(
            (
                passage.a_start,
                passage.a_end,
                passage.b_start,
                passage.b_end
            ),
            (3, 40, 0, 37)
        );
        assert!(identical_pair(0, 1, &identities, false).passages.is_none());
    }

    #[test]
    fn a_twin_takes_the_leaders_place_on_the_right_side() {
        let pair = RelatedPair {
            figures: VerifiedPair {
                a: 2,
                b: 5,
                intersection: 10,
                jaccard: 0.4,
                containment_ab: 0.9,
                containment_ba: 0.3,
            },
            verdict: Verdict::SharedPassage {
                longest: 30,
                partial_words: 20,
                shares: (0.9, 0.3),
                shorter: PairSide::A,
                copy_share: 0.7,
            },
            shares: (0.9, 0.3),
            passages: Some(vec![Passage {
                a_start: 0,
                a_end: 50,
                b_start: 100,
                b_end: 150,
                words: 9,
                b_words: 8,
            }]),
            direction: None,
        };
        // The leader 2 replaced by 1: still before the partner 5.
        let same_side = twin_pair(&pair, 2, 1);
        assert_eq!((same_side.figures.a, same_side.figures.b), (1, 5));
        assert_eq!(same_side.shares, (0.9, 0.3));
        // By 7: now after it, so every figure changes sides.
        let other_side = twin_pair(&pair, 2, 7);
        assert_eq!((other_side.figures.a, other_side.figures.b), (5, 7));
        assert_eq!(other_side.figures.containment_ab, 0.3);
        assert_eq!(other_side.shares, (0.3, 0.9));
        let passage = other_side.passages.as_ref().unwrap()[0];
        assert_eq!((passage.a_start, passage.b_start), (100, 0));
        assert_eq!((passage.words, passage.b_words), (8, 9));
        assert!(matches!(
            other_side.verdict,
            Verdict::SharedPassage {
                shorter: PairSide::B,
                shares: (0.3, 0.9),
                ..
            }
        ));
        // The partner replaced works the same way.
        let partner_twin = twin_pair(&pair, 5, 0);
        assert_eq!((partner_twin.figures.a, partner_twin.figures.b), (0, 2));
        assert_eq!(partner_twin.shares, (0.3, 0.9));
    }
}
