//! Who took the text from whom: the earlier date, a cluster's original, or, without dates,
//! the shape of the overlap. Every answer carries the figures it rests on.

use std::fmt;

use super::cluster::Cluster;
use super::relation::{PairSide, Relation};
use crate::date::format_date;

/// What [`direction`] needs to know about one side of a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// Publication time, seconds since the epoch.
    pub date: Option<i64>,
    /// Share of the document's words inside the shared passages.
    pub share: f64,
}

/// What the dates of a pair say when they do not decide: both documents carry the same date,
/// or at least one carries none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// Both are dated alike.
    Same,
    /// At least one is undated.
    Missing,
}

impl fmt::Display for Dates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dates::Same => "same date",
            Dates::Missing => "no dates for both",
        })
    }
}

/// Which document of a related pair is the source, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Direction {
    /// A copy pair with its cluster's original: the original is the source, for the reason it
    /// was chosen.
    ClusterOriginal {
        /// The cluster number.
        cluster: u32,
        /// Which document of the pair is the original.
        original: PairSide,
    },
    /// The earlier date is the source.
    EarlierDate {
        /// The earlier document.
        source: PairSide,
        /// Its date, seconds since the epoch.
        source_date: i64,
        /// The other's date.
        later_date: i64,
    },
    /// A copy without dates to tell: the more complete text is the source (a cut version is
    /// mostly made of the other's text, so its share is higher).
    MoreComplete {
        /// What the dates say.
        dates: Dates,
        /// The more complete document.
        source: PairSide,
        /// Share of each document's words inside the shared passages.
        shares: (f64, f64),
    },
    /// Partial reuse without dates to tell: the text with more of its own around the shared
    /// passages (the lower share) is the borrower.
    Borrower {
        /// What the dates say.
        dates: Dates,
        /// The document the passages were taken from.
        source: PairSide,
        /// Share of each document's words inside the shared passages.
        shares: (f64, f64),
    },
    /// Nothing tells: no different dates, and the shared text is a similar share of both.
    Unknown {
        /// What the dates say.
        dates: Dates,
        /// Share of each document's words inside the shared passages.
        shares: (f64, f64),
    },
}

/// Shares closer than this say nothing about who copied whom.
const SHARE_MARGIN: f64 = 0.05;

/// Which side of a related pair is the source, and why.
///
/// The earlier date wins. Without two different dates: for a copy, the more complete text is
/// the source (the truncated version is mostly made of the other's text, so its share is
/// higher); for partial reuse, the borrower is the text with more of its own around the
/// shared passages (its share is lower).
pub fn direction(relation: Relation, a: Side, b: Side) -> Direction {
    if let (Some(da), Some(db)) = (a.date, b.date)
        && da != db
    {
        let source = if da < db { PairSide::A } else { PairSide::B };
        return Direction::EarlierDate {
            source,
            source_date: da.min(db),
            later_date: da.max(db),
        };
    }
    let dates = if a.date.is_some() && a.date == b.date {
        Dates::Same
    } else {
        Dates::Missing
    };
    let shares = (a.share, b.share);
    if (a.share - b.share).abs() < SHARE_MARGIN {
        return Direction::Unknown { dates, shares };
    }
    let higher = if a.share > b.share {
        PairSide::A
    } else {
        PairSide::B
    };
    match relation {
        Relation::Partial => Direction::Borrower {
            dates,
            source: higher,
            shares,
        },
        _ => Direction::MoreComplete {
            dates,
            source: other(higher),
            shares,
        },
    }
}

fn other(side: PairSide) -> PairSide {
    match side {
        PairSide::A => PairSide::B,
        PairSide::B => PairSide::A,
    }
}

impl Direction {
    /// The source, when something tells.
    pub fn source(&self) -> Option<PairSide> {
        match *self {
            Direction::ClusterOriginal { original, .. } => Some(original),
            Direction::EarlierDate { source, .. }
            | Direction::MoreComplete { source, .. }
            | Direction::Borrower { source, .. } => Some(source),
            Direction::Unknown { .. } => None,
        }
    }

    /// The reason in words, naming the two documents by `ids` (a, b); `clusters` gives the
    /// reason a cluster's original was chosen.
    pub fn describe<'a>(
        &'a self,
        ids: (&'a str, &'a str),
        clusters: &'a [Cluster],
    ) -> Described<'a> {
        Described {
            direction: self,
            ids,
            clusters,
        }
    }
}

