//! Keeping groups of copies linear: exact duplicates compared through one member, links the
//! clustering needs verified after the fact, followers given the pairs of their leader, and
//! copies within a cluster reported through their original only.

use super::*;
use crate::candidates::lsh::CandidatePair;
use crate::relate::exact::{ExactGroups, TextIdentity, identical_pair, twin_pair};

/// A pair a follower takes over from its leader: `pairs[pair]` with `leader` replaced by
/// `follower`.
struct Inherited {
    pair: usize,
    leader: u32,
    follower: u32,
}

/// Whether a pair is reported by default: every pair except a copy between two members of
/// one cluster of which neither is its original (each member's pair with the original says
/// the same).
pub(super) fn reported(
    pair: &RelatedPair,
    cluster_of: &[Option<u32>],
    clusters: &[Cluster],
) -> bool {
    let (a, b) = (pair.figures.a, pair.figures.b);
    match (cluster_of[a as usize], cluster_of[b as usize]) {
        (Some(x), Some(y)) if x == y && pair.relation() == Relation::Copy => {
            let original = clusters[x as usize].representative;
            a == original || b == original
        }
        _ => true,
    }
}

/// The pairs of the followers of `groups`, from the pairs of their leaders (`pairs`, over
/// leaders only, sorted) once `clusters` include the followers: a follower of a cluster's
/// original is paired with it as identical; any other follower takes over each reported pair
/// of its leader. Pairs taken over between texts with the same bytes are copied; the others
/// are returned as candidates to verify, since their passages lie at other offsets.
pub(super) fn inherited_pairs(
    pairs: &[RelatedPair],
    groups: &ExactGroups,
    identities: &[TextIdentity],
    clusters: &[Cluster],
    cluster_of: &[Option<u32>],
    passages: bool,
) -> (Vec<RelatedPair>, Vec<CandidatePair>) {
    let mut taken = Vec::new();
    for group in groups.groups() {
        let leader = groups.leader(group[0]);
        let original = cluster_of[leader as usize].map(|c| clusters[c as usize].representative);
        if original == Some(leader) {
            taken.extend(
                group
                    .iter()
                    .filter(|&&doc| doc != leader)
                    .map(|&doc| identical_pair(doc, leader, identities, passages)),
            );
        }
    }
    let followers_of = |doc: u32| -> &[u32] {
        match groups.group_of(doc) {
            Some(group) if groups.leader(doc) == doc => group,
            _ => &[],
        }
    };
    let mut inherited = Vec::new();
    for (index, pair) in pairs.iter().enumerate() {
        if !reported(pair, cluster_of, clusters) {
            continue;
        }
        for (leader, partner) in [
            (pair.figures.a, pair.figures.b),
            (pair.figures.b, pair.figures.a),
        ] {
            // Another copy of the original within its cluster is reported through the
            // original's identical pairs.
            let same_cluster = cluster_of[leader as usize].is_some()
                && cluster_of[leader as usize] == cluster_of[partner as usize];
            let is_original = cluster_of[leader as usize]
                .is_some_and(|c| clusters[c as usize].representative == leader);
            if same_cluster && is_original && pair.relation() == Relation::Copy {
                continue;
            }
            inherited.extend(
                followers_of(leader)
                    .iter()
                    .filter(|&&follower| follower != leader)
                    .map(|&follower| Inherited {
                        pair: index,
                        leader,
                        follower,
                    }),
            );
        }
    }
    let mut to_verify = Vec::new();
    for Inherited {
        pair,
        leader,
        follower,
    } in inherited
    {
        let pair = &pairs[pair];
        if identities[follower as usize].bytes == identities[leader as usize].bytes {
            taken.push(twin_pair(pair, leader, follower));
        } else {
            let partner = if pair.figures.a == leader {
                pair.figures.b
            } else {
                pair.figures.a
            };
            to_verify.push(CandidatePair::new(follower, partner));
        }
    }
    to_verify.sort_unstable();
    to_verify.dedup();
    (taken, to_verify)
}
