//! Text from outside (a feed's names, a certificate's subject) written into TOML that an
//! administrator reviews and signs: it must stay inside its string or comment, whatever it holds.

use std::fmt::Write;

/// A TOML basic string: quotes, backslashes and every control character escaped, so no text from
/// a feed can end the string, the line or the table.
pub(crate) fn toml_string(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{:04X}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// Text for a comment line: one line, no control characters (a feed's line break must not end the
/// comment and start TOML of its own).
pub(crate) fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_inside_its_string_and_its_comment() {
        let hostile = "x\"\n[[rules]]\nid = \"evil\"\u{7}\u{7f}";
        let s = toml_string(hostile);
        assert!(!s.contains('\n'), "{s}");
        #[derive(serde::Deserialize)]
        struct V {
            v: String,
        }
        let back: V = toml::from_str(&format!("v = {s}\n")).unwrap();
        assert_eq!(back.v, hostile);
        assert!(!comment_text(hostile).contains('\n'));
    }
}
