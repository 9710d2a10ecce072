//! A real IMAP server per test: Debian's Dovecot (`dovecot-imapd`, installed by `.ci/run`)
//! with a throwaway configuration in a temp dir: its own port, one user in a passwd file,
//! a Maildir beside it. Run as root, Dovecot wants its own unprivileged users for its
//! processes and a mail user that is not root, so the Maildir is handed to `dovecot`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::unistd::{Gid, Uid, User};

use super::{TempDir, free_port};

const DOVECOT: &str = "/usr/sbin/dovecot";
const USER: &str = "bounces";
const PASSWORD: &str = "imap-test-password";

pub struct ImapServer {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

impl ImapServer {
    /// Starts Dovecot and waits for its greeting. Fails the test, saying what to install,
    /// when Dovecot is missing: a bounce test that silently passed would prove nothing.
    pub async fn start() -> ImapServer {
        assert!(
            std::path::Path::new(DOVECOT).exists(),
            "{DOVECOT} is missing: the bounce tests need a real IMAP server; install it with \
             `apt-get install dovecot-imapd` (.ci/run does)"
        );
        let dir = TempDir::new("rallypost-imap");
        let port = free_port();
        let (internal, login, mail_uid, mail_gid) = users();
        let mail = dir.path().join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        nix::unistd::chown(&mail, Some(Uid::from_raw(mail_uid)), Some(Gid::from_raw(mail_gid))).unwrap();
        // Dovecot's auth process (an unprivileged user) reads the passwd file.
        set_mode(dir.path(), 0o755);
        let passwd = dir.path().join("passwd");
        std::fs::write(&passwd, format!("{USER}:{{PLAIN}}{PASSWORD}:::\n")).unwrap();
        set_mode(&passwd, 0o644);
        let d = dir.path().display();
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain\nfirst_valid_uid = 0\n\
             default_internal_user = {internal}\ndefault_login_user = {login}\n\
             mail_location = maildir:{d}/mail/Maildir\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={mail_uid} gid={mail_gid} home={d}/mail\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        let conf = dir.path().join("dovecot.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting dovecot");
        let server = ImapServer { port, child, dir };
        server.wait_until_ready().await;
        server
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(mut session) = self.session().await {
                let _ = session.logout().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default();
        panic!("dovecot did not answer on port {} within 15 s; its log:\n{log}", self.port);
    }

    /// `RALLYPOST_BOUNCE_IMAP_URL` for this server.
    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    async fn session(&self) -> anyhow::Result<async_imap::Session<tokio::net::TcpStream>> {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        let mut client = async_imap::Client::new(stream);
        client.read_response().await?.ok_or_else(|| anyhow::anyhow!("no greeting"))?;
        let mut session = client.login(USER, PASSWORD).await.map_err(|(e, _)| e)?;
        session.select("INBOX").await?;
        Ok(session)
    }

    /// Delivers `raw` into the mailbox, unseen, as a mail server would.
    pub async fn deliver(&self, raw: &[u8]) {
        let mut session = self.session().await.unwrap();
        session.append("INBOX", None, None, raw).await.unwrap();
        session.logout().await.unwrap();
    }

    /// How many messages the mailbox holds, and how many of them are unseen.
    pub async fn counts(&self) -> (usize, usize) {
        let mut session = self.session().await.unwrap();
        let all = session.uid_search("ALL").await.unwrap().len();
        let unseen = session.uid_search("UNSEEN").await.unwrap().len();
        session.logout().await.unwrap();
        (all, unseen)
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // SIGTERM, so Dovecot's master stops its children too.
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

/// Dovecot's internal and login users and the mail user's uid and gid: as root, the
/// package's `dovecot` and `dovenull`; otherwise the current user for all of them.
fn users() -> (String, String, u32, u32) {
    let me = Uid::current();
    if me.is_root() {
        let dovecot = User::from_name("dovecot").unwrap().expect("the dovecot user (dovecot-core makes it)");
        let login = User::from_name("dovenull").ok().flatten().map_or("nobody".to_owned(), |u| u.name);
        (dovecot.name.clone(), login, dovecot.uid.as_raw(), dovecot.gid.as_raw())
    } else {
        let user = User::from_uid(me).unwrap().expect("the current user has a name");
        (user.name.clone(), user.name, me.as_raw(), Gid::current().as_raw())
    }
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
