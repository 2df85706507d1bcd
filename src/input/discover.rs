//! Expands INPUT arguments (files, folders, globs, `-`) into an ordered list.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path as the user gave it (joined with the walked names), or `-`.
    pub display: Arc<str>,
    pub source: Source,
    /// Size on disk, when known.
    pub size: Option<u64>,
}

/// The expanded inputs, and the arguments that named nothing readable.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<InputFile>,
    /// (argument or path, reason)
    pub unreadable: Vec<(String, String)>,
}

/// Expands the arguments in order: `-` is stdin; a folder is walked
/// recursively in sorted order, skipping hidden entries; a pattern with glob
/// characters expands in sorted order; anything else must be a file. A file
/// reached twice is read once. Paths under `exclude` (the output folder) are
/// skipped.
pub fn discover(args: &[String], exclude: Option<&Path>) -> Discovery {
    let mut found = Discovery::default();
    let mut seen = HashSet::new();
    let exclude = exclude.and_then(|p| fs::canonicalize(p).ok());
    for arg in args {
        if arg == "-" {
            if seen.insert(PathBuf::from("-")) {
                found.files.push(InputFile {
                    display: Arc::from("-"),
                    source: Source::Stdin,
                    size: None,
                });
            }
            continue;
        }
        let path = Path::new(arg);
        if path.exists() {
            add_path(path, &mut found, &mut seen, exclude.as_deref());
        } else if arg.contains(['*', '?', '[']) {
            expand_glob(arg, &mut found, &mut seen, exclude.as_deref());
        } else {
            found
                .unreadable
                .push((arg.clone(), "no such file or folder".to_string()));
        }
    }
    found
}

fn expand_glob(
    pattern: &str,
    found: &mut Discovery,
    seen: &mut HashSet<PathBuf>,
    exclude: Option<&Path>,
) {
    let paths = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(err) => {
            found
                .unreadable
                .push((pattern.to_string(), format!("bad pattern: {err}")));
            return;
        }
    };
    let mut matched: Vec<PathBuf> = Vec::new();
    for entry in paths {
        match entry {
            Ok(path) => matched.push(path),
            Err(err) => found
                .unreadable
                .push((err.path().display().to_string(), err.error().to_string())),
        }
    }
    if matched.is_empty() {
        found
            .unreadable
            .push((pattern.to_string(), "no input matches".to_string()));
    }
    matched.sort();
    for path in matched {
        add_path(&path, found, seen, exclude);
    }
}

fn add_path(
    path: &Path,
    found: &mut Discovery,
    seen: &mut HashSet<PathBuf>,
    exclude: Option<&Path>,
) {
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if exclude.is_some_and(|ex| canonical.starts_with(ex)) {
        return;
    }
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) => {
            found
                .unreadable
                .push((path.display().to_string(), err.to_string()));
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match fs::read_dir(path) {
            Ok(dir) => dir
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'))
                })
                .collect(),
            Err(err) => {
                found
                    .unreadable
                    .push((path.display().to_string(), err.to_string()));
                return;
            }
        };
        entries.sort();
        for entry in entries {
            add_path(&entry, found, seen, exclude);
        }
    } else if meta.is_file() && seen.insert(canonical) {
        found.files.push(InputFile {
            display: Arc::from(path.display().to_string()),
            source: Source::File(path.to_path_buf()),
            size: Some(meta.len()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        fs::create_dir_all(root.join("b/sub")).expect("mkdir");
        fs::create_dir_all(root.join(".hidden")).expect("mkdir");
        for name in [
            "a.jsonl",
            "b/z.jsonl",
            "b/sub/m.json",
            "b/c.log",
            ".hidden/x.jsonl",
            "b/.dot",
        ] {
            fs::write(root.join(name), "{}\n").expect("write");
        }
        dir
    }

    fn names(found: &Discovery, root: &Path) -> Vec<String> {
        let prefix = format!("{}/", root.display());
        found
            .files
            .iter()
            .map(|f| f.display.trim_start_matches(&prefix).to_string())
            .collect()
    }

    #[test]
    fn folders_walk_sorted_and_skip_hidden() {
        let dir = tree();
        let found = discover(&[dir.path().display().to_string()], None);
        assert_eq!(
            names(&found, dir.path()),
            ["a.jsonl", "b/c.log", "b/sub/m.json", "b/z.jsonl"]
        );
        assert!(found.unreadable.is_empty());
    }

    #[test]
    fn globs_stdin_duplicates_and_missing() {
        let dir = tree();
        let root = dir.path().display().to_string();
        let args = vec![
            format!("{root}/b/*.jsonl"),
            "-".to_string(),
            format!("{root}/b"),
            format!("{root}/nope.jsonl"),
            format!("{root}/*.none"),
        ];
        let found = discover(&args, None);
        assert_eq!(
            names(&found, dir.path()),
            ["b/z.jsonl", "-", "b/c.log", "b/sub/m.json"]
        );
        assert_eq!(found.unreadable.len(), 2);
        assert_eq!(found.unreadable[1].1, "no input matches");
    }

    #[test]
    fn output_folder_is_excluded() {
        let dir = tree();
        let found = discover(
            &[dir.path().display().to_string()],
            Some(&dir.path().join("b")),
        );
        assert_eq!(names(&found, dir.path()), ["a.jsonl"]);
    }
}
