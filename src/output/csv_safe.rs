//! Spreadsheet safety for CSV text cells (OWASP "CSV injection").
//!
//! Excel and other spreadsheets run a cell that starts with `=`, `+`, `-` or
//! `@` as a formula, and a leading tab, CR or LF can smuggle one past a
//! trimming reader. Log fields such as `app_name` or `user_agent` are
//! attacker-controlled, so every CSV text cell that starts with one of these
//! characters gets a leading `'`, which spreadsheets treat as "this is text".
//! Only CSV output is neutralised: Parquet keeps the true values, and numbers
//! are never passed through here.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// Returns `text` prefixed with `'` when it would start a formula.
pub(crate) fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(TRIGGERS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Undoes [`neutralise`]: the text a CSV cell written by pcmfa stands for.
/// (pcmfa never writes a cell that starts with `'` and a trigger unless it
/// added the `'`.)
pub(crate) fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_prefixed() {
        for (raw, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\n=1", "'\n=1"),
            ("-", "'-"),
        ] {
            assert_eq!(neutralise(raw), safe, "{raw:?}");
        }
    }

    #[test]
    fn restore_undoes_neutralise() {
        for text in [
            "=1+2", "-", "@x", "\t=1", "'quoted", "'", "plain", "", "''=x",
        ] {
            assert_eq!(restore(&neutralise(text)), text, "{text:?}");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for text in [
            "",
            "Contoso Billing",
            "GET /v1/customers/{id}",
            "a=b",
            " =1",
            "'quoted",
            "2026-04-02T08:15:03.123Z",
        ] {
            assert!(matches!(neutralise(text), Cow::Borrowed(t) if t == text));
        }
    }
}
