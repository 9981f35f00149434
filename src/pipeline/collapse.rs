//! Keeping groups of copies linear: exact duplicates compared through one member, links the
//! clustering needs verified after the fact, followers given the pairs of their leader, and
//! copies within a cluster reported through their original only.

use super::relations::find_pair;
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

/// What followers take over from their leaders: pairs ready to use, and pairs to verify
/// first, since their passages lie at other offsets.
pub(super) struct Inheritance {
    /// Pairs copied from a leader's, or identical pairs with the original.
    pub(super) taken: Vec<RelatedPair>,
    /// Pairs to verify: one per text (by its bytes) and partner.
    pub(super) to_verify: Vec<CandidatePair>,
    /// `(verified, twin, partner)`: the pair of `twin` and `partner` is that of `verified`
    /// and `partner` once verified, `twin` having the same bytes as `verified`.
    pub(super) twins_of_verified: Vec<(u32, u32, u32)>,
}

impl Inheritance {
    /// The pairs of the twins, from the verified pairs (sorted).
    pub(super) fn twins(&self, verified: &[RelatedPair]) -> Vec<RelatedPair> {
        self.twins_of_verified
            .iter()
            .filter_map(|&(verified_doc, twin, partner)| {
                find_pair(verified, verified_doc, partner)
                    .map(|pair| twin_pair(pair, verified_doc, twin))
            })
            .collect()
    }
}

/// The pairs of the followers of `groups`, from the pairs of their leaders (`pairs`, over
/// leaders only, sorted) once `clusters` include the followers: a follower of a cluster's
/// original is paired with it as identical; any other follower takes over each reported pair
/// of its leader. Pairs taken over between texts with the same bytes are copied; the others
/// are verified, once per distinct text: followers with the same bytes as a verified one
/// copy its pair.
pub(super) fn inherited_pairs(
    pairs: &[RelatedPair],
    groups: &ExactGroups,
    identities: &[TextIdentity],
    clusters: &[Cluster],
    cluster_of: &[Option<u32>],
    passages: bool,
) -> Inheritance {
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
    let mut twins_of_verified = Vec::new();
    // The first follower verified with a partner, by the follower's bytes.
    let mut verified_for: ahash::AHashMap<(u64, u32), u32> = ahash::AHashMap::new();
    for Inherited {
        pair,
        leader,
        follower,
    } in inherited
    {
        let pair = &pairs[pair];
        let bytes = identities[follower as usize].bytes;
        if bytes == identities[leader as usize].bytes {
            taken.push(twin_pair(pair, leader, follower));
            continue;
        }
        let partner = if pair.figures.a == leader {
            pair.figures.b
        } else {
            pair.figures.a
        };
        match verified_for.get(&(bytes, partner)) {
            Some(&verified) => twins_of_verified.push((verified, follower, partner)),
            None => {
                verified_for.insert((bytes, partner), follower);
                to_verify.push(CandidatePair::new(follower, partner));
            }
        }
    }
    to_verify.sort_unstable();
    Inheritance {
        taken,
        to_verify,
        twins_of_verified,
    }
}
