//! "Did you mean …?" for mistyped job slugs and loop kinds.

/// The candidate closest to `input` by edit distance, if it is close enough to be a plausible typo
/// (or `input` is a prefix of it).
pub fn nearest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let input = input.to_lowercase();
    if let Some(c) = candidates.iter().find(|c| c.starts_with(&input)) {
        return Some(c);
    }
    candidates
        .iter()
        .map(|c| (distance(&input, c), *c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_prefixes() {
        let c = ["support-triage", "coaching-follow-up", "billing"];
        assert_eq!(nearest("suport-triage", &c), Some("support-triage"));
        assert_eq!(nearest("coach", &c), Some("coaching-follow-up"));
        assert_eq!(nearest("zzzzzz", &c), None);
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
