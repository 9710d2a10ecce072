//! The SMTP server each test gets (`tests/support/smtp_server.rs`, in this process, on a
//! port of its own), and the messages it received.

use std::time::{Duration, Instant};

use super::{TestApp, valid_form};

#[path = "../../support/smtp_server.rs"]
mod smtp_server;

use smtp_server::{Options, SmtpServer};

pub struct MailServer {
    pub port: u16,
    server: SmtpServer,
}

impl MailServer {
    pub fn start() -> MailServer {
        let server = SmtpServer::start(Options::default()).expect("starting the SMTP server");
        MailServer { port: server.port(), server }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server again on the same port.
    pub fn restart(&self) {
        self.server.restart().expect("restarting the SMTP server on its port");
    }

    /// Stops the server: connections are refused until `restart`.
    pub fn stop(&self) {
        self.server.stop();
    }

    /// Makes the server answer DATA with `reply` (e.g. "550 5.7.1 refused"); `None` accepts.
    pub fn reply_with(&self, reply: Option<&str>) {
        self.server.reply_with(reply);
    }

    /// Makes the server answer each RCPT with `reply`; `None` accepts.
    pub fn refuse_recipients_with(&self, reply: Option<&str>) {
        self.server.refuse_recipients_with(reply);
    }

    /// Whether connections opened from now on are offered PIPELINING (they are at first).
    pub fn offer_pipelining(&self, offer: bool) {
        self.server.offer_pipelining(offer);
    }

    /// Transactions so far whose MAIL and RCPT arrived together, in one write.
    pub fn pipelined(&self) -> u64 {
        self.server.pipelined()
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        let received = self.server.received().into_iter();
        received
            .map(|m| ReceivedMail { mail_from: m.from, rcpt: m.recipients.join(","), raw: m.raw })
            .collect()
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

pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`): where bounces for the message go.
    pub mail_from: String,
    pub rcpt: String,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
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
