//! Limits on what people type: required text is non-empty after trimming, and every field has a
//! length cap so a pasted novel is refused with a reason instead of bloating the file.

use super::error::Refusal;

/// The longest name of a person (an actor, a loop's or a decision's owner, a job's lead).
pub const MAX_PERSON: usize = 100;

/// A person's name as typed: trimmed, not empty, at most `MAX_PERSON` characters, and printable
/// (no control, bidi or zero-width characters, which would make two different names look alike).
/// Names are compared exactly, as the shared database's server compares its roles.
pub fn person_name(field: &str, input: &str) -> Result<String, Refusal> {
    let name = required_text(field, input, MAX_PERSON)?;
    // Invisible characters (a Hangul filler, a variation selector, a tag) would make two names
    // print alike: the owner named `Dana Levi` + an invisible tag could never sign as herself.
    // So do spaces that are not the plain one (a no-break or en space, the blank braille cell):
    // `ann lee` and `ann\u{a0}lee` would be two people printed alike.
    let odd_space = |c: char| (c.is_whitespace() && c != ' ') || c == '\u{2800}';
    if name
        .chars()
        .any(|c| is_unsafe(c) || is_default_ignorable(c) || odd_space(c))
    {
        return Err(Refusal::invalid(format!(
            "the {field} holds control or invisible characters, or a space other than a plain one"
        ))
        .advice("give a plain name"));
    }
    Ok(name)
}

/// Characters that a terminal would act on rather than print, or that hide or reorder text.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c,
            '\u{00AD}'                    // soft hyphen
            | '\u{061C}'                  // Arabic letter mark
            | '\u{180E}'                  // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}'     // zero-width space, joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}'     // line and paragraph separators
            | '\u{202A}'..='\u{202E}'     // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'     // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'     // bidi isolates
            | '\u{FEFF}'                  // zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}'    // interlinear annotations
            | '\u{034F}'                  // combining grapheme joiner
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers (print as nothing)
            | '\u{E0000}'..='\u{E0FFF}') // tags (hidden ASCII) and supplementary selectors
}

/// Text for one line: every unsafe character (newlines and tabs included) made visible as
/// `\u{a}`, so what a person typed can never break a line or act on a terminal. A command's
/// summary is built with it (`Outcome::done`): it is one line whatever its title or note holds.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn required_text(field: &str, input: &str, max_chars: usize) -> Result<String, Refusal> {
    let text = input.trim();
    if !has_visible(text) {
        return Err(Refusal::invalid(format!("the {field} is empty"))
            .advice(format!("give a non-empty {field}")));
    }
    check_len(field, text, max_chars)?;
    Ok(text.to_string())
}

/// Whether text shows anything: not only spaces, control or invisible characters (a reason of
/// a zero-width space says nothing, however non-empty it is).
pub fn has_visible(text: &str) -> bool {
    use unicode_width::UnicodeWidthChar;
    // Zero-width characters (combining marks alone, fillers, default-ignorable code points) and
    // the blank braille pattern show nothing either.
    text.chars().any(|c| {
        !c.is_whitespace()
            && !is_unsafe(c)
            && !is_default_ignorable(c)
            && c != '\u{2800}'
            && c.width().is_some_and(|w| w > 0)
    })
}

/// Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties), beyond `is_unsafe`:
/// characters a font draws as nothing, some of which terminals still give a width.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{034F}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// What a person's name looks like, whatever its case, its Unicode spelling (`é` as one
/// character or two) or its look-alike letters (Cyrillic `а` for Latin `a`): two different names
/// with the same key would be read as one person, so only one of them may be on a team.
pub fn look_alike_key(name: &str) -> String {
    unicode_security::skeleton(&name.to_lowercase())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `None` and blank text both mean "not given".
pub fn optional_text(
    field: &str,
    input: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, Refusal> {
    match input.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            check_len(field, text, max_chars)?;
            Ok(Some(text.to_string()))
        }
    }
}

fn check_len(field: &str, text: &str, max_chars: usize) -> Result<(), Refusal> {
    let n = text.chars().count();
    if n > max_chars {
        return Err(Refusal::invalid(format!(
            "the {field} is {n} characters long; the limit is {max_chars}"
        ))
        .advice("shorten it"));
    }
    Ok(())
}

/// A name as one shell word: as is when it is plain, else in single quotes (a quote inside
/// closed, escaped and reopened), so a command built with it runs with that one argument.
pub fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.@+".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_capped() {
        assert_eq!(required_text("owner", "  Ana ", 10).unwrap(), "Ana");
        assert!(required_text("owner", " \t", 10).is_err());
        assert!(required_text("reason", "\u{200b}", 10).is_err());
        assert!(required_text("reason", "\u{1}\u{2}", 10).is_err());
        assert!(required_text("reason", "\u{200b}ok", 10).is_ok());
        for blank in [
            "\u{3164}",
            "\u{115f}",
            "\u{1160}",
            "\u{ffa0}",
            "\u{2800}",
            "\u{34f}",
            "\u{17b5}",
            "\u{e0020}",
            "\u{301}",
            "\u{a0}",
            "\u{feff}",
            "\u{2060}",
        ] {
            assert!(!has_visible(blank), "{blank:?}");
        }
        assert!(has_visible("e\u{301}") && has_visible("\u{65e5}"));
        assert!(required_text("owner", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("note", Some("  "), 10).unwrap(), None);
        assert!(optional_text("note", Some("abcdefghijk"), 10).is_err());
    }

    #[test]
    fn look_alike_names_share_a_key() {
        let key = look_alike_key;
        assert_eq!(key("ANA"), key("ana"));
        assert_eq!(key("\u{430}na"), key("ana"), "Cyrillic a");
        assert_eq!(
            key("e\u{301}va"),
            key("\u{e9}va"),
            "decomposed and composed"
        );
        assert_eq!(key("\u{c9}lise"), key("\u{e9}lise"), "accented capital");
        assert_ne!(key("ana"), key("ann"));
        assert_ne!(key("ben"), key("ana"));
    }

    #[test]
    fn person_names_are_plain_and_short() {
        assert_eq!(person_name("owner", " Ana ").unwrap(), "Ana");
        for bad in [
            "",
            "  ",
            "an\u{202E}a",
            "a\u{200B}na",
            "a\tna",
            "a\u{7}",
            "Dana Levi\u{E0020}",
            "ana\u{3164}",
            "an\u{FE0F}a",
            "a\u{034F}na",
            "ann\u{a0}lee",
            "ann\u{2002}lee",
            "alice\u{2800}",
        ] {
            assert!(person_name("owner", bad).is_err(), "{bad:?}");
        }
        assert!(person_name("owner", &"x".repeat(100)).is_ok());
        assert!(person_name("owner", &"x".repeat(101)).is_err());
    }
}
