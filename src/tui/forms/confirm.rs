//! A question answered with Enter (yes) or Esc (no): a form with no fields.

use super::{Build, Form};

pub fn confirm(title: String, question: Vec<String>, build: Build) -> Form {
    // The form's own hint line says how to confirm or cancel.
    Form::new(title, Vec::new(), build).intro(question)
}
