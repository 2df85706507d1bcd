//! Atomic file creation shared by every writer.
//!
//! A file is written to a hidden temporary name in its final folder
//! (`.calls.parquet.<pid>.<n>.tmp`), flushed, fsynced and renamed into place
//! by [`AtomicFile::commit`]. Rename within one folder is atomic, so readers
//! and weekly diff jobs see either the previous file or the complete new one,
//! never a partial one. If the file is dropped without a commit (an error, a
//! panic, an early return) the temporary file is removed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// Distinguishes temp files of one process writing the same name twice.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A buffered file under a temporary name, renamed to `path` on commit.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    file: Option<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file for `dir/name`.
    pub(crate) fn create(dir: &Path, name: &str) -> Result<AtomicFile, Error> {
        let path = dir.join(name);
        let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{seq}.tmp", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        Ok(AtomicFile {
            file: Some(BufWriter::new(file)),
            tmp,
            path,
        })
    }

    /// The final path (used in error messages).
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, fsyncs and renames the file to its final name.
    pub(crate) fn commit(mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let io_err = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let file = self.file.take().ok_or_else(|| io_err(closed()))?;
        let file = file.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        // Closed before the rename (required on Windows).
        drop(file);
        fs::rename(&self.tmp, &self.path).map_err(io_err)?;
        // Nothing left to clean up; the Drop below now does nothing.
        self.tmp = PathBuf::new();
        sync_dir(self.path.parent());
        Ok(())
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.file.as_mut().ok_or_else(closed)
    }
}

fn closed() -> io::Error {
    io::Error::other("file already closed")
}

/// Makes the rename itself durable. Best effort: some file systems refuse
/// to fsync a directory, and the data is already safe under its new name.
fn sync_dir(dir: Option<&Path>) {
    #[cfg(unix)]
    if let Some(dir) = dir {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(handle) = File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            // Close before removing; buffered bytes are discarded with the file.
            drop(self.file.take());
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::file_names;

    #[test]
    fn commit_renames_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = AtomicFile::create(dir.path(), "a.txt").unwrap();
        file.write_all(b"hello").unwrap();
        assert_eq!(file_names(dir.path()).len(), 1); // only the hidden temp
        file.commit().unwrap();
        assert_eq!(file_names(dir.path()), vec!["a.txt"]);
        assert_eq!(fs::read(dir.path().join("a.txt")).unwrap(), b"hello");
    }

    #[test]
    fn commit_replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), b"old").unwrap();
        let mut file = AtomicFile::create(dir.path(), "a.txt").unwrap();
        file.write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.txt")).unwrap(), b"new");
        assert_eq!(file_names(dir.path()), vec!["a.txt"]);
    }

    #[test]
    fn drop_without_commit_removes_temp() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = AtomicFile::create(dir.path(), "a.txt").unwrap();
        file.write_all(b"partial").unwrap();
        drop(file);
        assert!(file_names(dir.path()).is_empty());
    }

    #[test]
    fn failed_rename_reports_final_path_and_removes_temp() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty folder under the final name: rename fails even as root.
        fs::create_dir_all(dir.path().join("a.txt/inner")).unwrap();
        let mut file = AtomicFile::create(dir.path(), "a.txt").unwrap();
        file.write_all(b"x").unwrap();
        match file.commit() {
            Err(Error::Write { path, .. }) => assert_eq!(path, dir.path().join("a.txt")),
            other => panic!("expected a write error, got {other:?}"),
        }
        assert_eq!(file_names(dir.path()), vec!["a.txt"]);
        assert!(dir.path().join("a.txt").is_dir());
    }

    #[test]
    fn missing_folder_is_a_write_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(
            AtomicFile::create(&missing, "a.txt"),
            Err(Error::Write { .. })
        ));
    }
}
