//! Sharding: which inputs one of N independent scans reads.
//!
//! pcmfa does not run its own cluster; an engine people already run
//! (a Kubernetes Indexed Job, Spark, a shell loop) starts N copies of
//! `pcmfa scan --files-from MANIFEST --shard I/N`, and each must pick its
//! share of the manifest without talking to the others. So the assignment is
//! a pure function of the listed paths and their sizes: the inputs are sorted
//! by size (largest first, then path) and each goes to the least-loaded shard
//! so far (ties to the lowest index). Every shard computes the same table
//! and keeps its own rows; shard loads differ by at most the largest input.
//!
//! Shard indexes are zero-based (`0/4` .. `3/4`), like Kubernetes'
//! `JOB_COMPLETION_INDEX` and Spark partition ids.

use std::io::BufRead;

use crate::error::Error;

/// One shard of N, zero-based: `index < count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: usize,
    pub count: usize,
}

impl ShardSpec {
    /// Parses `I/N` (zero-based `I`, `0 <= I < N`), e.g. `2/8`.
    pub fn parse(text: &str) -> Result<ShardSpec, Error> {
        let usage = |why: &str| {
            Error::Usage(format!(
                "--shard {text:?}: {why}; expected I/N with 0 <= I < N (zero-based), e.g. --shard 0/4"
            ))
        };
        let (index, count) = text.split_once('/').ok_or_else(|| usage("no '/'"))?;
        let index: usize = index
            .trim()
            .parse()
            .map_err(|_| usage("I is not a number"))?;
        let count: usize = count
            .trim()
            .parse()
            .map_err(|_| usage("N is not a number"))?;
        if count == 0 {
            return Err(usage("N must be at least 1"));
        }
        if index >= count {
            return Err(usage("I must be below N"));
        }
        Ok(ShardSpec { index, count })
    }

    /// The folder under `shards/` holding this shard's summary and rejects,
    /// e.g. `00002-of-00008`.
    pub fn label(&self) -> String {
        format!("{:05}-of-{:05}", self.index, self.count)
    }
}

/// Reads a manifest: one input per line; blank lines and lines starting
/// with `#` are ignored, surrounding spaces trimmed (a trailing `\r` too).
pub fn read_manifest(reader: impl BufRead, name: &str) -> Result<Vec<String>, Error> {
    let mut inputs = Vec::new();
    for line in reader.lines() {
        let line = line.map_err(|source| Error::Read {
            path: name.to_string(),
            source,
        })?;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            inputs.push(line.to_string());
        }
    }
    Ok(inputs)
}

/// The shard each item goes to, in the items' order. `items` are
/// (path, size); a path listed twice counts once per listing, but the
/// result does not depend on the order of `items`.
pub fn assign(items: &[(&str, u64)], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        let (path_a, size_a) = items[a];
        let (path_b, size_b) = items[b];
        size_b.cmp(&size_a).then_with(|| path_a.cmp(path_b))
    });
    let mut loads = vec![0u64; count];
    let mut shard_of = vec![0usize; items.len()];
    for item in order {
        let lightest = (0..count)
            .min_by_key(|&s| (loads[s], s))
            .unwrap_or_default();
        loads[lightest] += items[item].1;
        shard_of[item] = lightest;
    }
    shard_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zero_based_specs() {
        assert_eq!(
            ShardSpec::parse("0/4").unwrap(),
            ShardSpec { index: 0, count: 4 }
        );
        assert_eq!(
            ShardSpec::parse("3/4").unwrap(),
            ShardSpec { index: 3, count: 4 }
        );
        for bad in ["4/4", "1/0", "x/2", "1", "-1/2", "1/2/3", ""] {
            assert!(ShardSpec::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ShardSpec::parse("2/12").unwrap().label(), "00002-of-00012");
    }

    #[test]
    fn manifest_skips_blanks_and_comments() {
        let text = "# week 23\nlogs/a.jsonl\r\n\n  logs/b.jsonl.gz  \n#logs/c\n";
        assert_eq!(
            read_manifest(text.as_bytes(), "m").unwrap(),
            ["logs/a.jsonl", "logs/b.jsonl.gz"]
        );
    }

    fn items() -> Vec<(String, u64)> {
        // Sizes spread like real log exports: a few big days, many small files.
        (0..57u64)
            .map(|i| (format!("logs/{i:03}.jsonl"), (i * 7919 % 1000 + 1) * 1000))
            .collect()
    }

    #[test]
    fn same_assignment_whatever_the_listing_order() {
        let items = items();
        let forward: Vec<(&str, u64)> = items.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let mut backward = forward.clone();
        backward.reverse();
        let a = assign(&forward, 4);
        let b = assign(&backward, 4);
        for (i, (path, _)) in forward.iter().enumerate() {
            let j = backward.iter().position(|(p, _)| p == path).unwrap();
            assert_eq!(a[i], b[j], "{path}");
        }
    }

    #[test]
    fn every_item_goes_to_exactly_one_shard_and_loads_balance() {
        let items = items();
        let listed: Vec<(&str, u64)> = items.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        for count in [1, 2, 3, 4, 8] {
            let shard_of = assign(&listed, count);
            assert_eq!(shard_of.len(), listed.len());
            let mut loads = vec![0u64; count];
            for (item, shard) in listed.iter().zip(&shard_of) {
                assert!(*shard < count);
                loads[*shard] += item.1;
            }
            let largest = listed.iter().map(|(_, s)| *s).max().unwrap();
            let spread = loads.iter().max().unwrap() - loads.iter().min().unwrap();
            assert!(
                spread <= largest,
                "{count} shards: loads {loads:?} spread more than the largest input"
            );
        }
    }

    #[test]
    fn more_shards_than_inputs_leaves_some_empty() {
        let shard_of = assign(&[("b", 10), ("a", 10), ("c", 30)], 5);
        // c (largest) first to shard 0, then a and b by path.
        assert_eq!(shard_of, [2, 1, 0]);
    }
}
