//! The person's name, asked once when neither --as, JOBLOOP_USER, $USER nor the system gives one.

use super::{Field, Form, Purpose};

pub fn name_prompt() -> Form {
    let mut f = Form::new(
        "Who is recording?".into(),
        vec![Field::text("name", "your name", true)],
        |_| Err("a name is not an intent".into()),
    )
    .intro(vec![
        "This system gives no account name; the audit trail needs one for every record.".into(),
    ]);
    f.purpose = Purpose::Name;
    f
}

/// The name typed, checked as the command line checks `--as`.
pub fn read(f: &Form) -> Result<String, String> {
    let name = f.text("name");
    let n = name.chars().count();
    if n == 0 {
        return Err("a name is required".into());
    }
    if n > crate::domain::dataset::MAX_ACTOR {
        return Err(format!(
            "the name is {n} characters long; the limit is {}",
            crate::domain::dataset::MAX_ACTOR
        ));
    }
    Ok(name)
}
