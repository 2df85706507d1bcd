//! The integration catalog (`--catalog FILE`): who owns each app.
//!
//! A CSV with the columns `app_id, name, owner, contact, notes` (any case,
//! any order, extra columns ignored, a UTF-8 byte-order mark tolerated).
//! Only `app_id` is required. It is joined into every report by app id, so
//! each row says whose integration it is, and the Partner Center callers it
//! does not list are called out. A catalog that cannot be read is the
//! user's to fix: [`CatalogError`] says where and why, and the run stops
//! before reading any log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::aggregate::IntegrationRow;

/// What the catalog says about one app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogEntry {
    pub app_id: String,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub contact: Option<String>,
    pub notes: Option<String>,
}

/// Entries keyed by lower-case, trimmed app id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    entries: BTreeMap<String, CatalogEntry>,
}

/// Why a catalog file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("--catalog {path}: cannot read it: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--catalog {path}: line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("--catalog {path}: no app_id column (the header needs app_id; name, owner, contact, notes are optional)")]
    NoAppIdColumn { path: PathBuf },
    #[error("--catalog {path}: line {line}: empty app_id")]
    EmptyAppId { path: PathBuf, line: u64 },
    #[error(
        "--catalog {path}: line {line}: app_id {app_id} is listed twice (first on line {first})"
    )]
    Duplicate {
        path: PathBuf,
        line: u64,
        first: u64,
        app_id: String,
    },
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A header cell as a column name: trimmed, lower case, spaces as `_`.
fn column_name(header: &str) -> String {
    header.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Trimmed text, None when blank.
fn cell(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

impl Catalog {
    /// Reads and checks a catalog file.
    pub fn from_path(path: &Path) -> Result<Catalog, CatalogError> {
        let bytes = std::fs::read(path).map_err(|source| CatalogError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Catalog::from_bytes(path, &bytes)
    }

    /// Parses catalog CSV; `path` names the file in errors.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Catalog, CatalogError> {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let csv_error = |err: csv::Error| CatalogError::Csv {
            path: path.to_path_buf(),
            line: err.position().map_or(1, |p| p.line()),
            message: match err.kind() {
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} fields where the header has {expected_len}"),
                _ => err.to_string(),
            },
        };
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(column_name)
            .collect();
        let find = |name: &str| headers.iter().position(|h| h == name);
        let app_id_col = find("app_id").or_else(|| find("appid")).ok_or_else(|| {
            CatalogError::NoAppIdColumn {
                path: path.to_path_buf(),
            }
        })?;
        let (name_col, owner_col, contact_col, notes_col) =
            (find("name"), find("owner"), find("contact"), find("notes"));

        let mut entries = BTreeMap::new();
        let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            let get = |col: Option<usize>| cell(col.and_then(|c| record.get(c)));
            let app_id = get(Some(app_id_col))
                .map(|id| id.to_lowercase())
                .ok_or_else(|| CatalogError::EmptyAppId {
                    path: path.to_path_buf(),
                    line,
                })?;
            if let Some(first) = first_line.get(&app_id) {
                return Err(CatalogError::Duplicate {
                    path: path.to_path_buf(),
                    line,
                    first: *first,
                    app_id,
                });
            }
            first_line.insert(app_id.clone(), line);
            entries.insert(
                app_id.clone(),
                CatalogEntry {
                    app_id,
                    name: get(name_col),
                    owner: get(owner_col),
                    contact: get(contact_col),
                    notes: get(notes_col),
                },
            );
        }
        Ok(Catalog { entries })
    }

    /// How many apps it lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for an integration: by its app id, else by its ranking key
    /// (so a catalog may also name a `ua:` or `name:` integration).
    pub fn lookup(&self, row: &IntegrationRow) -> Option<&CatalogEntry> {
        let by = |key: &str| self.entries.get(&key.trim().to_lowercase());
        row.app_id
            .as_deref()
            .and_then(by)
            .or_else(|| by(&row.integration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::VerdictCounts;
    use crate::vocab::Verdict;

    const APP: &str = "39441d62-a8e1-4810-a850-20bf12239031";

    fn parse(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::from_bytes(Path::new("apps.csv"), text.as_bytes())
    }

    fn row(app_id: Option<&str>, integration: &str) -> IntegrationRow {
        IntegrationRow {
            rank: 1,
            integration: integration.into(),
            app_id: app_id.map(str::to_string),
            app_name: None,
            verdict: Verdict::Broken,
            counts: VerdictCounts::default(),
            first_seen: None,
            last_seen: None,
            last_broken: None,
            principals: 0,
            tenants: 0,
            operations: 0,
            top_operations: vec![],
            action: String::new(),
        }
    }

    #[test]
    fn bom_header_case_extra_columns_and_order_are_tolerated() {
        let text = format!(
            "\u{feff}Owner,APP_ID,Team Size,Name,Contact\r\nBilling team, {} ,4,Contoso Billing Sync,billing@relecloud.example\r\n\r\n",
            APP.to_uppercase()
        );
        let catalog = parse(&text).unwrap();
        assert_eq!(catalog.len(), 1);
        let entry = catalog.lookup(&row(Some(APP), APP)).unwrap();
        assert_eq!(entry.owner.as_deref(), Some("Billing team"));
        assert_eq!(entry.name.as_deref(), Some("Contoso Billing Sync"));
        assert_eq!(entry.contact.as_deref(), Some("billing@relecloud.example"));
        assert_eq!(entry.notes, None);
    }

    #[test]
    fn lookup_falls_back_to_the_ranking_key() {
        let catalog = parse("app_id,owner\nua:legacyscript/1.0,Ops\n").unwrap();
        assert_eq!(
            catalog
                .lookup(&row(None, "ua:LegacyScript/1.0"))
                .and_then(|e| e.owner.as_deref()),
            Some("Ops")
        );
        assert!(catalog.lookup(&row(Some(APP), APP)).is_none());
    }

    #[test]
    fn unusable_catalogs_say_where_and_why() {
        let message = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            message("name,owner\nA,B\n"),
            "--catalog apps.csv: no app_id column (the header needs app_id; name, owner, contact, notes are optional)"
        );
        assert_eq!(
            message("app_id,owner\n,B\n"),
            "--catalog apps.csv: line 2: empty app_id"
        );
        assert_eq!(
            message(&format!(
                "app_id,owner\n{APP},A\n{},B\n",
                APP.to_uppercase()
            )),
            format!("--catalog apps.csv: line 3: app_id {APP} is listed twice (first on line 2)")
        );
        assert_eq!(
            message("app_id,owner\na,b,c\n"),
            "--catalog apps.csv: line 2: 3 fields where the header has 2"
        );
        let not_utf8 = Catalog::from_bytes(Path::new("apps.csv"), b"app_id,owner\na,\xff\xfe\n");
        assert_eq!(
            not_utf8.unwrap_err().to_string(),
            "--catalog apps.csv: line 2: not UTF-8 text"
        );
        assert!(matches!(
            Catalog::from_path(Path::new("/nonexistent/apps.csv")),
            Err(CatalogError::Read { .. })
        ));
    }

    #[test]
    fn an_empty_catalog_has_no_entries() {
        assert!(parse("app_id,name,owner,contact,notes\n")
            .unwrap()
            .is_empty());
    }
}
