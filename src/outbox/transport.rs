//! Where messages go: an SMTP server, or `.eml` files when none is configured.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::extension::ClientId;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::smtp::{SmtpSession, SmtpTarget};

/// A send must not hang a worker; Lettre's own timeout covers only the connect.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

pub enum Transport {
    Smtp(SmtpTarget),
    Files(PathBuf),
}

/// What became of one attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    Accepted,
    /// Worth trying again later: connection trouble, a timeout, a 4xx reply.
    Transient(String),
    /// The receiving server refused the message for good (a 5xx reply, kept): the address
    /// takes no mail, so it counts as a bounce.
    Refused(String),
    /// Cannot be sent, for a reason of ours (an unreadable row, a malformed address).
    Permanent(String),
}

/// One sender's connection, opened on first use and reopened after a failure.
pub struct Connection<'a> {
    transport: &'a Transport,
    smtp: Option<SmtpSession>,
}

impl Transport {
    pub fn connection(&self) -> Connection<'_> {
        Connection { transport: self, smtp: None }
    }

    /// Deletes what delivering rows `ids` left on this machine: in file mode their `.eml`
    /// files (named by row id), gone when the person they carried withdraws. Over SMTP the
    /// only copies are the recipients'.
    pub async fn erase_copies(&self, ids: &[Uuid]) {
        let Transport::Files(dir) = self else { return };
        for id in ids {
            match tokio::fs::remove_file(dir.join(format!("{id}.eml"))).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!(%id, error = %e, "could not delete an .eml file");
                }
                _ => {}
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Files(dir) => format!(".eml files in {}", dir.display()),
        }
    }
}

impl Connection<'_> {
    /// Delivers one message; `name` names the `.eml` file in file mode.
    pub async fn deliver(&mut self, name: &str, envelope: &Envelope, message: &[u8]) -> Delivery {
        match self.transport {
            Transport::Files(dir) => write_file(dir, name, message).await,
            Transport::Smtp(target) => {
                match tokio::time::timeout(SEND_TIMEOUT, self.send_smtp(target, envelope, message)).await {
                    Ok(delivery) => delivery,
                    Err(_) => {
                        self.smtp = None;
                        Delivery::Transient("the SMTP server did not answer in time".into())
                    }
                }
            }
        }
    }

    async fn send_smtp(&mut self, target: &SmtpTarget, envelope: &Envelope, message: &[u8]) -> Delivery {
        if self.smtp.as_ref().is_some_and(|c| c.has_broken()) {
            self.smtp = None;
        }
        if self.smtp.is_none() {
            match target.connect(&ClientId::default()).await {
                Ok(conn) => self.smtp = Some(conn),
                Err(e) => return Delivery::Transient(e),
            }
        }
        let conn = self.smtp.as_mut().expect("connected above");
        match conn.send(envelope, message).await {
            Ok(_) => Delivery::Accepted,
            Err(e) => {
                // After a failed transaction the connection state is unknown: start afresh.
                if let Some(mut conn) = self.smtp.take() {
                    conn.abort().await;
                }
                if e.is_permanent() {
                    Delivery::Refused(e.to_string())
                } else {
                    Delivery::Transient(e.to_string())
                }
            }
        }
    }

    pub async fn close(mut self) {
        if let Some(mut conn) = self.smtp.take() {
            let _ = conn.quit().await;
        }
    }
}

/// Writes `{name}.eml`, readable only by the user running rallypost (mode 0600 in a 0700
/// directory): it holds the recipient's name and address, and working links.
async fn write_file(dir: &Path, name: &str, message: &[u8]) -> Delivery {
    let result = async {
        private_dir(dir).await?;
        let partial = dir.join(format!(".{name}.partial"));
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .await?;
        // A partial file left by a crash keeps its own mode through `open`.
        file.set_permissions(Permissions::from_mode(0o600)).await?;
        file.write_all(message).await?;
        file.flush().await?;
        drop(file);
        tokio::fs::rename(&partial, dir.join(format!("{name}.eml"))).await
    }
    .await;
    match result {
        Ok(()) => Delivery::Accepted,
        Err(e) => Delivery::Transient(format!("writing to {}: {e}", dir.display())),
    }
}

/// Creates `dir` with mode 0700, or closes off one an earlier version made open to all.
async fn private_dir(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    match tokio::fs::DirBuilder::new().mode(0o700).create(dir).await {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    tokio::fs::set_permissions(dir, Permissions::from_mode(0o700)).await
}
