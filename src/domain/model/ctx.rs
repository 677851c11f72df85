//! Who acts, when, and where new ids come from: passed in with each command.

use super::Id;
use crate::domain::time::Stamp;

/// Who is acting and when: every command is stamped with both. In team mode (a shared database)
/// the actor is the server's authenticated identity and only a loop's owner and its job's lead
/// may record on it.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: String,
    pub now: Stamp,
    pub team: bool,
    /// Where the ids of the records this command makes come from.
    pub ids: Ids,
}

impl Ctx {
    pub fn local(actor: impl Into<String>, now: Stamp) -> Ctx {
        Ctx {
            actor: actor.into(),
            now,
            team: false,
            ids: Ids::fresh(),
        }
    }

    /// The same actor and moment, drawing ids from `ids`.
    pub fn with_ids(&self, ids: Ids) -> Ctx {
        Ctx {
            ids,
            ..self.clone()
        }
    }

    /// A new id for a record of kind `T` (see `Ids`): `ctx.new_id::<Job>()`, or inferred from
    /// the field it fills.
    pub fn new_id<T>(&self) -> Id<T> {
        self.ids.next()
    }
}

/// Where new record ids come from, passed in with each command (never a global): fresh UUIDv7s
/// (the clock and the system's randomness), a seeded sequence (the demo: a seed gives the same
/// database every time, and a test can fix them), and first any ids drawn before a command's
/// first attempt (a retried command makes the same records, so a commit in doubt is found by
/// its own event). Clones share one sequence.
#[derive(Clone, Debug, Default)]
pub struct Ids(std::sync::Arc<std::sync::Mutex<IdState>>);

#[derive(Debug, Default)]
struct IdState {
    planned: std::collections::VecDeque<String>,
    seed: Option<u64>,
}

impl Ids {
    pub fn fresh() -> Ids {
        Ids::default()
    }

    pub fn seeded(seed: u64) -> Ids {
        let ids = Ids::default();
        ids.state().seed = Some(seed ^ 0x6A6F_626C_6F6F_7021);
        ids
    }

    /// `planned` first, then fresh ones.
    pub fn planned(planned: Vec<String>) -> Ids {
        let ids = Ids::default();
        ids.state().planned = planned.into();
        ids
    }

    fn state(&self) -> std::sync::MutexGuard<'_, IdState> {
        // A panic elsewhere cannot leave the sequence half-updated: take it as it is.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next id: a UUIDv7, as text, made here rather than by the database so that a second
    /// store (PostgreSQL) can share the ids.
    /// One sequence serves every kind of record, so the values (and a seeded demo's database)
    /// do not depend on which kinds are drawn.
    pub fn next<T>(&self) -> Id<T> {
        Id::from_text(self.next_text())
    }

    /// `n` ids drawn ahead of a command, of whatever kinds it will make (see `planned`).
    pub fn draw(&self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.next_text()).collect()
    }

    fn next_text(&self) -> String {
        let mut st = self.state();
        if let Some(id) = st.planned.pop_front() {
            return id;
        }
        match st.seed {
            None => uuid::Uuid::now_v7().to_string(),
            Some(state) => {
                let (a, next) = splitmix(state);
                let (b, next) = splitmix(next);
                st.seed = Some(next);
                uuid::Uuid::from_u64_pair(a, b).to_string()
            }
        }
    }
}

/// The last eight characters of an id (the random part of a UUIDv7, whose start is a clock):
/// enough to type, shown wherever an id is asked for. Any kind of id, or its text.
pub fn short_id<I: AsRef<str> + ?Sized>(id: &I) -> &str {
    let id = id.as_ref();
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

/// Why a typed id matched no single record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    TooShort(String),
    NotFound(String),
    Ambiguous(String),
}

impl RefError {
    /// The refusal, naming what was looked for (`decision`) and where (`triage/govern`).
    pub fn about(self, what: &str, place: &str) -> crate::domain::Refusal {
        use crate::domain::Refusal;
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        match self {
            RefError::TooShort(r) => Refusal::invalid(format!(
                "`{r}` is too short to name {article} {what}: give at least 4 characters of its id"
            )),
            RefError::NotFound(r) => {
                Refusal::not_found(format!("{place} has no {what} with id `{r}`"))
            }
            RefError::Ambiguous(r) => Refusal::invalid(format!(
                "`{r}` matches more than one {what} of {place}: give more characters of the id"
            )),
        }
    }
}

/// The one id among `ids` that contains `reference` (at least four characters, any case): typed
/// ids of one kind (`&Id<Decision>`), or the text of ids of several kinds (`void` looks among all
/// of a loop's records).
pub fn find_by_ref<'a, I: AsRef<str> + ?Sized>(
    ids: impl Iterator<Item = &'a I>,
    reference: &str,
) -> Result<&'a I, RefError> {
    let wanted = reference.trim().to_lowercase();
    if wanted.chars().count() < 4 {
        return Err(RefError::TooShort(reference.trim().to_string()));
    }
    let mut found = ids.filter(|id| id.as_ref().to_lowercase().contains(&wanted));
    match (found.next(), found.next()) {
        (Some(id), None) => Ok(id),
        (None, _) => Err(RefError::NotFound(reference.trim().to_string())),
        (Some(_), Some(_)) => Err(RefError::Ambiguous(reference.trim().to_string())),
    }
}

/// One step of splitmix64: the next value and the next state.
pub fn splitmix(state: u64) -> (u64, u64) {
    let next = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = next;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31), next)
}
