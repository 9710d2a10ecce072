//! Settings, read once at start from the environment and an optional `rallypost.toml`, and
//! validated there: a bad value stops the program with one line naming the setting.
//! Nothing else in the crate reads the environment.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretBox, SecretSlice, SecretString};

use crate::bounces::MailboxUrl;
use crate::db::Pooler;
use crate::dkim::Dkim;
use crate::outbox::smtp::SmtpTarget;
use crate::webhooks::AddressPolicy;

/// A setting that could not be used, named as the operator wrote it.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.to_owned(), message: message.into() }
}

/// Every setting, parsed. Secrets are kept in `secrecy` types, so `Debug` (a log line, a
/// panic message) cannot show them; reading one takes an explicit `expose_secret()`.
#[derive(Debug)]
pub struct Settings {
    /// `None`: run a private PostgreSQL cluster under `data_dir/postgres`. May hold a password.
    pub database_url: Option<SecretString>,
    /// `None`: write each message as an `.eml` file under `data_dir/outbox`.
    pub smtp: Option<SmtpTarget>,
    pub bind: SocketAddr,
    /// Absolute base for links, without a trailing slash.
    pub base_url: String,
    pub data_dir: PathBuf,
    /// Explicitly configured key; when `None`, one is generated in the data dir.
    pub secret_key: Option<SecretSlice<u8>>,
    pub mail_from: Mailbox,
    pub log: String,
    pub log_json: bool,
    pub campaigns_dir: PathBuf,
    /// Per-client signing limits; empty means off.
    pub sign_rate: Vec<RateLimit>,
    /// Per-token limits of the write API (`POST /api/v1/petitions/{slug}/signatures`);
    /// empty means off. A partner site posts for all its visitors from one address, so
    /// it is limited per token instead of by `sign_rate`.
    pub api_sign_rate: Vec<RateLimit>,
    pub trusted_proxies: Vec<IpAddr>,
    /// The key letters are signed with (`RALLYPOST_DKIM_KEY_FILE`, `RALLYPOST_DKIM_SELECTOR`),
    /// for the sender's domain.
    pub dkim: Option<Dkim>,
    pub data_key: DataKeySetting,
    /// Keys rows may still be encrypted with, until `rallypost keys rotate` has run.
    pub data_keys_old: Vec<SecretBox<[u8; 32]>>,
    /// How long a sender holds the outbox rows it claimed; a row claimed by a process that
    /// died is sent again only after this. Must exceed the send timeout (60 s) in production.
    pub outbox_lease: Duration,
    /// `None`: `/metrics` answers 404.
    pub metrics_token: Option<MetricsToken>,
    /// What sits between this process and PostgreSQL (`RALLYPOST_DATABASE_POOLER`).
    pub pooler: Pooler,
    /// How long an idle mail sender waits before looking at the outbox again when nothing
    /// woke it (`RALLYPOST_OUTBOX_POLL_MS`).
    pub outbox_poll: Duration,
    /// Reminders a supporter who has not confirmed gets at most (`RALLYPOST_REMINDERS`).
    pub reminders: u8,
    /// How long after signing the first reminder goes; the n-th goes n times this long
    /// after signing (`RALLYPOST_REMINDER_AFTER`).
    pub reminder_after: Duration,
    /// The bounce mailbox the workers read (`RALLYPOST_BOUNCE_IMAP_URL`); `None`: only
    /// refusals at send time count as bounces.
    pub bounce_imap: Option<MailboxUrl>,
    /// The domain of each message's return path (`RALLYPOST_BOUNCE_DOMAIN`), by default
    /// the `RALLYPOST_MAIL_FROM` domain.
    pub bounce_domain: String,
    /// How often the workers read the bounce mailbox (`RALLYPOST_BOUNCE_POLL_SECS`).
    pub bounce_poll: Duration,
    /// Whether webhooks may go to loopback, private, link-local and metadata addresses
    /// (`RALLYPOST_WEBHOOK_ALLOW_PRIVATE=1`); by default only public ones.
    pub webhook_addresses: AddressPolicy,
}

/// The bearer token a Prometheus scraper must send for `/metrics`; never printed.
#[derive(Clone, Debug)]
pub struct MetricsToken(SecretString);

