//! A private PostgreSQL cluster for zero-config runs and for the test suite, started with
//! the machine's own server binaries. It lives in one directory and is reused across
//! restarts.
//!
//! It listens on no TCP port, only on a Unix socket in `socket/` inside its directory (mode
//! 0700, owned by the OS user the server runs as), so only that user and root reach it: the
//! trust login on 127.0.0.1 it had before let every account on the host in as superuser. As
//! root, the server runs as `postgres` and root still connects, since it passes any
//! permission check. The `postgres` superuser only sets up the application's own role and
//! database (`db::owner`).

use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Where the socket lives, inside the cluster's directory.
const SOCKET_DIR: &str = "socket";
/// A Unix socket's path holds at most 107 bytes (`sun_path`).
const SOCKET_PATH_MAX: usize = 107;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<(u32, u32)>,
    started_here: bool,
}

/// What `postmaster.pid` says about a server running on the directory.
struct Running {
    port: u16,
    socket_dir: String,
    listen_addresses: String,
}

impl Cluster {
    /// Starts the cluster in `dir` (creating it on first use), or attaches to the one
    /// already running there. `options` are extra `postgres -c` settings.
    pub fn start(dir: &Path, options: &[&str]) -> anyhow::Result<Cluster> {
        let bin = find_binaries()?;
        let run_as = postgres_user_if_root()?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        let mut cluster = Cluster { dir, bin, port: 0, run_as, started_here: false };
        if let Some((uid, gid)) = run_as {
            nix::unistd::chown(&cluster.dir, Some(uid.into()), Some(gid.into()))?;
        }
        if !cluster.dir.join("PG_VERSION").exists() {
            cluster.initdb()?;
        }
        let socket_dir = cluster.prepare_socket_dir()?;
        match cluster.running() {
            Some(running) if running.socket_dir == socket_dir && running.listen_addresses.is_empty() => {
                cluster.port = running.port;
                tracing::info!(port = running.port, "attached to the running private PostgreSQL");
                return Ok(cluster);
            }
            Some(_) => {
                tracing::warn!(
                    "the private PostgreSQL was left running with TCP by an earlier version; restarting it on its socket only"
                );
                cluster.stop()?;
            }
            None => {}
        }
        // The port only names the socket file. A free TCP port keeps that name apart from any
        // server on this machine, for anyone probing it or an option that turns TCP on.
        cluster.port = free_port()?;
        let mut server_options = format!(
            "-c port={} -c listen_addresses='' -c unix_socket_directories='{socket_dir}' \
             -c unix_socket_permissions=0700",
            cluster.port
        );
        for option in options {
            server_options.push_str(" -c ");
            server_options.push_str(option);
        }
        let log = cluster.dir.join("server.log");
        let status = cluster
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&cluster.dir)
            .arg("-l")
            .arg(&log)
            .args(["-o", &server_options])
            .stdout(std::process::Stdio::null())
            .status()
            .context("running pg_ctl start")?;
        if !status.success() {
            bail!("PostgreSQL did not start; see {}", log.display());
        }
        cluster.started_here = true;
        Ok(cluster)
    }

    /// The URL of `database` for the `postgres` superuser.
    pub fn url(&self, database: &str) -> String {
        self.url_as("postgres", database)
    }

    /// The URL of `database` for `role`; the host is the socket's directory, percent-encoded,
    /// which both libpq and tokio-postgres read as a Unix socket.
    pub fn url_as(&self, role: &str, database: &str) -> String {
        let socket_dir = self.dir.join(SOCKET_DIR);
        let host = percent_encoding::utf8_percent_encode(
            socket_dir.to_str().expect("checked to be UTF-8 at start"),
            percent_encoding::NON_ALPHANUMERIC,
        );
        format!("postgres://{role}@{host}:{}/{database}", self.port)
    }

    /// False when an earlier process left the server running and this one attached to it.
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fast shutdown that waits until the server has written its checkpoint.
    pub fn stop(&self) -> anyhow::Result<()> {
        let status = self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            bail!("pg_ctl stop failed for {}", self.dir.display());
        }
        Ok(())
    }

    /// Leaves a small watcher behind that stops the cluster once process `pid` is gone,
    /// however it ended. The test suite uses it so that no server outlives a run.
    pub fn stop_when_process_exits(&self, pid: u32) -> anyhow::Result<()> {
        let pg_ctl = self.bin.join("pg_ctl");
        let script = format!(
            "while [ -e /proc/{pid} ]; do sleep 0.5; done; \
             '{}' stop -m immediate -D '{}' >/dev/null 2>&1; rm -rf '{}'",
            pg_ctl.display(),
            self.dir.display(),
            self.dir.display()
        );
        let mut watcher = Command::new("sh");
        if let Some((uid, gid)) = self.run_as {
            watcher.uid(uid).gid(gid);
        }
        watcher
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0);
        watcher.spawn().context("starting the cluster watcher")?;
        Ok(())
    }

    fn initdb(&self) -> anyhow::Result<()> {
        let output = self
            .command("initdb")
            .args(["-U", "postgres", "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--no-locale"])
            .arg("-D")
            .arg(&self.dir)
            .output()
            .context("running initdb")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(())
    }

    /// Makes `socket/` (0700, owned by the server's user) and returns its path.
    fn prepare_socket_dir(&self) -> anyhow::Result<String> {
        let socket_dir = self.dir.join(SOCKET_DIR);
        let Some(path) = socket_dir.to_str().filter(|p| !p.contains(['\'', ',', '"', '\\'])) else {
            bail!(
                "{}: name the data dir without quotes, commas or backslashes, in UTF-8, so that it can hold PostgreSQL's socket",
                self.dir.display()
            );
        };
        if path.len() + "/.s.PGSQL.65535".len() > SOCKET_PATH_MAX {
            bail!(
                "{}: the path is too long for PostgreSQL's socket ({SOCKET_PATH_MAX} bytes at most); \
                 choose a shorter RALLYPOST_DATA_DIR",
                self.dir.display()
            );
        }
        if !socket_dir.is_dir() {
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&socket_dir)
                .with_context(|| format!("creating {}", socket_dir.display()))?;
        }
        std::fs::set_permissions(&socket_dir, std::fs::Permissions::from_mode(0o700))?;
        if let Some((uid, gid)) = self.run_as {
            nix::unistd::chown(&socket_dir, Some(uid.into()), Some(gid.into()))?;
        }
        Ok(path.to_owned())
    }

    /// The server already running on this directory, if any.
    fn running(&self) -> Option<Running> {
        let status = self
            .command("pg_ctl")
            .args(["status", "-D"])
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        let pid_file = std::fs::read_to_string(self.dir.join("postmaster.pid")).ok()?;
        let line = |n: usize| pid_file.lines().nth(n).unwrap_or("").trim().to_owned();
        Some(Running { port: line(3).parse().ok()?, socket_dir: line(4), listen_addresses: line(5) })
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command
    }
}

/// `initdb` and `pg_ctl` on PATH, else the newest `/usr/lib/postgresql/*/bin`.
fn find_binaries() -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow::anyhow!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL or set RALLYPOST_DATABASE_URL"
        )
    })
}

/// PostgreSQL refuses to run as root, so root runs it as the `postgres` user.
fn postgres_user_if_root() -> anyhow::Result<Option<(u32, u32)>> {
    if !nix::unistd::Uid::effective().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")?.ok_or_else(|| {
        anyhow::anyhow!("running as root needs a 'postgres' user to run the private PostgreSQL; create one or set RALLYPOST_DATABASE_URL")
    })?;
    Ok(Some((user.uid.as_raw(), user.gid.as_raw())))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
