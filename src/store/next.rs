//! What the user can do about a store error or a `doctor` finding, as a step rather than words:
//! the store knows what would help, each front end says how to do it (the CLI as a command line,
//! the TUI in its own words), so no command line is written in the store.

/// A step that would help, with what a front end needs to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Give the path of a database file (what was given is a folder, a device…).
    GiveFile,
    /// Make a new database at `db` (the path as shown).
    Init { db: String },
    /// Name every record that disagrees with the audit trail.
    Verify,
    /// List every row that cannot be read, and the rest of what is wrong.
    Doctor,
    /// Move the log that does not belong to the file at `db` aside (nothing is deleted).
    MoveLogAside { db: String },
    /// Rebuild the derived states from the records (the records are not touched).
    RebuildStates,
    /// Drop the triggers and views planted in the file (code, not records).
    DropPlanted,
    /// Restore the latest backup, or export what is readable.
    RestoreBackup,
    /// Create the database on the server, then its shared schema.
    CreateDatabase,
    /// Create or upgrade the shared schema, as the database's owner.
    Migrate,
    /// Create the shared database again, storing text as UTF-8 (`encoding` is what it uses).
    Utf8Database { encoding: String },
    /// Give a `place`'s person their login role's exact name: the job's lead does it.
    Rename { place: Place, role: String },
}

/// Where a person is named (see `Next::Rename`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The lead of the job `slug`.
    Lead { slug: String },
    /// The owner of the loop `slug`/`kind`.
    Owner { slug: String, kind: String },
    /// The owner of the decision `id` on the loop `slug`/`kind`.
    Decision {
        slug: String,
        kind: String,
        id: String,
    },
}