impl MetricsToken {
    /// Compared in constant time, as digests, so neither the bytes nor the length leak.
    pub fn matches(&self, given: &str) -> bool {
        use sha2::{Digest, Sha256};
        use subtle::ConstantTimeEq;
        Sha256::digest(self.0.expose_secret().as_bytes()).ct_eq(&Sha256::digest(given.as_bytes())).into()
    }
}

/// Where the key for supporters' personal data comes from.
#[derive(Debug)]
pub enum DataKeySetting {
    /// Generated once and kept in the data dir (mode 0600).
    InDataDir,
    Given(SecretBox<[u8; 32]>),
    /// `off`: store personal data in the clear. Only for measuring what encryption costs.
    Off,
}

/// At most `count` requests per `period` from one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub count: NonZeroU32,
    pub period: Duration,
}

impl Settings {
    /// Reads the process environment and `./rallypost.toml` (if present).
    pub fn load() -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let file = Path::new("rallypost.toml");
        let file = if file.exists() { Some(file) } else { None };
        Self::from_sources(&env, file)
    }

    /// Environment variables win over the file, whose keys are the variable names without
    /// the `RALLYPOST_` prefix, in lower case (`bind = "0.0.0.0:8080"`).
    pub fn from_sources(env: &HashMap<String, String>, file: Option<&Path>) -> Result<Self, ConfigError> {
        let file_values = match file {
            Some(path) => read_file(path)?,
            None => HashMap::new(),
        };
        let get = |name: &str| -> Option<String> {
            let key = name.trim_start_matches("RALLYPOST_").to_ascii_lowercase();
            env.get(name).cloned().or_else(|| file_values.get(&key).cloned())
        };

        let database_url = get("RALLYPOST_DATABASE_URL")
            .or_else(|| env.get("DATABASE_URL").cloned())
            .filter(|v| !v.is_empty());
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(bad("RALLYPOST_DATABASE_URL", "must start with postgres://"));
        }
        let database_url = database_url.map(SecretString::from);

        let smtp = get("RALLYPOST_SMTP_URL")
            .filter(|v| !v.is_empty())
            .map(|url| SmtpTarget::parse(&url).map_err(|e| bad("RALLYPOST_SMTP_URL", e)))
            .transpose()?;

        let bind_text = get("RALLYPOST_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text
            .parse()
            .map_err(|_| bad("RALLYPOST_BIND", format!("not an address:port: {bind_text:?}")))?;

        let base_url = match get("RALLYPOST_BASE_URL") {
            Some(url) => parse_base_url(&url)?,
            None => format!("http://{bind}"),
        };

        let data_dir = PathBuf::from(get("RALLYPOST_DATA_DIR").unwrap_or_else(|| "./var".into()));

        let secret_key = match get("RALLYPOST_SECRET_KEY") {
            Some(key) if key.len() < 32 => {
                return Err(bad("RALLYPOST_SECRET_KEY", "must be at least 32 bytes long"));
            }
            Some(key) => Some(SecretSlice::from(key.into_bytes())),
            None => None,
        };

        let from_text = get("RALLYPOST_MAIL_FROM").unwrap_or_else(|| "Campaign <campaign@localhost>".into());
        let mail_from: Mailbox = from_text.parse().map_err(|_| {
            bad("RALLYPOST_MAIL_FROM", format!("not a mailbox like 'Name <a@b.org>': {from_text:?}"))
        })?;

        let log = get("RALLYPOST_LOG").unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| bad("RALLYPOST_LOG", e.to_string()))?;
        let log_json = match get("RALLYPOST_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(bad("RALLYPOST_LOG_FORMAT", format!("expected text or json, got {other:?}")));
            }
        };

        let campaigns_dir =
            PathBuf::from(get("RALLYPOST_CAMPAIGNS_DIR").unwrap_or_else(|| "./campaigns".into()));

        let sign_rate =
            parse_rate_limits(&get("RALLYPOST_SIGN_RATE").unwrap_or_else(|| "20/minute,200/hour".into()))
                .map_err(|m| bad("RALLYPOST_SIGN_RATE", m))?;
        let api_sign_rate = parse_rate_limits(
            &get("RALLYPOST_API_SIGN_RATE").unwrap_or_else(|| DEFAULT_API_SIGN_RATE.into()),
        )
        .map_err(|m| bad("RALLYPOST_API_SIGN_RATE", m))?;

        let trusted_proxies = get("RALLYPOST_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpAddr>()
                    .map_err(|_| bad("RALLYPOST_TRUSTED_PROXIES", format!("not an IP address: {s:?}")))
            })
            .collect::<Result<_, _>>()?;

        let dkim = match (get("RALLYPOST_DKIM_KEY_FILE"), get("RALLYPOST_DKIM_SELECTOR")) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(bad("RALLYPOST_DKIM_SELECTOR", "needed with RALLYPOST_DKIM_KEY_FILE"));
            }
            (None, Some(_)) => {
                return Err(bad("RALLYPOST_DKIM_KEY_FILE", "needed with RALLYPOST_DKIM_SELECTOR"));
            }
            (Some(path), Some(selector)) => {
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| bad("RALLYPOST_DKIM_KEY_FILE", format!("{path}: {e}")))?;
                let dkim = Dkim::parse(&selector, mail_from.email.domain(), &pem)
                    .map_err(|e| bad("RALLYPOST_DKIM_KEY_FILE", format!("{path}: {e}")))?;
                Some(dkim)
            }
        };

        let data_key = match get("RALLYPOST_DATA_KEY").as_deref() {
            None | Some("") => DataKeySetting::InDataDir,
            Some("off") => DataKeySetting::Off,
            Some(key) => DataKeySetting::Given(SecretBox::try_init_with(|| {
                crate::crypto::parse_key(key).map_err(|m| bad("RALLYPOST_DATA_KEY", m))
            })?),
        };
        let data_keys_old = get("RALLYPOST_DATA_KEYS_OLD")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|k| {
                SecretBox::try_init_with(|| {
                    crate::crypto::parse_key(k).map_err(|m| bad("RALLYPOST_DATA_KEYS_OLD", m))
                })
            })
            .collect::<Result<_, _>>()?;

        let outbox_lease = match get("RALLYPOST_OUTBOX_LEASE_SECS") {
            None => Duration::from_secs(300),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => {
                    return Err(bad(
                        "RALLYPOST_OUTBOX_LEASE_SECS",
                        format!("not a positive number of seconds: {text:?}"),
                    ));
                }
            },
        };

        let metrics_token = match get("RALLYPOST_METRICS_TOKEN").map(|t| t.trim().to_owned()) {
            None => None,
            Some(t) if t.is_empty() => None,
            Some(t) if t.len() < 32 => {
                return Err(bad("RALLYPOST_METRICS_TOKEN", "must be at least 32 characters long"));
            }
            Some(t) => Some(MetricsToken(SecretString::from(t))),
        };

        let reminders = match get("RALLYPOST_REMINDERS") {
            None => 1,
            Some(text) => match text.trim().parse::<u8>() {
                Ok(n) if n <= MAX_REMINDERS => n,
                _ => {
                    return Err(bad(
                        "RALLYPOST_REMINDERS",
                        format!("expected a number from 0 to {MAX_REMINDERS}, got {text:?}"),
                    ));
                }
            },
        };
        let reminder_after = match get("RALLYPOST_REMINDER_AFTER") {
            None => Duration::from_secs(48 * 3600),
            Some(text) => parse_duration(&text)
                .and_then(|d| {
                    if (REMINDER_AFTER_MIN..=REMINDER_AFTER_MAX).contains(&d) {
                        Ok(d)
                    } else {
                        Err(format!("{text:?} is not between 1h and 14d"))
                    }
                })
                .map_err(|m| bad("RALLYPOST_REMINDER_AFTER", m))?,
        };

        let pooler = match get("RALLYPOST_DATABASE_POOLER").as_deref().map(str::trim) {
            None | Some("") | Some("none") => Pooler::None,
            Some("transaction") => Pooler::Transaction,
            Some(other) => {
                return Err(bad(
                    "RALLYPOST_DATABASE_POOLER",
                    format!("expected none or transaction, got {other:?}"),
                ));
            }
        };

        let outbox_poll = match get("RALLYPOST_OUTBOX_POLL_MS") {
            None => Duration::from_millis(500),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    return Err(bad(
                        "RALLYPOST_OUTBOX_POLL_MS",
                        format!("not a positive number of milliseconds: {text:?}"),
                    ));
                }
            },
        };

        let bounce_imap = match get("RALLYPOST_BOUNCE_IMAP_URL").map(|t| t.trim().to_owned()) {
            None => None,
            Some(t) if t.is_empty() => None,
            Some(t) => Some(MailboxUrl::parse(&t).map_err(|m| bad("RALLYPOST_BOUNCE_IMAP_URL", m))?),
        };
        let bounce_domain = match get("RALLYPOST_BOUNCE_DOMAIN").map(|t| t.trim().to_ascii_lowercase()) {
            None => mail_from.email.domain().to_ascii_lowercase(),
            Some(d) if d.is_empty() => mail_from.email.domain().to_ascii_lowercase(),
            Some(d) => match lettre::Address::new("bounce", &d) {
                Ok(_) => d,
                Err(_) => return Err(bad("RALLYPOST_BOUNCE_DOMAIN", format!("not a mail domain: {d:?}"))),
            },
        };
        let webhook_addresses = match get("RALLYPOST_WEBHOOK_ALLOW_PRIVATE").as_deref().map(str::trim) {
            None | Some("" | "0" | "false" | "no") => AddressPolicy::PublicOnly,
            Some("1" | "true" | "yes") => AddressPolicy::AllowPrivate,
            Some(other) => {
                return Err(bad(
                    "RALLYPOST_WEBHOOK_ALLOW_PRIVATE",
                    format!("expected 1 or 0, got {other:?}"),
                ));
            }
        };

        let bounce_poll = match get("RALLYPOST_BOUNCE_POLL_SECS") {
            None => Duration::from_secs(60),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(secs) if secs > 0 => Duration::from_secs(secs),
                _ => {
                    return Err(bad(
                        "RALLYPOST_BOUNCE_POLL_SECS",
                        format!("not a positive number of seconds: {text:?}"),
                    ));
                }
            },
        };

        Ok(Settings {
            bounce_imap,
            bounce_domain,
            bounce_poll,
            webhook_addresses,
            pooler,
            outbox_poll,
            reminders,
            reminder_after,
            metrics_token,
            outbox_lease,
            data_key,
            data_keys_old,
            dkim,
            database_url,
            smtp,
            bind,
            base_url,
            data_dir,
            secret_key,
            mail_from,
            log,
            log_json,
            campaigns_dir,
            sign_rate,
            api_sign_rate,
            trusted_proxies,
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// More reminders than this would be pestering, whatever the setting says.
const MAX_REMINDERS: u8 = 5;
const REMINDER_AFTER_MIN: Duration = Duration::from_secs(3600);
/// Unconfirmed signatures are deleted after 30 days: a reminder later than this one, and
/// the next after it, would point at a signature about to go.
const REMINDER_AFTER_MAX: Duration = Duration::from_secs(14 * 86400);

/// Parses a duration written like `48h`, `2d`, `1h30m` or `90 minutes`: numbers, each
/// followed by a unit (s, m, h, d, w, or their English names).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let mut total: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("expected a duration like 48h or 2d, got nothing".into());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("expected a duration like 48h or 2d, got {text:?}"))?;
        rest = rest[digits..].trim_start();
        let letters = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let seconds = match &rest[..letters] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86400,
            "w" | "week" | "weeks" => 7 * 86400,
            "" => return Err(format!("{text:?} needs a unit after {number} (s, m, h, d, w)")),
            unit => return Err(format!("unknown unit {unit:?} in {text:?} (s, m, h, d, w)")),
        };
        total = number
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| format!("{text:?} is too long"))?;
        rest = rest[letters..].trim_start();
    }
    Ok(Duration::from_secs(total))
}

