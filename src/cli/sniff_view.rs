//! Prints `pcmfa sniff` results for a person: per file the format and why,
//! then per record which field fed each column and the verdict. The library
//! already made every value safe to show (no token, Authorization value,
//! body or query string).

use std::io::{self, Write};

use pcmfa::formats::FieldMap;
use pcmfa::sniff::{FileOutcome, FileSniff, Judged, RecordOutcome, Source};

/// Writes every file's sniff to `out`.
pub fn print(out: &mut dyn Write, files: &[FileSniff], fields: &FieldMap) -> io::Result<()> {
    if !fields.is_empty() {
        writeln!(out, "field mapping (over automatic matching):")?;
        for (column, path) in fields.entries() {
            writeln!(out, "  {:<16} <- {path}", column.name())?;
        }
        writeln!(out)?;
    }
    for (index, file) in files.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        print_file(out, file)?;
    }
    Ok(())
}

fn print_file(out: &mut dyn Write, file: &FileSniff) -> io::Result<()> {
    writeln!(out, "{}", file.path)?;
    match &file.outcome {
        FileOutcome::Unreadable(reason) => writeln!(out, "  unreadable: {reason}"),
        FileOutcome::Skipped(reason) => {
            let compression = match file.compression {
                "" | "none" => String::new(),
                other => format!(" ({other}-compressed)"),
            };
            writeln!(
                out,
                "  skipped{compression}: {reason} (a scan lists it under `skipped` in summary.json)"
            )
        }
        FileOutcome::Read {
            format,
            why,
            records,
            stopped,
        } => {
            writeln!(
                out,
                "  format: {format} (compression: {})",
                file.compression
            )?;
            writeln!(out, "  why:    {why}")?;
            if records.is_empty() {
                writeln!(out, "  no records")?;
            }
            for record in records {
                print_record(out, record.number, &record.outcome)?;
            }
            if let Some(reason) = stopped {
                writeln!(out, "  reading stopped: {reason}")?;
            }
            Ok(())
        }
    }
}

fn print_record(out: &mut dyn Write, number: u64, outcome: &RecordOutcome) -> io::Result<()> {
    match outcome {
        RecordOutcome::SideEvidence { label } => writeln!(
            out,
            "  record {number}: {label}\n    => evidence about other calls (a token request or a trace), not a call itself"
        ),
        RecordOutcome::Rejected(reason) => writeln!(
            out,
            "  record {number}: rejected ({}): listed in rejects.csv",
            reason.as_str()
        ),
        RecordOutcome::Read {
            label,
            marked,
            columns,
            judged,
        } => {
            writeln!(out, "  record {number}: {label}")?;
            let width = columns
                .iter()
                .map(|c| describe(&c.source).len())
                .max()
                .unwrap_or(0);
            for view in columns {
                writeln!(
                    out,
                    "    {:<16} <- {:<width$}  {}",
                    view.column.name(),
                    describe(&view.source),
                    view.shown
                )?;
            }
            match (judged, marked) {
                (Some(judged), _) => writeln!(out, "    => {}", verdict_line(judged)),
                (None, false) => writeln!(
                    out,
                    "    => other: no Partner Center mark (a scan counts it without parsing it)"
                ),
                (None, true) => writeln!(out, "    => other: not a Partner Center event"),
            }
        }
    }
}

fn describe(source: &Source) -> String {
    match source {
        Source::Mapped(path) => format!("{path} (--field)"),
        Source::Found(path) => path.clone(),
        Source::FromUrl(path) => format!("{path} (the URL's host)"),
        Source::FromRequestLine(path) => format!("{path} (request line)"),
        Source::Derived => "(derived)".to_string(),
        Source::Text => "(the text record)".to_string(),
    }
}

fn verdict_line(judged: &Judged) -> String {
    let mut line = format!(
        "{}, evidence {}",
        judged.verdict.as_str(),
        judged.evidence.as_str()
    );
    if let Some(detail) = judged.evidence_detail {
        line.push_str(&format!(" ({detail})"));
    }
    line.push_str(&format!(
        "; auth {}, mfa {}",
        judged.auth_mode.as_str(),
        judged.mfa_claim.as_str()
    ));
    if let Some(operation) = &judged.operation {
        line.push_str(&format!("; {operation}"));
    }
    line.push_str(&format!("; integration {}", judged.integration));
    line
}
