//! Commands on the shared PostgreSQL database.

use super::*;

/// A command on the shared PostgreSQL database: the server's identity acts, the schema is
/// created by `migrate` only, and `team` manages the people.
pub(super) fn shared_cmd(cli: &Cli, path: &Path, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Init => Err(fail(
            exit::USAGE,
            "`init` makes a local file; a shared PostgreSQL database is set up with `jobloop --db URL migrate`",
        )),
        Command::Migrate => {
            let store = Store::migrate(path)?;
            emit(&format!(
                "{}: the shared schema is at version {}; add people with `jobloop --db URL team add NAME`\n",
                clean(&store.path().display().to_string()),
                store::SCHEMA_VERSION
            ))
        }
        Command::Team(TeamCmd::List { json }) => team_list(path, *json),
        Command::Team(TeamCmd::Add {
            name,
            password_stdin,
        }) => team_add(path, name, *password_stdin),
        _ if command.reads_only() => {
            let mut store = Store::open(path, Missing::Refuse)?;
            read_cmd(&mut store, command)
        }
        Command::Import { file } => import_cmd(path, file),
        Command::Demo { jobs, weeks, seed } => demo_cmd(path, *jobs as usize, *weeks, *seed),
        _ => {
            let hooks = hooks_for_writes()?;
            let mut store = Store::open(path, Missing::Refuse)?;
            let ctx = store.ctx(cli.actor.as_deref(), Stamp::now())?;
            write_cmd(&mut store, &ctx, command, &hooks)
        }
    }
}

/// `team list`: each person, and whether they can log in.
fn team_list(path: &Path, json: bool) -> Result<(), Failure> {
    let mut store = Store::open(path, Missing::Refuse)?;
    let members = store.team()?;
    if json {
        return emit_json(&members);
    }
    let mut text = String::new();
    for m in &members {
        text.push_str(&format!(
            "{}{}\n",
            clean(&m.name),
            if m.can_login { "" } else { " (cannot log in)" }
        ));
    }
    if members.is_empty() {
        text.push_str("nobody yet: add people with `jobloop --db URL team add NAME`\n");
    }
    emit(&text)
}

/// `team add NAME`: a login role, with a password read from standard input if asked.
fn team_add(path: &Path, name: &str, password_stdin: bool) -> Result<(), Failure> {
    let password = if password_stdin {
        let mut line = String::new();
        io::stdin()
            .read_line(&mut line)
            .map_err(|e| fail(exit::IO, format!("cannot read the password: {e}")))?;
        Some(line.trim_end_matches(['\n', '\r']).to_string())
    } else {
        None
    };
    let mut store = Store::open(path, Missing::Refuse)?;
    let said = store.team_add(name, password.as_deref())?;
    emit(&format!("{}\n", clean(&said)))
}
