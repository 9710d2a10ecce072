//! SMTP connections in Lettre's URL syntax, opened on a socket with `TCP_NODELAY` set.
//! Lettre's own transport leaves Nagle's algorithm on, which caps a connection at about
//! 23 messages a second (STYLE.md); handing Lettre a ready socket lifts that.
//!
//! Lettre sends a message in four round trips (MAIL, RCPT, DATA, the text), each waiting
//! for the server's reply. Where the server offers PIPELINING (RFC 2920; Postfix, Exim and
//! the large providers do), `SmtpSession::send` writes MAIL, RCPT and DATA at once and
//! reads their three replies together: two round trips a message, so a lane is woken half
//! as often. Lettre keeps no note of that extension, so the session asks with an `EHLO` of
//! its own when it opens.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::Error;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tls {
    None,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// STARTTLS or fail.
    Required,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

#[derive(Clone, Debug)]
pub struct SmtpTarget {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
}

impl SmtpTarget {
    /// `smtp://host:port`, `smtps://user:pass@host`, `smtp://host?tls=required`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL has no host")?.to_owned();
        let query_tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let tls = match (url.scheme(), query_tls.as_deref()) {
            ("smtps", _) => Tls::Implicit,
            ("smtp", None | Some("none")) => Tls::None,
            ("smtp", Some("opportunistic")) => Tls::Opportunistic,
            ("smtp", Some("required")) => Tls::Required,
            ("smtp", Some(other)) => {
                return Err(format!("tls={other}: expected none, opportunistic or required"));
            }
            (scheme, _) => return Err(format!("scheme {scheme}:// is not smtp:// or smtps://")),
        };
        let port = url.port().unwrap_or(match tls {
            Tls::Implicit => 465,
            Tls::Required => 587,
            _ => 25,
        });
        let credentials = (!url.username().is_empty()).then(|| {
            let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            Credentials::new(decode(url.username()), decode(url.password().unwrap_or("")))
        });
        Ok(SmtpTarget { host, port, tls, credentials })
    }

    pub async fn connect(&self, hello: &ClientId) -> Result<SmtpSession, String> {
        let mut conn = if self.tls == Tls::Implicit {
            let tls = TlsParameters::new(self.host.clone()).map_err(|e| e.to_string())?;
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(CONNECT_TIMEOUT),
                hello,
                Some(tls),
                None,
            )
            .await
            .map_err(|e| e.to_string())?
        } else {
            let stream = tokio::time::timeout(
                CONNECT_TIMEOUT,
                tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await
            .map_err(|_| format!("connecting to {}:{} timed out", self.host, self.port))?
            .map_err(|e| format!("connecting to {}:{}: {e}", self.host, self.port))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), hello)
                .await
                .map_err(|e| e.to_string())?;
            if self.tls == Tls::Required || (self.tls == Tls::Opportunistic && conn.can_starttls()) {
                let tls = TlsParameters::new(self.host.clone()).map_err(|e| e.to_string())?;
                conn.starttls(tls, hello).await.map_err(|e| e.to_string())?;
            }
            conn
        };
        // Asked before AUTH, which some servers forget at a new EHLO. A server that refuses
        // a second EHLO (Sendmail answers 503) is simply not pipelined to; a network error
        // shows at the next command.
        let pipelining = match conn.command(Ehlo::new(hello.clone())).await {
            Ok(extensions) => extensions.message().any(|line| line.trim().eq_ignore_ascii_case("PIPELINING")),
            Err(_) => false,
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| e.to_string())?;
        }
        Ok(SmtpSession { conn, pipelining })
    }
}

/// An open connection to the SMTP server.
pub struct SmtpSession {
    conn: AsyncSmtpConnection,
    /// The server offered PIPELINING.
    pipelining: bool,
}

impl SmtpSession {
    /// Sends one message: pipelined where the server allows it and the envelope and text
    /// are plain ASCII (our bodies always are, being quoted-printable or base64), else
    /// through Lettre, which adds the SMTPUTF8 and 8BITMIME parameters the rest need.
    /// After an error the session's state is unknown: `abort` it. (Should a server accept
    /// DATA after refusing RCPT, the abort's QUIT lands in the message text and the
    /// connection closes before the final dot, so nothing is delivered.)
    pub async fn send(&mut self, envelope: &Envelope, message: &[u8]) -> Result<Response, Error> {
        let mut addresses = envelope.from().into_iter().chain(envelope.to());
        let plain = message.is_ascii() && addresses.all(|a| AsRef::<str>::as_ref(a).is_ascii());
        if !self.pipelining || !plain {
            return self.conn.send(envelope, message).await;
        }
        let mut commands = Mail::new(envelope.from().cloned(), Vec::new()).to_string();
        for to in envelope.to() {
            commands.push_str(&Rcpt::new(to.clone(), Vec::new()).to_string());
        }
        commands.push_str(&Data.to_string());
        // `command` writes all three commands in one write and reads MAIL's reply; RCPT's
        // and DATA's follow. The first refusal is the answer (a refused RCPT makes the
        // server refuse DATA too).
        self.conn.command(commands).await?;
        for _ in envelope.to() {
            self.conn.read_response().await?;
        }
        self.conn.read_response().await?;
        self.conn.message(message).await
    }

    pub fn has_broken(&self) -> bool {
        self.conn.has_broken()
    }

    pub async fn abort(&mut self) {
        self.conn.abort().await;
    }

    pub async fn quit(&mut self) -> Result<Response, Error> {
        self.conn.quit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lettre_url_forms_parse() {
        let t = SmtpTarget::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((t.port, t.tls), (2525, Tls::None));
        let t = SmtpTarget::parse("smtps://user:p%40ss@mail.example.org").unwrap();
        assert_eq!((t.port, t.tls), (465, Tls::Implicit));
        assert!(t.credentials.is_some());
        let t = SmtpTarget::parse("smtp://mail.example.org?tls=required").unwrap();
        assert_eq!((t.port, t.tls), (587, Tls::Required));
        assert!(SmtpTarget::parse("http://x").is_err());
        assert!(SmtpTarget::parse("smtp://x?tls=maybe").is_err());
        assert!(SmtpTarget::parse("nonsense").is_err());
    }
}