/// A [`Direction`] with the names it needs to be told in words.
#[derive(Debug, Clone, Copy)]
pub struct Described<'a> {
    direction: &'a Direction,
    ids: (&'a str, &'a str),
    clusters: &'a [Cluster],
}

impl Described<'_> {
    fn id(&self, side: PairSide) -> &str {
        match side {
            PairSide::A => self.ids.0,
            PairSide::B => self.ids.1,
        }
    }

    fn share(shares: (f64, f64), side: PairSide) -> f64 {
        match side {
            PairSide::A => shares.0,
            PairSide::B => shares.1,
        }
    }
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self.direction {
            Direction::ClusterOriginal { cluster, original } => {
                write!(
                    f,
                    "{} is the original of cluster {cluster}",
                    self.id(original)
                )?;
                // Clusters are ordered by number, which need not start at 0 (one connected
                // component's clusters, numbered among the whole corpus's).
                let found = self
                    .clusters
                    .binary_search_by_key(&cluster, |c| c.id)
                    .ok()
                    .map(|i| &self.clusters[i]);
                match found {
                    Some(c) => write!(f, ": {}", c.reason),
                    None => Ok(()),
                }
            }
            Direction::EarlierDate {
                source,
                source_date,
                later_date,
            } => write!(
                f,
                "{} is dated earlier ({}) than {} ({})",
                self.id(source),
                format_date(source_date),
                self.id(other(source)),
                format_date(later_date)
            ),
            Direction::MoreComplete {
                dates,
                source,
                shares,
            } => {
                let copy = other(source);
                write!(
                    f,
                    "{dates}; {} is {:.2} made of the shared text, {} only {:.2}: the more complete text is the source",
                    self.id(copy),
                    Self::share(shares, copy),
                    self.id(source),
                    Self::share(shares, source)
                )
            }
            Direction::Borrower {
                dates,
                source,
                shares,
            } => {
                let borrower = other(source);
                write!(
                    f,
                    "{dates}; the shared passages are {:.2} of {} but only {:.2} of {}, which adds more text of its own around them: the borrower",
                    Self::share(shares, source),
                    self.id(source),
                    Self::share(shares, borrower),
                    self.id(borrower)
                )
            }
            Direction::Unknown { dates, shares } => write!(
                f,
                "{dates}, and the shared text is a similar share of both ({:.2} of {}, {:.2} of {}): direction unknown",
                shares.0, self.ids.0, shares.1, self.ids.1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(date: Option<i64>, share: f64) -> Side {
        Side { date, share }
    }

    #[test]
    fn the_earlier_date_is_the_source() {
        let found = direction(
            Relation::Partial,
            side(Some(200), 0.1),
            side(Some(100), 0.5),
        );
        assert_eq!(found.source(), Some(PairSide::B));
        let text = found.describe(("x", "y"), &[]).to_string();
        assert!(text.starts_with("y is dated earlier"), "{text}");
    }

    #[test]
    fn without_dates_the_complete_text_is_the_copy_source_and_the_surrounded_one_borrows() {
        let full = side(None, 0.6);
        let cut = side(None, 0.98);
        assert_eq!(
            direction(Relation::Copy, full, cut).source(),
            Some(PairSide::A)
        );
        assert_eq!(
            direction(Relation::Copy, cut, full).source(),
            Some(PairSide::B)
        );
        let source = side(None, 0.3);
        let borrower = side(None, 0.1);
        assert_eq!(
            direction(Relation::Partial, source, borrower).source(),
            Some(PairSide::A)
        );
        let unknown = direction(Relation::Partial, source, side(None, 0.28));
        assert_eq!(unknown.source(), None);
        assert!(
            unknown
                .describe(("source", "z"), &[])
                .to_string()
                .contains("direction unknown")
        );
    }

    #[test]
    fn the_words_name_the_copy_and_the_source() {
        let copy = direction(Relation::Copy, side(None, 0.6), side(None, 0.98));
        assert_eq!(
            copy.describe(("full", "cut"), &[]).to_string(),
            "no dates for both; cut is 0.98 made of the shared text, full only 0.60: the more complete text is the source"
        );
        let lift = direction(Relation::Partial, side(Some(5), 0.1), side(Some(5), 0.4));
        assert_eq!(
            lift.describe(("x", "y"), &[]).to_string(),
            "same date; the shared passages are 0.40 of y but only 0.10 of x, which adds more text of its own around them: the borrower"
        );
    }
}
