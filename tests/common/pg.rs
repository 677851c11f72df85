//! A throwaway PostgreSQL cluster for the tests, started once per test binary from the installed
//! binaries (`/usr/lib/postgresql/*/bin`), as the `postgres` user when the tests run as root
//! (PostgreSQL refuses to run as root), on a free loopback port in a temporary folder, and
//! stopped by a watchdog when the test process exits. Without PostgreSQL the tests that need it
//! are skipped with a printed reason; under `CI=true` they fail instead.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    pub bin: PathBuf,
    /// The role tests act as: it owns every test database (and so migrates it).
    pub user: &'static str,
}

thread_local! {
    /// Set while a test runs on PostgreSQL (see `also_on_postgres!`).
    static ON_POSTGRES: Cell<bool> = const { Cell::new(false) };
}

/// The cluster when the current test runs on PostgreSQL.
pub fn current() -> Option<&'static Cluster> {
    if ON_POSTGRES.get() { cluster() } else { None }
}

/// The cluster, or `None` after saying why there is none (a failure under `CI=true`).
pub fn require(name: &str) -> Option<&'static Cluster> {
    let c = cluster();
    if c.is_none() {
        let why =
            "PostgreSQL is not installed here (/usr/lib/postgresql/*/bin); `.ci/run` installs it";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{name}: {why}");
        }
        eprintln!("skipped {name} on PostgreSQL: {why}");
    }
    c
}

/// Runs `test` on PostgreSQL, or says why it cannot.
pub fn run_on_postgres(name: &str, test: fn()) {
    if require(name).is_none() {
        return;
    }
    ON_POSTGRES.set(true);
    test();
    ON_POSTGRES.set(false);
}

/// Declares, for tests of this file, a copy of each that runs on PostgreSQL.
#[macro_export]
macro_rules! also_on_postgres {
    ($($name:ident),* $(,)?) => {
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::pg::run_on_postgres(stringify!($name), super::$name);
                }
            )*
        }
    };
}

pub fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop()
}

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// A command of the PostgreSQL binaries, run as `postgres` when we are root.
pub fn as_postgres(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A folder the `postgres` user can write.
pub fn private_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "jobloop-pg-{tag}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).expect("cluster folder");
    if is_root() {
        let pg = nix::unistd::User::from_name("postgres")
            .ok()
            .flatten()
            .expect("a postgres user");
        nix::unistd::chown(&dir, Some(pg.uid), Some(pg.gid)).expect("chown");
    }
    dir
}

/// Starts a cluster in `dir` on `port`; `extra` server settings are added.
pub fn start_cluster(bin: &Path, dir: &Path, port: u16, extra: &[&str]) -> bool {
    let data = dir.join("data");
    let ok = as_postgres(bin, "initdb")
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "--no-locale", "-U", "postgres", "-E", "UTF8"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok && pg_ctl_start(bin, dir, port, extra)
}

pub fn pg_ctl_start(bin: &Path, dir: &Path, port: u16, extra: &[&str]) -> bool {
    let mut opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1",
        dir.display()
    );
    for e in extra {
        opts.push_str(" -c ");
        opts.push_str(e);
    }
    as_postgres(bin, "pg_ctl")
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-o", &opts, "-l"])
        .arg(dir.join("log"))
        .args(["-w", "-t", "60", "start"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops the cluster in `dir` (and removes the folder) when this process exits.
pub fn stop_when_done(bin: &Path, dir: &Path) {
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {runuser}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runuser = if is_root() {
            "runuser -u postgres -- "
        } else {
            ""
        },
        pg_ctl = bin.join("pg_ctl").display(),
        data = dir.join("data").display(),
        dir = dir.display(),
    );
    let _ = Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let bin = bin_dir()?;
            let dir = private_dir("tests");
            let port = free_port();
            // The functional suite needs no crash safety: fsync off keeps it fast. The failover
            // test starts its own clusters with the defaults.
            if !start_cluster(&bin, &dir, port, &["fsync=off", "synchronous_commit=off"]) {
                let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                panic!("the test cluster did not start:\n{log}");
            }
            stop_when_done(&bin, &dir);
            let c = Cluster {
                dir,
                port,
                bin,
                user: "tester",
            };
            c.admin()
                .batch_execute("CREATE ROLE tester LOGIN CREATEROLE")
                .expect("test role");
            Some(c)
        })
        .as_ref()
}

impl Cluster {
    /// A connection as the superuser.
    pub fn admin(&self) -> postgres::Client {
        postgres::Client::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres dbname=postgres",
                self.port
            ),
            postgres::NoTls,
        )
        .expect("connect to the test cluster")
    }

    pub fn url(&self, user: &str, db: &str) -> String {
        format!("postgresql://{user}@127.0.0.1:{}/{db}", self.port)
    }

    /// A new database owned by the test role, with the jobloop schema; its URL.
    pub fn new_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}", N.fetch_add(1, Ordering::SeqCst));
        self.admin()
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {}", self.user))
            .expect("create the test database");
        let url = self.url(self.user, &name);
        jobloop::store::Store::migrate(Path::new(&url)).expect("migrate the test database");
        url
    }
}
