//! Values as CSV, in and out: the columns `job,kind,date,value` and optionally `phase`, `guard`,
//! `note`, `source`, in any order, named by a header row. Reading checks each cell as the
//! commands would and names the line and the column of the first one that is wrong; what the
//! rows mean (their phase, whether they were recorded already) is the domain's to say.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::domain::model::{Phase, Value};
use crate::domain::time::parse_when;
use crate::domain::value_import::{Place, ValueRow};
use crate::domain::{LoopKind, Stamp};

/// The columns a file must have.
pub const REQUIRED: [&str; 4] = ["job", "kind", "date", "value"];
/// The columns it may have besides.
pub const OPTIONAL: [&str; 4] = ["phase", "guard", "note", "source"];

/// What is wrong with a file, at a line and (when it is one cell) a column.
#[derive(Debug, PartialEq)]
pub struct BadRow {
    pub line: u64,
    pub column: Option<String>,
    pub why: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column `{c}`: {}", self.line, self.why),
            None => write!(f, "line {}: {}", self.line, self.why),
        }
    }
}

/// The largest values file read: far above any real history, and bounded so that a runaway
/// pipe cannot take all the memory.
const MAX_BYTES: u64 = 1 << 30;

/// Reads every row of `input`, dates read as of `now`. The first wrong cell ends the reading.
pub fn read(input: impl Read, now: Stamp) -> Result<Vec<ValueRow>, BadRow> {
    let text = read_text(input)?;
    // A byte-order mark (what many exporters write first) is no part of the first cell: left
    // there, a quoted header (`"job",…`) would read as a quote inside an unquoted cell.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    strict_quotes(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad(1, None, csv_words(&e)))?
        .clone();
    let at = columns(&headers)?;
    // Lines as an editor numbers them — a break is LF, CRLF (what spreadsheets write) or a lone
    // CR — counted from the byte a record starts at (the reader's own count knows only LF).
    let starts = line_starts(text);
    let bytes = text.as_bytes();
    let line_at = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            // The reader may place a record at the LF of the CRLF before it: a record starts at
            // its first byte that is not a line break.
            let mut byte = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
                byte += 1;
            }
            starts.partition_point(|s| *s <= byte) as u64
        })
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(line_at(e.position()), None, csv_words(&e)))?;
        let line = line_at(record.position());
        rows.push(row(&record, &at, line, now)?);
    }
    Ok(rows)
}

/// A wrong cell or line, for the message that names it.
fn bad(line: u64, column: Option<&str>, why: String) -> BadRow {
    BadRow {
        line,
        column: column.map(str::to_string),
        why,
    }
}

/// The whole input as UTF-8 text, up to `MAX_BYTES`.
fn read_text(input: impl Read) -> Result<String, BadRow> {
    let mut text = String::new();
    let bad_text = |why: String| bad(1, None, why);
    input
        .take(MAX_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => {
                bad_text("the file is not UTF-8 text: save it as UTF-8".into())
            }
            _ => bad_text(format!("the file cannot be read ({e})")),
        })?;
    if text.len() as u64 > MAX_BYTES {
        return Err(bad_text(format!(
            "the file is larger than {} GiB: split it",
            MAX_BYTES >> 30
        )));
    }
    Ok(text)
}

