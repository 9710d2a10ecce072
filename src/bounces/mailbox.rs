//! The bounce mailbox over IMAP (`RALLYPOST_BOUNCE_IMAP_URL`): log in, take the unseen
//! messages, hand each to a handler, then flag what was handled: `\Seen` always, and
//! `\Deleted` (expunged) for bounces about our messages. Whatever else arrives there
//! (a person's reply, a forged bounce) stays, read, for someone to look at. A message
//! whose handling failed stays unseen and is taken again next time; reading one twice
//! counts once all the same (`store::record`). TLS by rustls with the web's roots.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite};

/// Unseen messages taken in one pass; the rest wait for the next.
const PER_PASS: usize = 200;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the bounce mailbox is: `imaps://user:pass@host[:port]/MAILBOX`, or `imap://` (no
/// TLS, for tests and a server on the same machine). The mailbox defaults to `INBOX`.
#[derive(Clone)]
pub struct MailboxUrl {
    tls: bool,
    host: String,
    port: u16,
    user: String,
    password: SecretString,
    mailbox: String,
}

impl fmt::Debug for MailboxUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "imaps" } else { "imap" };
        write!(f, "{scheme}://{}:{}/{}", self.host, self.port, self.mailbox)
    }
}

impl MailboxUrl {
    pub fn parse(text: &str) -> Result<MailboxUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("not a URL: {e}"))?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            other => return Err(format!("scheme {other}:// is not imaps:// or imap://")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL has no host")?.to_owned();
        let port = url.port().unwrap_or(if tls { 993 } else { 143 });
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = decode(url.username());
        if user.is_empty() {
            return Err("the URL has no user name (imaps://user:password@host/INBOX)".into());
        }
        let password = SecretString::from(decode(url.password().unwrap_or("")));
        let mailbox = match decode(url.path().trim_start_matches('/')) {
            m if m.is_empty() => "INBOX".to_owned(),
            m if m.chars().any(|c| c.is_control() || c == '"' || c == '\\') => {
                return Err(format!("{m:?} is not a mailbox name this reads"));
            }
            m => m,
        };
        Ok(MailboxUrl { tls, host, port, user, password, mailbox })
    }
}

/// What the handler made of a message, which decides its flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    /// A bounce about one of our messages: flagged `\Seen` and deleted.
    Bounce,
    /// Anything else: flagged `\Seen` and kept.
    Other,
}

/// What is done with each message read.
pub trait Handler: Sync {
    fn handle<'a>(&'a self, raw: &'a [u8]) -> BoxFuture<'a, anyhow::Result<Handled>>;
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub read: usize,
    pub bounces: usize,
    pub others: usize,
    /// Left unseen for the next pass, as handling them failed.
    pub failed: usize,
}

/// Reads the unseen messages of `url`'s mailbox once, each through `handle`.
pub async fn read_unseen(url: &MailboxUrl, handler: &dyn Handler) -> anyhow::Result<Pass> {
    let tcp =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((url.host.as_str(), url.port)))
            .await
            .map_err(|_| anyhow::anyhow!("connecting to {}:{} timed out", url.host, url.port))?
            .with_context(|| format!("connecting to {}:{}", url.host, url.port))?;
    if url.tls {
        let name = rustls::pki_types::ServerName::try_from(url.host.clone())
            .map_err(|_| anyhow::anyhow!("{:?} is not a host name TLS can check", url.host))?;
        let tls = tokio_rustls::TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .with_context(|| format!("TLS with {}", url.host))?;
        read_with(url, tls, handler).await
    } else {
        read_with(url, tcp, handler).await
    }
}

fn tls_config() -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn read_with<T>(url: &MailboxUrl, stream: T, handler: &dyn Handler) -> anyhow::Result<Pass>
where
    T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    client.read_response().await?.context("the IMAP server closed the connection before greeting")?;
    let mut session = client
        .login(&url.user, url.password.expose_secret())
        .await
        .map_err(|(e, _)| anyhow::anyhow!("signing in to the bounce mailbox: {e}"))?;
    session.select(&url.mailbox).await.with_context(|| format!("opening mailbox {:?}", url.mailbox))?;
    let mut unseen: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    unseen.sort_unstable();
    unseen.truncate(PER_PASS);

    let mut pass = Pass::default();
    let (mut bounces, mut others) = (Vec::new(), Vec::new());
    if !unseen.is_empty() {
        let fetched: Vec<_> =
            session.uid_fetch(uid_set(&unseen), "(UID BODY.PEEK[])").await?.try_collect().await?;
        let mut seen_uids = HashSet::new();
        for message in &fetched {
            let (Some(uid), Some(body)) = (message.uid, message.body()) else { continue };
            if !seen_uids.insert(uid) {
                continue;
            }
            pass.read += 1;
            match handler.handle(body).await {
                Ok(Handled::Bounce) => bounces.push(uid),
                Ok(Handled::Other) => others.push(uid),
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(uid, error = %format!("{e:#}"), "bounces: handling a message failed; it is read again next time");
                }
            }
        }
    }
    if !others.is_empty() {
        let _: Vec<_> =
            session.uid_store(uid_set(&others), "+FLAGS.SILENT (\\Seen)").await?.try_collect().await?;
    }
    if !bounces.is_empty() {
        let _: Vec<_> = session
            .uid_store(uid_set(&bounces), "+FLAGS.SILENT (\\Seen \\Deleted)")
            .await?
            .try_collect()
            .await?;
        let _: Vec<_> = session.expunge().await?.try_collect().await?;
    }
    (pass.bounces, pass.others) = (bounces.len(), others.len());
    session.logout().await?;
    Ok(pass)
}

fn uid_set(uids: &[u32]) -> String {
    uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_urls_parse_and_show_no_password() {
        let url = MailboxUrl::parse("imaps://bounces%40x.example:s3cr%40t@mail.example.org/Bounces").unwrap();
        assert_eq!((url.tls, url.port, url.user.as_str()), (true, 993, "bounces@x.example"));
        assert_eq!((url.password.expose_secret(), url.mailbox.as_str()), ("s3cr@t", "Bounces"));
        assert!(!format!("{url:?}").contains("s3cr"));
        let url = MailboxUrl::parse("imap://u:p@127.0.0.1:1143").unwrap();
        assert_eq!((url.tls, url.port, url.mailbox.as_str()), (false, 1143, "INBOX"));
        assert!(MailboxUrl::parse("pop3://u:p@x").is_err());
        assert!(MailboxUrl::parse("imap://x/INBOX").is_err(), "no user");
        assert!(MailboxUrl::parse("imap://u:p@x/IN%22BOX").is_err());
        assert!(MailboxUrl::parse("nonsense").is_err());
    }
}
