//! Errors that stop a file or a run. Record-level problems are not errors:
//! they are [`crate::event::Reject`] values, counted and listed.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write Parquet {path}: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("cannot read the pcmfa run in {path}: {message}")]
    Run { path: PathBuf, message: String },
    #[error("no input matches {0}")]
    NoMatch(String),
    #[error("unknown format {0:?}; `pcmfa formats` lists them")]
    UnknownFormat(String),
    #[error("{0}")]
    Usage(String),
}
