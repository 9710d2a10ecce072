//! SMTP connections in Lettre's URL syntax, opened on a socket with `TCP_NODELAY` set.
//! Lettre's own transport leaves Nagle's algorithm on, which caps a connection at about
//! 23 messages a second (STYLE.md); handing Lettre a ready socket lifts that.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

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

    pub async fn connect(&self, hello: &ClientId) -> Result<AsyncSmtpConnection, String> {
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
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| e.to_string())?;
        }
        Ok(conn)
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
