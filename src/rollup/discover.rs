//! Expands `pcmfa report` arguments into calls files, in a fixed order.
//!
//! An argument may be a file (read as calls Parquet whatever its name), a
//! folder, or a glob matching either. A folder is walked recursively in
//! sorted order, hidden entries skipped, and yields every `calls.parquet`
//! and every `*.parquet` inside a `calls/` folder (the Hive tree that shards
//! write); other Parquet files there (`integrations.parquet`) are roll-ups,
//! not calls. The `summary.json` beside a `calls.parquet`, and each
//! `shards/<I>-of-<N>/summary.json`, is a source run's summary.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::window::parse_day_text;
use crate::output::{CALLS_DIR, CALLS_FILE, NO_DATE_PARTITION, SHARDS_DIR, SUMMARY_FILE};

/// One calls file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallsFile {
    pub path: PathBuf,
    /// The path as shown in `summary.json`.
    pub display: String,
    pub size: u64,
    /// The UTC day of its Hive folder (`date=YYYY-MM-DD`), if any.
    pub day: Option<i64>,
    /// In the Hive folder of calls without a time
    /// (`date=__HIVE_DEFAULT_PARTITION__`).
    pub undated: bool,
}

impl CallsFile {
    /// Whether the file may hold calls inside the window; false only when
    /// its Hive folder says it cannot (the file is then not opened).
    pub fn may_hold(&self, window: &super::Window) -> bool {
        match self.day {
            Some(day) => window.holds_day(day),
            None => !(self.undated && window.is_bounded()),
        }
    }
}

/// What the arguments name.
#[derive(Debug, Default)]
pub struct CallsDiscovery {
    pub files: Vec<CallsFile>,
    /// `summary.json` files of the runs and shards that wrote the calls.
    pub summaries: Vec<PathBuf>,
    /// (argument or path, reason)
    pub unreadable: Vec<(String, String)>,
}

/// Expands the arguments in order; a file reached twice is read once.
/// Paths under `exclude` (the report's own output folder) are skipped.
pub fn find_calls(args: &[String], exclude: Option<&Path>) -> CallsDiscovery {
    let mut found = Walk {
        found: CallsDiscovery::default(),
        seen: HashSet::new(),
        exclude: exclude.and_then(|p| fs::canonicalize(p).ok()),
    };
    for arg in args {
        let path = Path::new(arg);
        if path.exists() {
            found.add(path, true);
        } else if arg.contains(['*', '?', '[']) {
            found.glob(arg);
        } else {
            found
                .found
                .unreadable
                .push((arg.clone(), "no such file or folder".to_string()));
        }
    }
    found.found
}

struct Walk {
    found: CallsDiscovery,
    seen: HashSet<PathBuf>,
    exclude: Option<PathBuf>,
}

impl Walk {
    fn glob(&mut self, pattern: &str) {
        let paths = match glob::glob(pattern) {
            Ok(paths) => paths,
            Err(err) => {
                self.found
                    .unreadable
                    .push((pattern.to_string(), format!("bad pattern: {err}")));
                return;
            }
        };
        let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        if matched.is_empty() {
            self.found
                .unreadable
                .push((pattern.to_string(), "no input matches".to_string()));
        }
        matched.sort();
        for path in matched {
            self.add(&path, true);
        }
    }

