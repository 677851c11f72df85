//! Modal forms: fields with their own line editor, validation shown in place, and the values
//! handed back to the app only when every field parses.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::LoopKind;
use crate::domain::text::parse_number;
use crate::domain::time::{Stamp, parse_when};

#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    Text {
        required: bool,
    },
    Number,
    /// `YYYY-MM-DD`, prefilled with today.
    Date,
    YesNo,
    Choice(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub value: String,
    /// Cursor position in chars (text fields); the chosen index (choice fields).
    pub cursor: usize,
    pub error: Option<String>,
}

impl Field {
    pub fn text(label: &'static str, required: bool) -> Field {
        Field::with(label, FieldKind::Text { required }, "")
    }

    pub fn number(label: &'static str) -> Field {
        Field::with(label, FieldKind::Number, "")
    }

    pub fn date(label: &'static str, today: Stamp) -> Field {
        Field::with(
            label,
            FieldKind::Date,
            &today.local_date().format("%Y-%m-%d").to_string(),
        )
    }

    pub fn yes_no(label: &'static str) -> Field {
        Field::with(label, FieldKind::YesNo, "yes")
    }

    pub fn choice(label: &'static str, options: Vec<String>, chosen: usize) -> Field {
        let mut f = Field::with(label, FieldKind::Choice(options), "");
        f.cursor = chosen;
        f
    }

    fn with(label: &'static str, kind: FieldKind, value: &str) -> Field {
        Field {
            label,
            kind,
            value: value.to_string(),
            cursor: value.chars().count(),
            error: None,
        }
    }

    pub fn prefill(mut self, value: &str) -> Field {
        self.value = value.to_string();
        self.cursor = self.value.chars().count();
        self
    }

    /// What the field shows.
    pub fn display(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => options.get(self.cursor).cloned().unwrap_or_default(),
            _ => self.value.clone(),
        }
    }

    fn is_editable(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Text { .. } | FieldKind::Number | FieldKind::Date
        )
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_idx)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Inserts typed or pasted text; control characters become spaces, so a paste can never
    /// smuggle an escape sequence into a record.
    pub fn insert(&mut self, text: &str) {
        if !self.is_editable() {
            return;
        }
        for c in text.chars() {
            let c = if crate::display::is_unsafe(c) { ' ' } else { c };
            let at = self.byte_at(self.cursor);
            self.value.insert(at, c);
            self.cursor += 1;
        }
        self.error = None;
    }

    fn key(&mut self, e: &KeyEvent) {
        match (&self.kind, e.code) {
            (FieldKind::YesNo, KeyCode::Char('y' | 'Y')) => self.value = "yes".into(),
            (FieldKind::YesNo, KeyCode::Char('n' | 'N')) => self.value = "no".into(),
            (FieldKind::YesNo, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                self.value = if self.value == "yes" { "no" } else { "yes" }.into();
            }
            (FieldKind::Choice(options), KeyCode::Left) => {
                self.cursor = (self.cursor + options.len() - 1) % options.len().max(1);
            }
            (FieldKind::Choice(options), KeyCode::Right | KeyCode::Char(' ')) => {
                self.cursor = (self.cursor + 1) % options.len().max(1);
            }
            (FieldKind::YesNo | FieldKind::Choice(_), _) => {}
            (_, KeyCode::Char('u')) if e.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.clear();
                self.cursor = 0;
            }
            (_, KeyCode::Char(c)) if !e.modifiers.contains(KeyModifiers::CONTROL) => {
                self.insert(&c.to_string());
            }
            (_, KeyCode::Backspace) if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            (_, KeyCode::Delete) if self.cursor < self.value.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            (_, KeyCode::Left) => self.cursor = self.cursor.saturating_sub(1),
            (_, KeyCode::Right) => self.cursor = (self.cursor + 1).min(self.value.chars().count()),
            (_, KeyCode::Home) => self.cursor = 0,
            (_, KeyCode::End) => self.cursor = self.value.chars().count(),
            _ => {}
        }
        self.error = None;
    }

    fn validate(&mut self, now: Stamp) -> bool {
        self.error = match &self.kind {
            FieldKind::Text { required: true } if self.value.trim().is_empty() => {
                Some(format!("{} is required", self.label))
            }
            FieldKind::Number => parse_number(&self.value).err().map(|e| e.message),
            FieldKind::Date => parse_when(&self.value, now).err().map(|e| e.message),
            _ => None,
        };
        self.error.is_none()
    }
}

/// What a form is for: each maps to one intent of the domain.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    AddJob,
    Owner(String, LoopKind),
    Metric(String, LoopKind),
    Baseline(String, LoopKind),
    Measure(String, LoopKind),
    Intervene(String, LoopKind),
    /// The kill signal numbers in the order of the choice field.
    Trip(String, LoopKind, Vec<i64>),
    Retire(String, LoopKind),
    Continue(String, LoopKind),
    Decide(String, LoopKind),
    /// The step numbers in the order of the choice field.
    Step(String, LoopKind, Vec<i64>),
    CloseLoop(String, LoopKind),
    EditJob(String),
    CloseCycle(String),
}

