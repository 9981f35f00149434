//! Sorted, deduplicated sets of 64-bit keys (shingle sets, word sets): how much two share.

/// Number of values two sorted, deduplicated slices share. Gallops through the longer one
/// when the sizes differ a lot, so a short text against a long one stays cheap.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0;
    }
    if large.len() / small.len() >= 16 {
        return galloping_intersection(small, large);
    }
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

fn galloping_intersection(small: &[u64], large: &[u64]) -> usize {
    let mut rest = large;
    let mut count = 0;
    for &value in small {
        match rest.binary_search(&value) {
            Ok(position) => {
                count += 1;
                rest = &rest[position + 1..];
            }
            Err(position) => rest = &rest[position..],
        }
        if rest.is_empty() {
            break;
        }
    }
    count
}