/// Where each column of the header is: every name known, none twice, the required ones there.
fn columns(headers: &csv::StringRecord) -> Result<HashMap<String, usize>, BadRow> {
    let mut at: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
            return Err(bad(
                1,
                Some(h),
                format!(
                    "is not a column jobloop knows: the header names {} and optionally {}{}",
                    REQUIRED.join(","),
                    OPTIONAL.join(","),
                    // A spreadsheet set to another locale separates with `;` or a tab.
                    if h.contains(';') || h.contains('\t') {
                        ", separated by commas (save the file with commas as separators)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if at.insert(name.clone(), i).is_some() {
            return Err(bad(1, Some(h), "is named twice in the header".into()));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !at.contains_key(**c)) {
        return Err(bad(
            1,
            None,
            format!(
                "the header has no `{missing}` column: it names {} (and optionally {})",
                REQUIRED.join(","),
                OPTIONAL.join(",")
            ),
        ));
    }
    Ok(at)
}

/// One record as a value row, each cell checked as the command line checks it.
fn row(
    record: &csv::StringRecord,
    at: &HashMap<String, usize>,
    line: u64,
    now: Stamp,
) -> Result<ValueRow, BadRow> {
    let cell = |name: &str| -> Option<&str> {
        at.get(name)
            .and_then(|i| record.get(*i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let need = |name: &str| {
        cell(name).ok_or_else(|| bad(line, Some(name), "is empty: every row needs one".into()))
    };
    let wrong = |name: &str, why: String| bad(line, Some(name), why);
    let job = need("job")?.to_string();
    let kind = LoopKind::parse(need("kind")?).map_err(|e| wrong("kind", e.message))?;
    need("date")?;
    // Untrimmed: a date is typed in one form only (`parse_typed_day`), here as everywhere.
    let raw_date = at.get("date").and_then(|i| record.get(*i)).unwrap_or("");
    let date = parse_when(raw_date, now).map_err(|e| wrong("date", e.message))?;
    let typed = need("value")?.to_string();
    let value = crate::domain::num::parse(&typed).map_err(|e| wrong("value", e.message))?;
    let phase = match cell("phase") {
        None => None,
        Some(p) => Some(Phase::from_text(&p.to_ascii_lowercase()).ok_or_else(|| {
            wrong(
                "phase",
                format!("`{p}` is not a phase: write baseline or live, or leave it empty"),
            )
        })?),
    };
    Ok(ValueRow {
        place: Place::Line(line),
        job,
        kind,
        date,
        value,
        typed,
        phase,
        guard: cell("guard").map(|c| unguard_cell(c).to_string()),
        note: cell("note").map(|c| unguard_cell(c).to_string()),
        source: cell("source").map(|c| unguard_cell(c).to_string()),
        // A file names its loop, not a metric: it is recorded under the metric in force.
        shown: None,
    })
}

/// Quotes as RFC 4180 has them, checked before the file is read as CSV (which would take a quote
/// that never closes as the start of one cell holding the rest of the file): a quoted cell is
/// quoted from its first character to its end, and a quote inside it is doubled.
/// The byte each line starts at (the first at 0): after LF, after CRLF (as one break), after a
/// lone CR.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = vec![0];
    for (i, b) in bytes.iter().enumerate() {
        let lone_cr = *b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if *b == b'\n' || lone_cr {
            out.push(i + 1);
        }
    }
    out
}

fn strict_quotes(text: &str) -> Result<(), BadRow> {
    let bad = |line: u64, why: &str| BadRow {
        line,
        column: None,
        why: why.to_string(),
    };
    let (mut line, mut opened) = (1u64, 0u64);
    let (mut quoted, mut start) = (false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\0' {
            return Err(bad(line, "holds a NUL character: the file is not text"));
        }
        let newline = c == '\n' || (c == '\r' && chars.peek() != Some(&'\n'));
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = false;
                    if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                        return Err(bad(
                            line,
                            "a quoted cell goes on after its closing quote: quote the whole cell and double each quote inside it (\"a \"\"b\"\"\")",
                        ));
                    }
                }
            }
        } else {
            match c {
                '"' if start => {
                    quoted = true;
                    opened = line;
                }
                '"' => {
                    return Err(bad(
                        line,
                        "a quote inside an unquoted cell: quote the whole cell and double each quote inside it (\"a \"\"b\"\"\")",
                    ));
                }
                _ => {}
            }
            start = matches!(c, ',' | '\n' | '\r');
        }
        if newline {
            line += 1;
        }
    }
    if quoted {
        return Err(bad(
            opened,
            "a quote opened here is never closed: the rest of the file would be one cell",
        ));
    }
    Ok(())
}

fn csv_words(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text: save the file as UTF-8".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} cells where the header has {expected_len}"),
        csv::ErrorKind::Io(io) => format!("cannot be read ({io})"),
        _ => format!("is not CSV ({e})"),
    }
}

/// What a spreadsheet reads as the start of a formula (OWASP's list), and the apostrophe that
/// protects them.
const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// A text cell as written: one starting with a formula character gets an apostrophe in front,
/// which spreadsheets read as "this is text" (and hide), so a note `=HYPERLINK(…)` is shown, not
/// run. A cell starting with an apostrophe gets one too, so `unguard` can tell the two apart and
/// every text reads back exactly as it was stored.
pub fn guard_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A text cell as read: the apostrophe `guard_cell` put in front of a formula character (or of
/// an apostrophe) is taken off; any other apostrophe is part of the text (`'tis` stays `'tis`).
fn unguard_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
}