#[derive(Clone, Debug)]
pub struct Form {
    pub purpose: Purpose,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A refusal from the domain or the store, shown above the fields; the contents stay.
    pub error: Option<String>,
}

/// What a key did to a form.
#[derive(Debug, PartialEq, Eq)]
pub enum FormEvent {
    Editing,
    Submit,
    Cancel,
}

impl Form {
    pub fn new(purpose: Purpose, title: String, fields: Vec<Field>) -> Form {
        Form {
            purpose,
            title,
            fields,
            focus: 0,
            error: None,
        }
    }

    pub fn focus_on(mut self, idx: usize) -> Form {
        self.focus = idx.min(self.fields.len().saturating_sub(1));
        self
    }

    pub fn key(&mut self, e: &KeyEvent) -> FormEvent {
        match e.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Enter => return FormEvent::Submit,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % self.fields.len(),
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
            }
            _ => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.key(e);
                }
            }
        }
        FormEvent::Editing
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.insert(text);
        }
    }

    /// Checks every field; on failure focuses the first bad one and returns false.
    pub fn validate(&mut self, now: Stamp) -> bool {
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if !f.validate(now) && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
            self.error = Some("fix the marked field; nothing was saved".into());
            false
        } else {
            true
        }
    }

    pub fn text(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.value.trim())
    }

    pub fn optional(&self, i: usize) -> Option<&str> {
        Some(self.text(i)).filter(|s| !s.is_empty())
    }

    pub fn number(&self, i: usize) -> f64 {
        parse_number(self.text(i)).unwrap_or(f64::NAN)
    }

    /// The date typed, as an instant: today means now (so a baseline and an intervention both
    /// entered today keep their order), an earlier day its start.
    pub fn date(&self, i: usize, now: Stamp) -> Stamp {
        match parse_when(self.text(i), now) {
            Ok(at) if at.local_date() == now.local_date() => now,
            Ok(at) => at,
            Err(_) => now,
        }
    }

    pub fn yes(&self, i: usize) -> bool {
        self.text(i) == "yes"
    }

    pub fn choice(&self, i: usize) -> usize {
        self.fields.get(i).map_or(0, |f| f.cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    fn now() -> Stamp {
        Stamp::parse("2026-11-20T12:00:00Z").unwrap()
    }

    fn form() -> Form {
        Form::new(
            Purpose::AddJob,
            "t".into(),
            vec![
                Field::number("value"),
                Field::date("date", now()),
                Field::yes_no("ok"),
            ],
        )
    }

    #[test]
    fn typing_editing_and_moving_between_fields() {
        let mut f = form();
        for c in "4x2".chars() {
            f.key(&key(KeyCode::Char(c)));
        }
        f.key(&key(KeyCode::Left));
        f.key(&key(KeyCode::Backspace));
        assert_eq!(f.fields[0].value, "42");
        assert_eq!(f.key(&key(KeyCode::Tab)), FormEvent::Editing);
        assert_eq!(f.focus, 1);
        f.key(&key(KeyCode::BackTab));
        f.key(&key(KeyCode::BackTab));
        assert_eq!(f.focus, 2);
        f.key(&key(KeyCode::Char('n')));
        assert!(!f.yes(2));
        assert_eq!(f.key(&key(KeyCode::Enter)), FormEvent::Submit);
        assert_eq!(f.key(&key(KeyCode::Esc)), FormEvent::Cancel);
    }

    #[test]
    fn a_bad_number_is_shown_on_its_field() {
        let mut f = form();
        f.fields[0].insert("4x2");
        f.focus = 2;
        assert!(!f.validate(now()));
        assert_eq!(f.focus, 0);
        assert!(
            f.fields[0]
                .error
                .as_deref()
                .unwrap()
                .contains("not a number")
        );
        assert!(f.error.is_some());
        f.fields[0].value = "42".into();
        assert!(f.validate(now()));
        assert_eq!(f.number(0), 42.0);
    }

    #[test]
    fn the_date_defaults_to_today_and_is_checked() {
        let mut f = form();
        assert_eq!(f.fields[1].value, "2026-11-20");
        f.fields[0].value = "1".into();
        f.fields[1].value = "2026-02-30".into();
        assert!(!f.validate(now()));
        assert!(f.fields[1].error.is_some());
    }

    #[test]
    fn pasted_control_characters_become_spaces() {
        let mut f = Form::new(
            Purpose::AddJob,
            "t".into(),
            vec![Field::text("title", true)],
        );
        f.paste("a\u{1b}[2Jb\u{202e}c\n");
        assert_eq!(f.fields[0].value, "a [2Jb c ");
    }

    #[test]
    fn choices_cycle() {
        let mut f = Form::new(
            Purpose::AddJob,
            "t".into(),
            vec![Field::choice("s", vec!["a".into(), "b".into()], 0)],
        );
        f.key(&key(KeyCode::Right));
        assert_eq!(f.choice(0), 1);
        f.key(&key(KeyCode::Right));
        assert_eq!(f.choice(0), 0);
        f.key(&key(KeyCode::Left));
        assert_eq!(f.fields[0].display(), "b");
    }
}
