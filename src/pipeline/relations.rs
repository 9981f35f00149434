//! Bookkeeping once pairs are related: cluster membership, who took from whom, and each
//! document's list of reuses.

use super::*;
use crate::relate::cluster::Cluster;
use crate::relate::relation::{PairSide, RelatedPair, Relation};
use crate::relate::{Direction, Side, direction};
use rayon::prelude::*;

/// Looks up the related pair of documents `x` and `y` in pairs sorted by `(a, b)`.
pub(super) fn find_pair(pairs: &[RelatedPair], x: u32, y: u32) -> Option<&RelatedPair> {
    let key = (x.min(y), x.max(y));
    pairs
        .binary_search_by(|p| (p.figures.a, p.figures.b).cmp(&key))
        .ok()
        .map(|i| &pairs[i])
}

pub(super) fn assign_clusters(
    docs: &mut [DocOutcome],
    clusters: &[Cluster],
    pairs: &[RelatedPair],
) {
    for cluster in clusters {
        let rep = cluster.representative;
        for &member in &cluster.members {
            let doc = &mut docs[member as usize];
            doc.cluster = Some(cluster.id);
            if member == rep {
                doc.status = DocStatus::Original;
                continue;
            }
            doc.status = DocStatus::Duplicate;
            doc.duplicate_of = Some(rep);
            // Every member is linked to its representative directly (no chaining).
            doc.similarity = find_pair(pairs, member, rep).map(|p| p.figures.jaccard);
        }
    }
}

/// Decides for every pair which document the text came from: a cluster's representative for
/// pairs with it, otherwise by date or, without dates, by the shape of the overlap.
pub(super) fn orient_pairs(pairs: &mut [RelatedPair], docs: &[DocOutcome], clusters: &[Cluster]) {
    pairs.par_iter_mut().for_each(|pair| {
        let (a, b) = (pair.figures.a, pair.figures.b);
        let (doc_a, doc_b) = (&docs[a as usize], &docs[b as usize]);
        let same_cluster = doc_a.cluster.is_some() && doc_a.cluster == doc_b.cluster;
        if same_cluster && pair.relation() == Relation::Copy {
            let cluster = &clusters[doc_a.cluster.expect("in a cluster") as usize];
            let rep = cluster.representative;
            if rep == a || rep == b {
                pair.direction = Some(Direction::ClusterOriginal {
                    cluster: cluster.id,
                    original: if rep == a { PairSide::A } else { PairSide::B },
                });
                return;
            }
        }
        let side = |doc: &DocOutcome, share: f64| Side {
            date: doc.date,
            share,
        };
        pair.direction = Some(direction(
            pair.relation(),
            side(doc_a, pair.shares.0),
            side(doc_b, pair.shares.1),
        ));
    });
}

/// Fills each document's `reuses`: its representative for a duplicate, every source of
/// partial reuse, and any copy source outside its own cluster. Text reused from a cluster is
/// listed once, from its original (or, when no pair with the original has a direction, from
/// the member it shares most with): the copies of a story all hold the same passage.
pub(super) fn record_reuses(docs: &mut [DocOutcome], pairs: &[RelatedPair], clusters: &[Cluster]) {
    for pair in pairs {
        let Some(from) = pair.from() else { continue };
        let (a, b) = (pair.figures.a, pair.figures.b);
        let (borrower, share) = if from == a {
            (b, pair.shares.1)
        } else {
            (a, pair.shares.0)
        };
        let (doc, source) = (&docs[borrower as usize], &docs[from as usize]);
        let listed = match pair.relation() {
            Relation::Partial => true,
            Relation::Copy => {
                doc.duplicate_of == Some(from)
                    || doc.cluster.is_none()
                    || doc.cluster != source.cluster
            }
            Relation::None => false,
        };
        if listed {
            docs[borrower as usize].reuses.push(Reuse {
                from,
                relation: pair.relation(),
                share,
            });
        }
    }
    let cluster_of: Vec<Option<u32>> = docs.iter().map(|d| d.cluster).collect();
    for doc in docs.iter_mut() {
        if doc.reuses.len() > 1 {
            doc.reuses = one_per_cluster(std::mem::take(&mut doc.reuses), &cluster_of, clusters);
        }
    }
}

/// Keeps, among partial reuses of members of one cluster, only the one from its original, or
/// else the largest; sorts the result by relation, then source.
pub(super) fn one_per_cluster(
    mut reuses: Vec<Reuse>,
    cluster_of: &[Option<u32>],
    clusters: &[Cluster],
) -> Vec<Reuse> {
    let rank = |r: &Reuse| {
        let group = match (r.relation, cluster_of[r.from as usize]) {
            (Relation::Partial, Some(c)) => Some(c),
            _ => None,
        };
        let is_rep = group.is_some_and(|c| clusters[c as usize].representative == r.from);
        (
            r.relation,
            group.map_or(r.from, |c| c),
            group.is_none(),
            !is_rep,
        )
    };
    reuses.sort_by(|x, y| {
        rank(x)
            .cmp(&rank(y))
            .then(y.share.total_cmp(&x.share))
            .then(x.from.cmp(&y.from))
    });
    reuses.dedup_by(|later, kept| {
        let (l, k) = (rank(later), rank(kept));
        l.0 == k.0 && l.1 == k.1 && !l.2 && !k.2
    });
    reuses.sort_by_key(|r| (r.relation, r.from));
    reuses
}
