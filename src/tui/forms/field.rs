//! A form's fields: text edited in a real text area (wide characters, paste, the shell's
//! line-editing keys), yes/no answers that start unanswered, and choices; each checked as it is
//! typed where that helps (a rule, a target) and in full before the form is submitted.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::num;
use crate::domain::time::{Stamp, parse_when};
/// What a form's field holds.
pub enum Input {
    /// One line of text.
    Line(Box<TextArea<'static>>),
    /// Several lines (notes, the canvas), `rows` tall on screen.
    Lines(Box<TextArea<'static>>, u16),
    /// Yes or no; `None` until answered.
    Answer(Option<bool>),
    Choice {
        options: Vec<String>,
        chosen: usize,
    },
}

/// How a field's text is read and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    /// A whole number of at least 0 (outcome counts).
    Count,
    Date,
    Target,
    Rule,
}

pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub input: Input,
    pub kind: Kind,
    pub required: bool,
    pub error: Option<String>,
    /// A live note under the field (a rule that parses, the grammar).
    pub note: Option<String>,
    /// The text it was filled with when the form opened: what the record said then.
    pub prefilled: Option<String>,
}

fn area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n').map(str::to_string).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_cursor_line_style(ratatui::style::Style::new());
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

impl Field {
    pub fn text(name: &'static str, label: &str, required: bool) -> Field {
        Field {
            name,
            label: label.to_string(),
            input: Input::Line(Box::new(area(""))),
            kind: Kind::Text,
            required,
            error: None,
            note: None,
            prefilled: None,
        }
    }

    pub fn lines(name: &'static str, label: &str, rows: u16) -> Field {
        Field {
            input: Input::Lines(Box::new(area("")), rows),
            ..Field::text(name, label, false)
        }
    }

    pub fn number(name: &'static str, label: &str) -> Field {
        Field {
            kind: Kind::Number,
            ..Field::text(name, label, true)
        }
    }

    pub fn count(name: &'static str, label: &str) -> Field {
        Field {
            kind: Kind::Count,
            ..Field::text(name, label, true)
        }
        .prefill("0")
    }

    pub fn date(name: &'static str, label: &str, today: Stamp) -> Field {
        Field {
            kind: Kind::Date,
            ..Field::text(name, label, true)
        }
        .prefill(&today.local_date().format("%Y-%m-%d").to_string())
    }

    pub fn answer(name: &'static str, label: &str) -> Field {
        Field {
            input: Input::Answer(None),
            required: true,
            ..Field::text(name, label, true)
        }
    }

    pub fn choice(name: &'static str, label: &str, options: Vec<String>, chosen: usize) -> Field {
        Field {
            input: Input::Choice { options, chosen },
            ..Field::text(name, label, true)
        }
    }

    pub fn kind(mut self, kind: Kind) -> Field {
        self.kind = kind;
        self.select_prefilled();
        self.check_live();
        self
    }

    /// A fixed note under the field: an example of what it expects.
    pub fn note(mut self, text: &str) -> Field {
        self.note = Some(text.to_string());
        self
    }

    /// Replaces the field's content (a text's, or a yes/no answer's).
    pub fn set(&mut self, value: &str) {
        match &mut self.input {
            Input::Line(t) => **t = area(value),
            Input::Lines(t, _) => **t = area(value),
            Input::Answer(a) => *a = Some(value == "yes"),
            Input::Choice { .. } => {}
        }
        self.select_prefilled();
        self.error = None;
        self.check_live();
    }

    pub fn prefill(mut self, value: &str) -> Field {
        self.prefilled = Some(value.to_string());
        match &mut self.input {
            Input::Line(t) => **t = area(value),
            Input::Lines(t, _) => **t = area(value),
            Input::Answer(a) => *a = Some(value == "yes"),
            Input::Choice { .. } => {}
        }
        self.select_prefilled();
        self.check_live();
        self
    }

    /// A pre-filled number, count, date or target is a suggestion the user usually retypes
    /// whole (today's date, a count of 0, the current target): its text starts selected, so the
    /// first character typed or pasted replaces it (`5` into `3` gives `5`, not `35`), while a
    /// cursor key or Backspace first keeps it for editing. Text, notes and rules are edited in
    /// place, so they start unselected.
    fn select_prefilled(&mut self) {
        let replaceable = matches!(
            self.kind,
            Kind::Number | Kind::Count | Kind::Date | Kind::Target
        );
        if let Input::Line(t) = &mut self.input {
            t.cancel_selection();
            if replaceable && !t.is_empty() {
                t.select_all();
            }
        }
    }

