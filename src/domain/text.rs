//! Limits on what people type: required text is non-empty after trimming, and every field has a
//! length cap so a pasted novel is refused with a reason instead of bloating the file.

use super::error::Refusal;

pub fn required_text(field: &str, input: &str, max_chars: usize) -> Result<String, Refusal> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Refusal::invalid(format!("the {field} is empty"))
            .advice(format!("give a non-empty {field}")));
    }
    check_len(field, text, max_chars)?;
    Ok(text.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_capped() {
        assert_eq!(required_text("owner", "  Ana ", 10).unwrap(), "Ana");
        assert!(required_text("owner", " \t", 10).is_err());
        assert!(required_text("owner", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("note", Some("  "), 10).unwrap(), None);
        assert!(optional_text("note", Some("abcdefghijk"), 10).is_err());
    }
}