    /// `named`: the user named this path (a file is then read whatever its name).
    fn add(&mut self, path: &Path, named: bool) {
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self
            .exclude
            .as_ref()
            .is_some_and(|ex| canonical.starts_with(ex))
        {
            return;
        }
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => {
                self.found
                    .unreadable
                    .push((path.display().to_string(), err.to_string()));
                return;
            }
        };
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = match fs::read_dir(path) {
                Ok(dir) => dir
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| !file_name(p).starts_with('.'))
                    .collect(),
                Err(err) => {
                    self.found
                        .unreadable
                        .push((path.display().to_string(), err.to_string()));
                    return;
                }
            };
            entries.sort();
            for entry in entries {
                self.add(&entry, false);
            }
        } else if meta.is_file() {
            if named || is_calls_file(path) {
                if self.seen.insert(canonical) {
                    self.found.files.push(CallsFile {
                        path: path.to_path_buf(),
                        display: path.display().to_string(),
                        size: meta.len(),
                        day: hive_day(path),
                        undated: path.ancestors().skip(1).any(|dir| {
                            dir.file_name().and_then(|n| n.to_str()) == Some(NO_DATE_PARTITION)
                        }),
                    });
                    if file_name(path) == CALLS_FILE {
                        self.summary(&path.with_file_name(SUMMARY_FILE));
                    }
                }
            } else if is_shard_summary(path) {
                self.summary(path);
            }
        }
    }

    fn summary(&mut self, path: &Path) {
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if path.is_file() && self.seen.insert(canonical) {
            self.found.summaries.push(path.to_path_buf());
        }
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// `calls.parquet`, or a `*.parquet` somewhere under a `calls/` folder.
fn is_calls_file(path: &Path) -> bool {
    let name = file_name(path);
    name == CALLS_FILE
        || (name.ends_with(".parquet")
            && path
                .ancestors()
                .skip(1)
                .any(|dir| file_name(dir) == CALLS_DIR))
}

/// `shards/<label>/summary.json`.
fn is_shard_summary(path: &Path) -> bool {
    file_name(path) == SUMMARY_FILE
        && path
            .parent()
            .and_then(Path::parent)
            .is_some_and(|dir| file_name(dir) == SHARDS_DIR)
}

/// The day of the nearest `date=YYYY-MM-DD` folder above the file.
fn hive_day(path: &Path) -> Option<i64> {
    path.ancestors().skip(1).find_map(|dir| {
        file_name(dir)
            .strip_prefix("date=")
            .and_then(parse_day_text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folders_shard_trees_files_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "day1/calls.parquet",
            "day1/summary.json",
            "day1/integrations.parquet",
            "day2/calls.parquet",
            "shared/calls/date=2026-06-02/part-00001-00000.parquet",
            "shared/calls/date=2026-06-01/part-00000-00000.parquet",
            "shared/calls/date=__HIVE_DEFAULT_PARTITION__/part-00000-00000.parquet",
            "shared/calls/date=2026-06-01/.part-00001-00000.parquet.9.0.tmp",
            "shared/shards/00000-of-00002/summary.json",
            "shared/shards/00000-of-00002/integrations.parquet",
            "shared/summary.json",
            "loose/other.parquet",
        ] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        }
        let arg = |p: &str| root.join(p).display().to_string();
        let found = find_calls(
            &[
                arg("day*"),
                arg("shared"),
                arg("loose/other.parquet"),
                arg("day1/calls.parquet"),
                arg("missing"),
            ],
            None,
        );
        let rel = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
        let files: Vec<(String, Option<i64>)> =
            found.files.iter().map(|f| (rel(&f.path), f.day)).collect();
        let undated: Vec<bool> = found.files.iter().map(|f| f.undated).collect();
        assert_eq!(undated, [false, false, false, false, true, false]);
        let window = crate::rollup::Window::parse(Some("2026-06-02"), None).unwrap();
        let kept: Vec<bool> = found.files.iter().map(|f| f.may_hold(&window)).collect();
        assert_eq!(kept, [true, true, false, true, false, true]);
        assert_eq!(
            files,
            [
                ("day1/calls.parquet".to_string(), None),
                ("day2/calls.parquet".to_string(), None),
                (
                    "shared/calls/date=2026-06-01/part-00000-00000.parquet".to_string(),
                    Some(20605)
                ),
                (
                    "shared/calls/date=2026-06-02/part-00001-00000.parquet".to_string(),
                    Some(20606)
                ),
                (
                    "shared/calls/date=__HIVE_DEFAULT_PARTITION__/part-00000-00000.parquet"
                        .to_string(),
                    None
                ),
                ("loose/other.parquet".to_string(), None),
            ]
        );
        let summaries: Vec<String> = found.summaries.iter().map(|p| rel(p)).collect();
        assert_eq!(
            summaries,
            [
                "day1/summary.json",
                "shared/shards/00000-of-00002/summary.json"
            ]
        );
        assert_eq!(found.unreadable.len(), 1);
    }
}