/// One value as a row, for `values export`.
pub struct Out<'a> {
    pub job: &'a str,
    pub kind: LoopKind,
    pub guard: Option<&'a str>,
    pub value: &'a Value,
}

/// Writes the header and `rows` in the format `read` reads (every optional column included).
pub fn write<'a>(
    out: &mut dyn Write,
    rows: impl IntoIterator<Item = Out<'a>>,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(REQUIRED.iter().chain(OPTIONAL.iter()))?;
    for r in rows {
        let v = r.value;
        w.write_record([
            r.job,
            r.kind.name(),
            &v.at.date().to_string(),
            &v.shown(),
            v.phase.as_str(),
            &guard_cell(r.guard.unwrap_or("")),
            &guard_cell(&v.note),
            &guard_cell(v.source.as_deref().unwrap_or("")),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Stamp {
        Stamp::parse("2026-11-25T12:00:00Z").unwrap()
    }

    #[test]
    fn lines_are_numbered_as_an_editor_does_whatever_ends_them() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "job,kind,date,value",
                "t,instr,2026-11-02,1",
                "t,instr,2026-11-03,x",
                "",
            ]
            .join(end);
            let e = read(text.as_bytes(), now()).unwrap_err().to_string();
            assert!(e.starts_with("line 3, column `value`"), "{end:?}: {e}");
        }
        // A quoted note over two lines counts as two lines.
        let text = "job,kind,date,value,note\r\nt,instr,2026-11-02,1,\"a\r\nb\"\r\nt,instr,2026-11-03,x,\r\n";
        let e = read(text.as_bytes(), now()).unwrap_err().to_string();
        assert!(e.starts_with("line 4, column `value`"), "{e}");
    }

    /// What spreadsheets and helpdesks write: a byte-order mark before a quoted header, every
    /// cell quoted; and a `;`-separated file is told to use commas.
    #[test]
    fn a_byte_order_mark_before_a_quoted_header_is_read() {
        let text = "\u{feff}\"job\",\"kind\",\"date\",\"value\"\r\n\"t\",\"instr\",\"2026-10-02\",\"11\"\r\n";
        let rows = read(text.as_bytes(), now()).unwrap();
        assert_eq!(rows.len(), 1);
        let e = read(
            "job;kind;date;value\nt;instr;2026-10-02;11\n".as_bytes(),
            now(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("separated by commas"), "{e}");
    }

    #[test]
    fn columns_in_any_order_quoted_and_unicode_cells() {
        let text = "value,Date,kind,job,note,source\n\"10.00\",2026-11-02,instr,t,\"café, \"\"ok\"\"\",A-1\n5,2026-11-09,instrument,t,,\n";
        let rows = read(text.as_bytes(), now()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].typed, "10.00");
        assert_eq!(rows[0].note.as_deref(), Some("café, \"ok\""));
        assert_eq!(rows[0].source.as_deref(), Some("A-1"));
        assert_eq!(rows[0].place, Place::Line(2));
        assert_eq!(rows[1].kind, LoopKind::Instrument);
        assert_eq!(rows[1].note, None);
    }

    #[test]
    fn the_first_wrong_cell_is_named_by_line_and_column() {
        let err = |t: &str| read(t.as_bytes(), now()).unwrap_err().to_string();
        assert!(err("job,kind,date\n").contains("no `value` column"));
        assert!(err("job,kind,date,value,colour\n").contains("column `colour`"));
        let e = err("job,kind,date,value\nt,instr,2026-11-02,1\nt,instr,2026-11-03,x\n");
        assert!(e.starts_with("line 3, column `value`"), "{e}");
        let e = err("job,kind,date,value\nt,instr,2999-01-01,1\n");
        assert!(e.starts_with("line 2, column `date`"), "{e}");
        for date in [
            "2026-11-2",
            " 2026-11-02",
            "2026-11-02 ",
            "\"2026-11-02 \"",
            "02/11/2026",
        ] {
            let e = err(&format!("job,kind,date,value\nt,instr,{date},1\n"));
            assert!(
                e.starts_with("line 2, column `date`") && e.contains("write YYYY-MM-DD"),
                "{date}: {e}"
            );
        }
        let e = err("job,kind,date,value\nt,nope,2026-11-02,1\n");
        assert!(e.starts_with("line 2, column `kind`"), "{e}");
        let e = err("job,kind,date,value,phase\nt,instr,2026-11-02,1,later\n");
        assert!(e.starts_with("line 2, column `phase`"), "{e}");
        let e =
            err("job,kind,date,value,note\nt,instr,2026-11-05,7,\"abc\nt,instr,2026-11-06,8,x\n");
        assert!(
            e.starts_with("line 2:") && e.contains("never closed"),
            "{e}"
        );
        let e = err("job,kind,date,value,note\nt,instr,2026-11-05,7,ab\"c\"d\n");
        assert!(e.starts_with("line 2:") && e.contains("unquoted"), "{e}");
        let e = err("job,kind,date,value,note\nt,instr,2026-11-05,7,\"ab\"cd\n");
        assert!(
            e.starts_with("line 2:") && e.contains("closing quote"),
            "{e}"
        );
        let e = err("job,kind,date,value,note\rt,instr,2026-11-05,7,x\rt,instr,2026-11-05,7,a\0\r");
        assert!(e.starts_with("line 3:") && e.contains("NUL"), "{e}");
        let e = err("job,kind,date,value\nt,instr,2026-11-02\n");
        assert!(e.starts_with("line 2:") && e.contains("3 cells"), "{e}");
    }
    fn value(note: &str, source: Option<&str>) -> Value {
        Value {
            id: crate::domain::id::Id::from_text("v"),
            loop_id: crate::domain::id::Id::from_text("l"),
            metric_id: crate::domain::id::Id::from_text("m"),
            phase: Phase::Baseline,
            value: -3.5,
            at: crate::domain::time::When::parse("2026-11-02").unwrap(),
            note: note.into(),
            recorded_by: "ana".into(),
            recorded_at: now(),
            void: None,
            typed: None,
            source: source.map(str::to_string),
        }
    }

    fn export(rows: &[(Option<&str>, Value)]) -> String {
        let mut out = Vec::new();
        let rows = rows.iter().map(|(guard, v)| Out {
            job: "t",
            kind: LoopKind::Instrument,
            guard: *guard,
            value: v,
        });
        write(&mut out, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn no_exported_text_cell_starts_a_formula() {
        let hostile = [
            "=HYPERLINK(\"http://x\";\"y\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "'=quoted already",
            "'tis",
            "plain",
        ];
        let rows: Vec<_> = hostile
            .iter()
            .map(|h| (Some(*h), value(h, Some(h))))
            .collect();
        let text = export(&rows);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut seen = 0;
        for record in reader.records() {
            let record = record.unwrap();
            // Columns guard, note and source: free text, protected. The value is a number
            // (`-3.5` is data to a spreadsheet, and `num::parse` reads nothing else).
            for cell in [5, 6, 7].map(|i| &record[i]) {
                assert!(
                    !cell.starts_with(&FORMULA_START[..6]),
                    "unprotected: {cell:?}"
                );
                seen += 1;
            }
            assert!(crate::domain::num::parse(&record[3]).is_ok());
        }
        assert_eq!(seen, 3 * hostile.len());
        // And each reads back as stored.
        let back = read(text.as_bytes(), now()).unwrap();
        for (row, h) in back.iter().zip(hostile) {
            assert_eq!(row.note.as_deref(), Some(h));
            assert_eq!(row.source.as_deref(), Some(h));
            assert_eq!(row.guard.as_deref(), Some(h));
        }
        // An apostrophe a person typed before anything else is theirs.
        let typed = read(
            "job,kind,date,value,note\nt,instr,2026-11-02,1,'tis\nt,instr,2026-11-02,1,'=x\n"
                .as_bytes(),
            now(),
        )
        .unwrap();
        assert_eq!(typed[0].note.as_deref(), Some("'tis"));
        assert_eq!(typed[1].note.as_deref(), Some("=x"));
    }

    proptest::proptest! {
        /// Every text the domain can store (trimmed, not empty) is exported and read back
        /// exactly, whatever it starts with.
        #[test]
        fn exported_text_reads_back_exactly(
            note in "[=+\\-@'\t\r a-zé\",\n]{0,3}[a-z'=]{1,4}[=+\\-@'\t\r a-zé\",\n]{0,3}",
        ) {
            let note = note.trim().to_string();
            proptest::prop_assume!(!note.is_empty());
            let text = export(&[(None, value(&note, Some(&note)))]);
            let back = read(text.as_bytes(), now()).unwrap();
            proptest::prop_assert_eq!(back[0].note.as_deref(), Some(note.as_str()));
            proptest::prop_assert_eq!(back[0].source.as_deref(), Some(note.as_str()));
        }
    }
}
