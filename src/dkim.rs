//! The DKIM key letters are signed with, read once at start. The key file's type decides
//! the algorithm: an Ed25519 key in PKCS#8 PEM (`BEGIN PRIVATE KEY`, as
//! `openssl genpkey -algorithm ed25519` writes it) signs with `ed25519-sha256` (RFC 8463);
//! an RSA key in PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) with `rsa-sha256`.
//!
//! Why Ed25519 is offered: Lettre signs RSA with the `rsa` crate, which has
//! RUSTSEC-2023-0071 (the Marvin attack: the private-key operation's timing leaks, to
//! whoever can measure it) and no fixed release. Letters are signed in the background,
//! not in answer to a request, which makes that timing hard to measure from outside; an
//! Ed25519 key keeps the `rsa` code off the signing path altogether. The crate
//! is still compiled in (Lettre's `dkim` feature brings both), so audits keep naming it.

use std::sync::Arc;

use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::HeaderName;

/// The headers a mailing's signature covers: Lettre's defaults, then RFC 8058's.
const LIST_SIGNED_HEADERS: &[&str] =
    &["From", "Subject", "To", "Date", "List-Unsubscribe", "List-Unsubscribe-Post"];

/// A key ready to sign with. `Debug` shows the selector and algorithm, never the key.
#[derive(Clone)]
pub struct Dkim {
    selector: String,
    algorithm: DkimSigningAlgorithm,
    config: Arc<DkimConfig>,
    /// The same key over the mailing headers too (see `list_config`).
    list_config: Arc<DkimConfig>,
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dkim")
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Dkim {
    /// Reads `pem` (the key file's text) for signing as `domain` under `selector`.
    pub fn parse(selector: &str, domain: &str, pem: &str) -> Result<Dkim, String> {
        let config = DkimConfig::default_config(selector.to_owned(), domain.to_owned(), Self::key(pem)?.1);
        let (algorithm, key) = Self::key(pem)?;
        let list_config = DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key,
            LIST_SIGNED_HEADERS.iter().copied().map(HeaderName::new_from_ascii_str).collect(),
            DkimCanonicalization {
                header: DkimCanonicalizationType::Simple,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Dkim {
            selector: selector.to_owned(),
            algorithm,
            config: Arc::new(config),
            list_config: Arc::new(list_config),
        })
    }

    /// Lettre's key is neither `Clone` nor shareable between configs: each config reads it.
    fn key(pem: &str) -> Result<(DkimSigningAlgorithm, DkimSigningKey), String> {
        Ok(if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            let key = DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa)
                .map_err(|_| "the RSA key in it cannot be read")?;
            (DkimSigningAlgorithm::Rsa, key)
        } else if pem.contains("-----BEGIN PRIVATE KEY-----") {
            let ed25519 = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
                .map_err(|_| "a PKCS#8 key that is not Ed25519 (an RSA key must be in PKCS#1 PEM)")?;
            // Lettre takes an Ed25519 key as the base64 of its 32 secret bytes.
            let seed = base64::engine::general_purpose::STANDARD.encode(ed25519.to_bytes());
            let key = DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)
                .map_err(|_| "the Ed25519 key in it cannot be read")?;
            (DkimSigningAlgorithm::Ed25519, key)
        } else {
            return Err(
                "expected an Ed25519 key (BEGIN PRIVATE KEY) or an RSA key (BEGIN RSA PRIVATE KEY)".into()
            );
        })
    }

    /// What Lettre signs a message with.
    pub fn config(&self) -> Arc<DkimConfig> {
        self.config.clone()
    }

    /// What Lettre signs a news mailing with: Lettre's default headers plus the RFC 8058
    /// pair, which RFC 8058 section 4 requires the signature to cover (a receiver may
    /// otherwise ignore the one-click header, since anyone on the path could add it).
    pub fn list_config(&self) -> Arc<DkimConfig> {
        self.list_config.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: &str = include_str!("../tests/support/dkim-test-key.pem");
    const ED25519: &str = include_str!("../tests/support/dkim-test-ed25519.pem");

    fn signature_header(dkim: &Dkim) -> String {
        let mut message = lettre::Message::builder()
            .from("Campaign <campaign@rallypost.example>".parse().unwrap())
            .to("poststelle@bmi.example".parse().unwrap())
            .subject("A letter")
            .body(String::from("Dear Minister,\r\n"))
            .unwrap();
        message.sign(&dkim.config());
        let text = String::from_utf8(message.formatted()).unwrap();
        let start = text.find("DKIM-Signature:").expect("a DKIM-Signature header");
        // The header with its folded continuation lines.
        let mut header = String::new();
        for line in text[start..].split("\r\n") {
            if !header.is_empty() && !line.starts_with([' ', '\t']) {
                break;
            }
            header.push_str(line.trim());
        }
        header
    }

    #[test]
    fn an_ed25519_key_file_signs_with_ed25519_sha256() {
        let dkim = Dkim::parse("campaign2026", "rallypost.example", ED25519).unwrap();
        let header = signature_header(&dkim);
        assert!(header.contains("a=ed25519-sha256;"), "{header}");
        assert!(header.contains("d=rallypost.example;") && header.contains("s=campaign2026;"), "{header}");
    }

    #[test]
    fn a_mailing_signature_covers_the_one_click_headers() {
        use lettre::message::header::HeaderValue;
        let dkim = Dkim::parse("campaign2026", "rallypost.example", ED25519).unwrap();
        let raw = |name: &'static str, value: &str| {
            HeaderValue::new(HeaderName::new_from_ascii_str(name), value.into())
        };
        let mut message = lettre::Message::builder()
            .from("Campaign <campaign@rallypost.example>".parse().unwrap())
            .to("mina@example.org".parse().unwrap())
            .subject("News")
            .raw_header(raw("List-Unsubscribe", "<https://rallypost.example/unsubscribe/t>"))
            .raw_header(raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            .body(String::from("Dear Mina,\r\n"))
            .unwrap();
        message.sign(&dkim.list_config());
        let text = String::from_utf8(message.formatted()).unwrap().replace("\r\n", "");
        let signed = text.split("h=").nth(1).expect("an h= tag").split(';').next().unwrap().replace(' ', "");
        assert!(signed.contains("List-Unsubscribe:List-Unsubscribe-Post"), "{signed}");
    }

    #[test]
    fn an_rsa_key_file_signs_with_rsa_sha256() {
        let header = signature_header(&Dkim::parse("campaign2026", "rallypost.example", RSA).unwrap());
        assert!(header.contains("a=rsa-sha256;"), "{header}");
    }

    #[test]
    fn other_files_are_refused_and_debug_shows_no_key() {
        assert!(Dkim::parse("s", "rallypost.example", "not a key").is_err());
        let truncated = ED25519.replace("MC4CAQAwBQYDK2Vw", "MC4CAQAwBQYDK2Vx");
        assert!(Dkim::parse("s", "rallypost.example", &truncated).is_err());
        let shown = format!("{:?}", Dkim::parse("s", "rallypost.example", RSA).unwrap());
        assert_eq!(shown, r#"Dkim { selector: "s", algorithm: Rsa, .. }"#);
    }
}
