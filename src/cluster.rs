//! Clustering: verified pairs are joined by a serial union-find into groups of documents that
//! reuse each other's wording, and each group gets a representative, the likely original.

use crate::corpus::format_date;
use crate::verify::VerifiedPair;

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
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Cluster number: clusters are numbered from 0 in the input order of their first member.
    pub id: u32,
    /// Member documents by corpus index, ascending.
    pub members: Vec<u32>,
    /// The likely original.
    pub representative: u32,
    /// Why the representative was chosen, in words.
    pub reason: String,
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

/// Groups documents connected by `pairs` (sorted by `(a, b)`) and picks representatives.
/// Documents in no pair belong to no cluster.
pub fn build_clusters(members: &[MemberInfo<'_>], pairs: &[VerifiedPair]) -> Vec<Cluster> {
    let mut sets = UnionFind::new(members.len());
    for pair in pairs {
        sets.union(pair.a, pair.b);
    }
    // Collect members per root, visiting documents in input order so each list is sorted
    // and clusters come out ordered by their first member.
    let mut root_to_cluster = vec![u32::MAX; members.len()];
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut in_pair = vec![false; members.len()];
    for pair in pairs {
        in_pair[pair.a as usize] = true;
        in_pair[pair.b as usize] = true;
    }
    for doc in 0..members.len() as u32 {
        if !in_pair[doc as usize] {
            continue;
        }
        let root = sets.find(doc) as usize;
        if root_to_cluster[root] == u32::MAX {
            root_to_cluster[root] = groups.len() as u32;
            groups.push(Vec::new());
        }
        groups[root_to_cluster[root] as usize].push(doc);
    }
    let mut pairs_of_cluster: Vec<Vec<&VerifiedPair>> = vec![Vec::new(); groups.len()];
    for pair in pairs {
        let root = sets.find(pair.a) as usize;
        pairs_of_cluster[root_to_cluster[root] as usize].push(pair);
    }
    groups
        .into_iter()
        .zip(pairs_of_cluster)
        .enumerate()
        .map(|(id, (group, group_pairs))| {
            let (representative, reason) = choose_representative(&group, &group_pairs, members);
            Cluster {
                id: id as u32,
                members: group,
                representative,
                reason,
            }
        })
        .collect()
}

/// The earliest dated member is the original; without dates (or among members dated alike)
/// the most complete member is: the one that contains the largest share of the others' text.
fn choose_representative(
    group: &[u32],
    pairs: &[&VerifiedPair],
    members: &[MemberInfo],
) -> (u32, String) {
    let earliest = group.iter().filter_map(|&d| members[d as usize].date).min();
    let pool: Vec<u32> = match earliest {
        Some(date) => group
            .iter()
            .copied()
            .filter(|&d| members[d as usize].date == Some(date))
            .collect(),
        None => group.to_vec(),
    };
    let completeness = |doc: u32| -> f64 {
        // Mean share of each other member's shingles found in `doc`; unverified pairs count 0.
        let contained: f64 = pairs
            .iter()
            .map(|p| {
                if p.a == doc {
                    p.containment_ba
                } else if p.b == doc {
                    p.containment_ab
                } else {
                    0.0
                }
            })
            .sum();
        contained / (group.len() - 1).max(1) as f64
    };
    let best = pool
        .iter()
        .copied()
        .max_by(|&x, &y| {
            let (mx, my) = (&members[x as usize], &members[y as usize]);
            completeness(x)
                .total_cmp(&completeness(y))
                .then(mx.shingles.cmp(&my.shingles))
                .then(my.id.cmp(mx.id))
        })
        .expect("a cluster has members");
    let dated = group
        .iter()
        .filter(|&&d| members[d as usize].date.is_some())
        .count();
    let reason = match earliest {
        Some(date) if pool.len() == 1 => format!(
            "earliest date {} ({dated} of {} members dated)",
            format_date(date),
            group.len()
        ),
        Some(date) => format!(
            "earliest date {} shared by {} members; of those, contains the most of the others' text (mean containment {:.2})",
            format_date(date),
            pool.len(),
            completeness(best)
        ),
        None => format!(
            "no dates; most complete member: contains on average {:.2} of the other members' text",
            completeness(best)
        ),
    };
    (best, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, date: Option<i64>, shingles: u32) -> MemberInfo<'_> {
        MemberInfo { id, date, shingles }
    }

    fn pair(a: u32, b: u32, containment_ab: f64, containment_ba: f64) -> VerifiedPair {
        VerifiedPair {
            a,
            b,
            intersection: 0,
            jaccard: 0.6,
            containment_ab,
            containment_ba,
        }
    }

    #[test]
    fn transitive_pairs_form_one_cluster_in_input_order() {
        let ids: Vec<String> = (0..6).map(|i| format!("d{i}")).collect();
        let members: Vec<MemberInfo> = ids.iter().map(|id| member(id, None, 10)).collect();
        let clusters = build_clusters(
            &members,
            &[
                pair(1, 4, 0.9, 0.9),
                pair(2, 3, 0.9, 0.9),
                pair(3, 4, 0.9, 0.9),
            ],
        );
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].members, vec![1, 2, 3, 4]);
        let clusters = build_clusters(&members, &[pair(0, 5, 0.9, 0.9), pair(2, 3, 0.9, 0.9)]);
        assert_eq!(
            clusters
                .iter()
                .map(|c| c.members.clone())
                .collect::<Vec<_>>(),
            vec![vec![0, 5], vec![2, 3]]
        );
    }

    #[test]
    fn earliest_date_wins() {
        let members = vec![
            member("a", Some(200), 10),
            member("b", Some(100), 5),
            member("c", None, 50),
        ];
        let clusters = build_clusters(&members, &[pair(0, 1, 0.5, 0.9), pair(0, 2, 0.5, 0.9)]);
        assert_eq!(clusters[0].representative, 1);
        assert_eq!(
            clusters[0].reason,
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
        let clusters = build_clusters(&members, &[pair(0, 1, 1.0, 0.5), pair(1, 2, 0.85, 0.95)]);
        assert_eq!(clusters[0].representative, 1);
        assert_eq!(
            clusters[0].reason,
            "no dates; most complete member: contains on average 0.97 of the other members' text"
        );
    }

    #[test]
    fn ties_break_by_id_not_position() {
        let forward = vec![member("x", None, 10), member("y", None, 10)];
        let backward = vec![member("y", None, 10), member("x", None, 10)];
        let pairs = [pair(0, 1, 1.0, 1.0)];
        let pick = |members: &[MemberInfo]| {
            let cluster = &build_clusters(members, &pairs)[0];
            members[cluster.representative as usize].id.to_string()
        };
        assert_eq!(pick(&forward), "x");
        assert_eq!(pick(&backward), "x");
    }
}
