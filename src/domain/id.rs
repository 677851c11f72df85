//! Typed record ids: an `Id<Job>` and an `Id<Loop>` are both UUID text, but one cannot be passed
//! where the other is wanted. The kind is a marker only (`PhantomData<fn() -> T>`: no bound on
//! `T`, always `Send + Sync`), and the id is its text and nothing else on the wire: serde sees a
//! plain string, so stored rows, audit event bodies, their hashes and exports are unchanged.
//!
//! An id is made from text only where text becomes an id on purpose: `Ids::next` (new records),
//! a stored row's column (the store's `Fields::id_of`), an import's parsing (serde) and a short
//! reference once resolved against the records it names (`find_by_ref`). Everywhere else it is
//! passed on as it is. It gives its text back with `as_str()`, `AsRef<str>`, `Borrow<str>` and
//! `Display` — deliberately not `Deref<Target = str>`, which would let `&Id<Loop>` coerce silently
//! into any `&str` parameter (including one meant for a job's id) and so undo the point.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of a record of kind `T` (the record's own struct names the kind: `Id<Job>`).
///
/// A job's id where a loop's is wanted does not compile:
///
/// ```compile_fail,E0308
/// use jobloop::domain::model::{JobId, LoopId};
/// fn loop_only(_: &LoopId) {}
/// loop_only(&JobId::from_text("job1"));
/// ```
///
/// nor does an id where its text is wanted, without saying so (`as_str()`):
///
/// ```compile_fail,E0308
/// use jobloop::domain::model::LoopId;
/// fn text(_: &str) {}
/// text(&LoopId::from_text("loop1"));
/// ```
///
/// while the same id passed as itself does:
///
/// ```
/// use jobloop::domain::model::{JobId, LoopId};
/// fn loop_only(id: &LoopId) -> &str { id.as_str() }
/// assert_eq!(loop_only(&LoopId::from_text("loop1")), "loop1");
/// let _job: JobId = JobId::from_text("job1");
/// ```
pub struct Id<T> {
    text: String,
    kind: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    /// Text that is known to be an id of a `T` (see the module's note on where that is).
    pub fn from_text(text: impl Into<String>) -> Id<T> {
        Id {
            text: text.into(),
            kind: PhantomData,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

// Written out rather than derived: a derive would ask `T: Clone` (etc.) of the marker, which a
// record struct need not be.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Id<T> {
        Id::from_text(self.text.clone())
    }
}

impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Id<T>) -> bool {
        self.text == other.text
    }
}

impl<T> Eq for Id<T> {}

impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Id<T>) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Id<T>) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

/// Hashes as its text does, as `Borrow<str>` requires (a map keyed by ids is looked up by `&str`).
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl<T> PartialEq<str> for Id<T> {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl<T> PartialEq<&str> for Id<T> {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl<T> PartialEq<String> for Id<T> {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl<T> PartialEq<Id<T>> for str {
    fn eq(&self, other: &Id<T>) -> bool {
        self == other.text
    }
}

impl<T> PartialEq<Id<T>> for &str {
    fn eq(&self, other: &Id<T>) -> bool {
        *self == other.text
    }
}

impl<T> PartialEq<Id<T>> for String {
    fn eq(&self, other: &Id<T>) -> bool {
        *self == other.text
    }
}

impl<T> AsRef<str> for Id<T> {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl<T> Borrow<str> for Id<T> {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The text alone, as it is stored: `"0190…"`, not `Id("0190…")`, so a test's or a log's
/// `{:?}` of a record reads as before.
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id<T>, D::Error> {
        String::deserialize(d).map(Id::from_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;

    #[test]
    fn an_id_is_its_text_on_the_wire_and_in_a_map() {
        let id: Id<Thing> = Id::from_text("0190-abc");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"0190-abc\"")
        );
        let back: Id<Thing> =
            serde_json::from_str("\"0190-abc\"").unwrap_or_else(|_| Id::from_text(""));
        assert_eq!(back, id);
        assert_eq!(format!("{id} {id:?}"), "0190-abc \"0190-abc\"");
        let map: std::collections::HashMap<Id<Thing>, i32> = [(id.clone(), 1)].into();
        assert_eq!(map.get("0190-abc"), Some(&1));
        assert!(id == "0190-abc");
    }
}