    /// The text typed (lines joined by newlines).
    pub fn value(&self) -> String {
        match &self.input {
            Input::Line(t) | Input::Lines(t, _) => t.lines().join("\n"),
            Input::Answer(a) => match a {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            Input::Choice { options, chosen } => options.get(*chosen).cloned().unwrap_or_default(),
        }
    }

    pub(super) fn is_text(&self) -> bool {
        matches!(self.input, Input::Line(_) | Input::Lines(..))
    }

    /// Inserts typed or pasted text; control characters become spaces (a line break stays only
    /// in a multi-line field), so a paste can never smuggle an escape sequence into a record.
    /// Terminals paste a line break as CR (or CRLF): it is a line break. The joiners that
    /// Persian, Hindi and emoji sequences are written with are kept, as the command line keeps
    /// them: what was typed is what is stored.
    pub fn insert(&mut self, text: &str) {
        let multi = matches!(self.input, Input::Lines(..));
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let clean: String = text
            .chars()
            .map(|c| {
                if c == '\n' && multi {
                    '\n'
                } else if kept(c) {
                    c
                } else if crate::display::is_unsafe(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        if let Input::Line(t) | Input::Lines(t, _) = &mut self.input {
            t.insert_str(clean);
        }
        self.error = None;
        self.check_live();
    }

    /// Checks what can be checked while typing (a kill rule's grammar).
    fn check_live(&mut self) {
        if self.kind == Kind::Target {
            let v = self.value();
            let v = v.trim();
            self.note = Some(if v.is_empty() {
                "optional: the change that would matter, e.g. -20% or -1.5 (in the metric's unit)"
                    .to_string()
            } else {
                match crate::domain::stats::Target::parse(v) {
                    Ok(t) => format!("✓ reads as: a change of {} from the baseline", t.to_text()),
                    Err(e) => format!("✗ {}", e.message),
                }
            });
        }
        if self.kind == Kind::Rule {
            let v = self.value();
            let v = v.trim();
            self.note = if v.is_empty() {
                Some(crate::domain::rules::GRAMMAR.to_string())
            } else {
                match crate::domain::rules::KillRule::parse(v) {
                    Ok(rule) => Some(format!("✓ reads as: {rule}")),
                    Err(e) => Some(format!("✗ {}", e.message)),
                }
            };
        }
    }

    pub(super) fn key(&mut self, e: &KeyEvent) {
        match (&mut self.input, e.code) {
            (Input::Answer(a), KeyCode::Char('y' | 'Y')) => *a = Some(true),
            (Input::Answer(a), KeyCode::Char('n' | 'N')) => *a = Some(false),
            (Input::Answer(a), KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                *a = Some(!a.unwrap_or(false));
            }
            (Input::Choice { options, chosen }, KeyCode::Left) => {
                *chosen = (*chosen + options.len() - 1) % options.len().max(1);
            }
            (Input::Choice { options, chosen }, KeyCode::Right | KeyCode::Char(' ')) => {
                *chosen = (*chosen + 1) % options.len().max(1);
            }
            (Input::Answer(_) | Input::Choice { .. }, _) => {}
            (Input::Line(t) | Input::Lines(t, _), KeyCode::Char(c))
                if !e.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                let c = if crate::display::is_unsafe(c) && !kept(c) {
                    ' '
                } else {
                    c
                };
                t.insert_char(c);
            }
            (Input::Lines(t, _), KeyCode::Enter) => t.insert_newline(),
            // Backspace on a selected pre-filled value edits it (drops its last character)
            // rather than clearing it all.
            (Input::Line(t), KeyCode::Backspace) if t.is_selecting() => {
                t.cancel_selection();
                t.delete_char();
            }
            // The shell's line-editing keys, which the text area would read as undo and nothing.
            (Input::Line(t) | Input::Lines(t, _), KeyCode::Char('u'))
                if e.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                t.delete_line_by_head();
            }
            (Input::Line(t) | Input::Lines(t, _), KeyCode::Char('w'))
                if e.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                t.delete_word();
            }
            (Input::Line(t) | Input::Lines(t, _), _) => {
                t.input(*e);
            }
        }
        self.error = None;
        self.check_live();
    }

    /// Checks the field; `false` marks it with the problem.
    pub(super) fn validate(&mut self, now: Stamp) -> bool {
        let v = self.value();
        let v = v.trim();
        self.error = match (&self.input, self.kind) {
            (Input::Answer(None), _) => Some(format!("{}: answer y or n", self.label)),
            (Input::Answer(_) | Input::Choice { .. }, _) => None,
            _ if v.is_empty() && self.required => Some(format!("{} is required", self.label)),
            _ if v.is_empty() => None,
            (_, Kind::Number) => num::parse(v).err().map(|e| e.message),
            (_, Kind::Count) => match v.parse::<u32>() {
                Ok(_) => None,
                Err(_) => Some(format!(
                    "`{v}` is not a count: write a whole number like 0 or 12"
                )),
            },
            // Untrimmed: a date is typed in one form only, as on the command line.
            (_, Kind::Date) => parse_when(&self.value(), now).err().map(|e| e.message),
            (_, Kind::Target) => crate::domain::stats::Target::parse(v)
                .err()
                .map(|e| e.to_string()),
            (_, Kind::Rule) => crate::domain::rules::KillRule::parse(v)
                .err()
                .map(|e| e.message),
            (_, Kind::Text) => None,
        };
        self.error.is_none()
    }
}

/// The zero-width non-joiner and joiner: part of how words and emoji are written, and harmless
/// to a terminal (they neither move the cursor nor reorder text).
fn kept(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(f: &mut Field, code: KeyCode) {
        f.key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn typed(mut f: Field, keys: &[KeyCode]) -> String {
        for k in keys {
            key(&mut f, *k);
        }
        f.value()
    }

    #[test]
    fn typing_into_a_prefilled_number_replaces_it() {
        let three = || Field::number("v", "value").prefill("3");
        assert_eq!(typed(three(), &[KeyCode::Char('5')]), "5");
        assert_eq!(
            typed(three(), &[KeyCode::Char('5'), KeyCode::Char('2')]),
            "52"
        );
        // A cursor key or Backspace first keeps the value for editing.
        assert_eq!(typed(three(), &[KeyCode::End, KeyCode::Char('5')]), "35");
        assert_eq!(typed(three(), &[KeyCode::Home, KeyCode::Char('1')]), "13");
        let f = Field::number("v", "value").prefill("3.5");
        assert_eq!(typed(f, &[KeyCode::Backspace, KeyCode::Char('7')]), "3.7");
        // A paste replaces it too.
        let mut f = three();
        f.insert("12");
        assert_eq!(f.value(), "12");
    }

    #[test]
    fn counts_dates_and_targets_are_replaced_too() {
        assert_eq!(
            typed(Field::count("n", "count"), &[KeyCode::Char('4')]),
            "4"
        );
        let today = Field::date("d", "date", Stamp::EPOCH);
        assert_eq!(typed(today, &[KeyCode::Char('y')]), "y");
        let target = Field::text("t", "target", false)
            .kind(Kind::Target)
            .prefill("-20%");
        assert_eq!(
            typed(target, &[KeyCode::Char('-'), KeyCode::Char('5')]),
            "-5"
        );
        // A value set by a choice (a form's refill) is replaceable as well.
        let mut f = Field::number("v", "value");
        f.set("8");
        assert_eq!(typed(f, &[KeyCode::Char('9')]), "9");
    }

    #[test]
    fn prefilled_text_is_edited_not_replaced() {
        let title = Field::text("title", "title", true).prefill("Invoices");
        assert_eq!(typed(title, &[KeyCode::Char('!')]), "Invoices!");
        let notes = Field::lines("notes", "notes", 3).prefill("a");
        assert_eq!(typed(notes, &[KeyCode::Char('b')]), "ab");
        let rule = Field::text("rule", "rule", true)
            .kind(Kind::Rule)
            .prefill("below 3 for 2 weeks");
        assert_eq!(typed(rule, &[KeyCode::Char('x')]), "below 3 for 2 weeksx");
    }
}
