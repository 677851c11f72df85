//! A question answered with Enter (yes) or Esc (no): a form with no fields.

use super::{Build, Form};

pub fn confirm(title: String, question: Vec<String>, build: Build) -> Form {
    let mut intro = question;
    intro.push(String::new());
    intro.push("Enter confirms · Esc cancels".into());
    Form::new(title, Vec::new(), build).intro(intro)
}
