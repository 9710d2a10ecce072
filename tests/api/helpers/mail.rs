//! The SMTP server each test gets, and the messages it received.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{TempDir, TestApp, free_port, valid_form};

/// Debian's aiosmtpd, run by `tests/support/smtp_server.py`, on a port of its own.
pub struct MailServer {
    pub port: u16,
    dir: TempDir,
    child: Mutex<Option<Child>>,
}

impl MailServer {
    pub fn start() -> MailServer {
        let server =
            MailServer { port: free_port(), dir: TempDir::new("rallypost-mail"), child: Mutex::new(None) };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port.
    pub fn restart(&self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let mut child = Command::new(python)
            .arg(script)
            .args(["--port", &self.port.to_string(), "--dir"])
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the SMTP server (apt-get install python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start (is python3-aiosmtpd installed?)");
        *self.child.lock().unwrap() = Some(child);
    }

    /// Stops the server: connections are refused until `restart`.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Makes the server answer DATA with `reply` (e.g. "550 5.7.1 refused"); `None` accepts.
    pub fn reply_with(&self, reply: Option<&str>) {
        let path = self.dir.path().join("reply");
        match reply {
            Some(reply) => std::fs::write(path, reply).unwrap(),
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        paths.into_iter().map(|p| ReceivedMail::from_file(&p)).collect()
    }

    /// Waits up to 15 s for at least `n` messages, then returns all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(Instant::now() < deadline, "expected {n} messages, got {}", messages.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub struct ReceivedMail {
    pub rcpt: String,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    fn from_file(path: &Path) -> ReceivedMail {
        let bytes = std::fs::read(path).unwrap();
        let end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
        let rcpt = String::from_utf8_lossy(&bytes[..end]).trim_start_matches("X-Rcpt-To: ").to_owned();
        ReceivedMail { rcpt, raw: bytes[end + 2..].to_vec() }
    }

    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.raw).expect("a parseable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).expect("a text part").into_owned()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).expect("an HTML part").into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed().header_raw(name).map(|v| v.trim().to_owned())
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        text[start..].split_whitespace().next().unwrap().to_owned()
    }
}

impl TestApp {
    /// Signs with `email`, and returns the confirmation link from the email it causes.
    pub async fn sign_and_get_link(&self, email: &str) -> String {
        let before = self.mail.messages().len();
        let response = self.sign(&valid_form(email)).await;
        assert_eq!(response.status(), 303);
        let mails = self.mail.wait_for(before + 1).await;
        mails[before].link(&format!("{}/confirm/", self.address))
    }

    /// Letters (individual and digest) received by the SMTP server.
    pub fn letters(&self) -> Vec<ReceivedMail> {
        let targets = ["poststelle@bmi.example", "post@bmi.example", "home-commissioner@ec.example"];
        self.mail.messages().into_iter().filter(|m| targets.contains(&m.rcpt.as_str())).collect()
    }
}

impl ReceivedMail {
    /// The first attachment's bytes, as text.
    pub fn attachment_text(&self) -> Option<String> {
        let parsed = self.parsed();
        let attachment = parsed.attachment(0)?;
        Some(String::from_utf8_lossy(attachment.contents()).into_owned())
    }
}