fn read_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let setting = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| bad(&setting, e.to_string()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(&setting, e.message()))?;
    table
        .into_iter()
        .map(|(key, value)| match value {
            toml::Value::String(s) => Ok((key, s)),
            other => Ok((key, other.to_string())),
        })
        .collect()
}

fn parse_base_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| bad("RALLYPOST_BASE_URL", "must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(bad("RALLYPOST_BASE_URL", format!("not an absolute URL: {url:?}")));
    }
    Ok(trimmed.to_owned())
}

/// Parses `20/minute,200/hour`; `off` gives no limits.
/// The write API's limit per token when `RALLYPOST_API_SIGN_RATE` is not set: two a
/// second for a minute (a partner's newsletter going out), and a busy day's worth an hour.
pub const DEFAULT_API_SIGN_RATE: &str = "120/minute,5000/hour";

pub fn parse_rate_limits(text: &str) -> Result<Vec<RateLimit>, String> {
    if text.trim() == "off" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let (count, unit) = part
                .trim()
                .split_once('/')
                .ok_or_else(|| format!("expected N/unit like 20/minute, got {part:?}"))?;
            let count: NonZeroU32 =
                count.trim().parse().map_err(|_| format!("not a positive count: {count:?}"))?;
            let period = match unit.trim() {
                "second" | "s" => Duration::from_secs(1),
                "minute" | "min" | "m" => Duration::from_secs(60),
                "hour" | "h" => Duration::from_secs(3600),
                "day" | "d" => Duration::from_secs(86400),
                other => return Err(format!("unknown unit {other:?} (second, minute, hour, day)")),
            };
            Ok(RateLimit { count, period })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_sources(&env, None)
    }

    #[test]
    fn the_bounce_domain_is_the_senders_unless_set() {
        let s = load(&[("RALLYPOST_MAIL_FROM", "Campaign <campaign@Rallypost.Example>")]).unwrap();
        assert_eq!(s.bounce_domain, "rallypost.example");
        assert!(s.bounce_imap.is_none());
        let s = load(&[("RALLYPOST_BOUNCE_DOMAIN", "bounces.rallypost.example")]).unwrap();
        assert_eq!(s.bounce_domain, "bounces.rallypost.example");
    }

    #[test]
    fn defaults_need_no_settings() {
        let s = load(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
        assert_eq!(s.sign_rate.len(), 2);
        assert!(s.database_url.is_none() && s.smtp.is_none());
        assert_eq!(s.webhook_addresses, AddressPolicy::PublicOnly, "webhooks reach public addresses only");
        let s = load(&[("RALLYPOST_WEBHOOK_ALLOW_PRIVATE", "1")]).unwrap();
        assert_eq!(s.webhook_addresses, AddressPolicy::AllowPrivate);
    }

    #[test]
    fn a_bad_value_names_its_setting() {
        for (key, value) in [
            ("RALLYPOST_BIND", "nonsense"),
            ("RALLYPOST_BASE_URL", "ftp://x"),
            ("RALLYPOST_SECRET_KEY", "short"),
            ("RALLYPOST_MAIL_FROM", "not a mailbox"),
            ("RALLYPOST_SIGN_RATE", "20/fortnight"),
            ("RALLYPOST_SMTP_URL", "http://x"),
            ("RALLYPOST_TRUSTED_PROXIES", "1.2.3"),
            ("RALLYPOST_LOG_FORMAT", "xml"),
            ("RALLYPOST_OUTBOX_LEASE_SECS", "0"),
            ("RALLYPOST_METRICS_TOKEN", "short"),
            ("RALLYPOST_DATABASE_POOLER", "session"),
            ("RALLYPOST_OUTBOX_POLL_MS", "0"),
            ("RALLYPOST_REMINDERS", "many"),
            ("RALLYPOST_WEBHOOK_ALLOW_PRIVATE", "maybe"),
            ("RALLYPOST_REMINDERS", "9"),
            ("RALLYPOST_REMINDER_AFTER", "48"),
            ("RALLYPOST_REMINDER_AFTER", "2 fortnights"),
            ("RALLYPOST_REMINDER_AFTER", "10m"),
            ("RALLYPOST_REMINDER_AFTER", "30d"),
            ("RALLYPOST_BOUNCE_IMAP_URL", "pop3://u:p@mail.example"),
            ("RALLYPOST_BOUNCE_IMAP_URL", "imaps://mail.example/INBOX"),
            ("RALLYPOST_BOUNCE_DOMAIN", "not a domain"),
            ("RALLYPOST_BOUNCE_POLL_SECS", "0"),
        ] {
            let err = load(&[(key, value)]).unwrap_err();
            assert_eq!(err.setting, key);
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn debug_output_of_settings_shows_no_secret() {
        let data_key = "07".repeat(32);
        let old_key = "08".repeat(32);
        let dkim_file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/dkim-test-ed25519.pem");
        let settings = load(&[
            ("RALLYPOST_DATABASE_URL", "postgres://app:db-pass-1234@db.example/rallypost"),
            ("RALLYPOST_SMTP_URL", "smtps://mailer:smtp-pass-5678@mail.example"),
            ("RALLYPOST_SECRET_KEY", "cookie-secret-that-is-long-enough-9012"),
            ("RALLYPOST_DATA_KEY", &data_key),
            ("RALLYPOST_DATA_KEYS_OLD", &old_key),
            ("RALLYPOST_DKIM_KEY_FILE", dkim_file),
            ("RALLYPOST_DKIM_SELECTOR", "campaign2026"),
            ("RALLYPOST_METRICS_TOKEN", "metrics-token-of-thirty-two-characters-3456"),
            ("RALLYPOST_BOUNCE_IMAP_URL", "imaps://bounces:imap-pass-7890@mail.example/INBOX"),
        ])
        .unwrap();
        let shown = format!("{settings:?} {settings:#?}");

        let dkim_pem = std::fs::read_to_string(dkim_file).unwrap();
        let dkim_body = dkim_pem.lines().nth(1).unwrap();
        for secret in [
            "db-pass-1234",
            "smtp-pass-5678",
            "cookie-secret",
            "metrics-token",
            "imap-pass-7890",
            &data_key,
            &old_key,
            "[7, 7, 7",
            "[8, 8, 8",
            dkim_body,
        ] {
            assert!(!shown.contains(secret), "Debug shows {secret:?}: {shown}");
        }
        let secret_key_bytes = format!("{:?}", &b"cookie-secret"[..]);
        assert!(!shown.contains(secret_key_bytes.trim_end_matches(']')), "{shown}");
        // What is not secret still shows, so the output stays useful.
        assert!(shown.contains("mail.example") && shown.contains("campaign2026"), "{shown}");
    }

    #[test]
    fn the_metrics_token_matches_only_itself_and_is_never_printed() {
        let token = "a metrics token of at least thirty-two characters";
        let s = load(&[("RALLYPOST_METRICS_TOKEN", token)]).unwrap();
        let kept = s.metrics_token.as_ref().unwrap();
        assert!(kept.matches(token));
        assert!(!kept.matches(&token[..40]) && !kept.matches("") && !kept.matches(&format!("{token}x")));
        assert!(!format!("{s:?}").contains(token));
        assert!(load(&[]).unwrap().metrics_token.is_none());
    }

    #[test]
    fn durations_read_as_people_write_them() {
        let hours = |h: u64| Duration::from_secs(h * 3600);
        assert_eq!(parse_duration("48h"), Ok(hours(48)));
        assert_eq!(parse_duration("2d"), Ok(hours(48)));
        assert_eq!(parse_duration(" 1h30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90 minutes"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1w 1d"), Ok(hours(192)));
        for wrong in ["", "48", "h", "-1h", "1.5h", "1y", "99999999999999999999w"] {
            assert!(parse_duration(wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn one_reminder_after_two_days_unless_told_otherwise() {
        let s = load(&[]).unwrap();
        assert_eq!((s.reminders, s.reminder_after), (1, Duration::from_secs(48 * 3600)));
        let s = load(&[("RALLYPOST_REMINDERS", "0"), ("RALLYPOST_REMINDER_AFTER", "3d")]).unwrap();
        assert_eq!((s.reminders, s.reminder_after), (0, Duration::from_secs(72 * 3600)));
    }

    #[test]
    fn a_transaction_pooler_turns_off_prepared_statements_and_listen() {
        let direct = load(&[]).unwrap().pooler;
        assert!(direct.keeps_prepared_statements() && direct.allows_listen());
        let pooled = load(&[("RALLYPOST_DATABASE_POOLER", "transaction")]).unwrap().pooler;
        assert!(!pooled.keeps_prepared_statements() && !pooled.allows_listen());
    }

    #[test]
    fn sign_rate_off_disables_limits() {
        assert!(load(&[("RALLYPOST_SIGN_RATE", "off")]).unwrap().sign_rate.is_empty());
        assert!(load(&[("RALLYPOST_API_SIGN_RATE", "off")]).unwrap().api_sign_rate.is_empty());
        assert_eq!(load(&[]).unwrap().api_sign_rate.len(), 2);
    }
}
