//! Escaping for text that came from logs.
//!
//! App names, user agents, operation names and file paths are written by
//! whoever produced the logs, so every one of them is escaped before it
//! reaches a report: for HTML (and SVG) text and attributes, and for a
//! Markdown table cell, where a `|` would split the cell, a backtick open
//! code, `<` open raw HTML and a newline end the row.

/// Text safe inside HTML or SVG, in element content and in quoted attributes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a report; show a space.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text safe as one Markdown table cell (CommonMark / GitHub): one line,
/// with every character that could start markup backslash-escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let kept: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{kept}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html("a\u{0}b\u{1b}[31m"), "a b [31m");
    }

    #[test]
    fn markdown_keeps_a_hostile_cell_in_its_cell() {
        assert_eq!(
            markdown("a|b`c`\nd <img src=x> [l](http://x) *e* \\"),
            "a\\|b\\`c\\` d \\<img src=x\\> \\[l\\](http://x) \\*e\\* \\\\"
        );
        assert_eq!(markdown("Contoso Billing Sync"), "Contoso Billing Sync");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééééé", 3), "éé…");
    }
}
