//! How domain values are written to and read from SQLite columns.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::LoopKind;
use crate::domain::model::{
    Better, Capability, KillDecision, LearningType, Measures, Phase, ProofKind, SignalState,
    Status, Visibility,
};
use crate::domain::time::Stamp;

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_text()))
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        Stamp::parse(s).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl ToSql for LoopKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for LoopKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        LoopKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or(FromSqlError::InvalidType)
    }
}

macro_rules! sql_text_enum {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                <$t>::from_text(value.as_str()?).ok_or(FromSqlError::InvalidType)
            }
        }
    )+};
}

sql_text_enum!(
    Status,
    Better,
    Measures,
    Phase,
    SignalState,
    KillDecision,
    LearningType,
    Capability,
    ProofKind,
    Visibility
);
