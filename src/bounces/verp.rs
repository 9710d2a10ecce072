//! Return paths (VERP): each message goes out with an envelope sender of its own,
//! `bounce+<row><tag>@<bounce domain>`, so a bounce names the message it is about whatever
//! the bouncing server writes. `<row>` is the outbox row's id and `<tag>` a keyed hash of
//! it (64 bits, under the data key): without the key nobody can make an address that
//! reads as one of ours, so a forged bounce suppresses no one. Lower-case hex only, as
//! some servers change the case of local parts.

use std::sync::Arc;

use uuid::Uuid;

use crate::crypto::DataKeys;
use crate::outbox::ReturnPath;

const PREFIX: &str = "bounce+";
const PURPOSE: &str = "return path";
/// Bytes of the tag kept: a forger has one chance in 2^64 per try.
const TAG_BYTES: usize = 8;
/// Hex digits after the prefix: the row id and the tag.
const TOKEN_LEN: usize = 32 + 2 * TAG_BYTES;

pub struct ReturnPaths {
    keys: Arc<DataKeys>,
    domain: String,
}

impl ReturnPaths {
    /// Return paths at `domain`; fails if it cannot be an address's domain.
    pub fn new(keys: Arc<DataKeys>, domain: &str) -> anyhow::Result<ReturnPaths> {
        let domain = domain.trim().to_ascii_lowercase();
        lettre::Address::new("bounce", &domain)
            .map_err(|e| anyhow::anyhow!("{domain:?} cannot be a bounce domain: {e}"))?;
        Ok(ReturnPaths { keys, domain })
    }

    /// The local part for row `id`.
    pub fn local_part(&self, id: Uuid) -> String {
        let tag = self.keys.tag(PURPOSE, id.as_bytes());
        format!("{PREFIX}{}{}", id.simple(), hex::encode(&tag[..TAG_BYTES]))
    }

    /// The first address in `text` that is one of ours (its tag checks), as its row id.
    /// Addresses whose tag does not check are passed over.
    pub fn find_in(&self, text: &str) -> Option<Uuid> {
        let lower = text.to_ascii_lowercase();
        lower.match_indices(PREFIX).find_map(|(at, _)| {
            let token = lower.get(at + PREFIX.len()..at + PREFIX.len() + TOKEN_LEN)?;
            self.check(token)
        })
    }

    fn check(&self, token: &str) -> Option<Uuid> {
        if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let id = Uuid::try_parse(&token[..32]).ok()?;
        let given = hex::decode(&token[32..]).ok()?;
        let known = self.keys.tags(PURPOSE, id.as_bytes());
        known
            .iter()
            .any(|tag| subtle::ConstantTimeEq::ct_eq(&tag[..TAG_BYTES], &given[..]).into())
            .then_some(id)
    }
}

impl ReturnPath for ReturnPaths {
    fn for_message(&self, id: Uuid) -> lettre::Address {
        lettre::Address::new(self.local_part(id), &self.domain)
            .expect("hex local part at a domain checked in new")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(key: u8) -> ReturnPaths {
        ReturnPaths::new(Arc::new(DataKeys::new([key; 32], &[])), "Bounces.Example").unwrap()
    }

    #[test]
    fn an_address_handed_out_reads_back_as_its_row_in_any_case() {
        let paths = paths(1);
        let id = Uuid::now_v7();
        let address = paths.for_message(id).to_string();
        assert!(address.starts_with("bounce+") && address.ends_with("@bounces.example"), "{address}");
        assert!(address.len() - "@bounces.example".len() <= 64, "a local part fits in 64 octets");
        assert_eq!(paths.find_in(&format!("To: <{address}>")), Some(id));
        assert_eq!(paths.find_in(&format!("Delivered-To: {}", address.to_uppercase())), Some(id));
    }

    #[test]
    fn an_address_made_without_the_key_reads_as_nobody() {
        let id = Uuid::now_v7();
        let forged = paths(2).for_message(id).to_string();
        assert_eq!(paths(1).find_in(&forged), None);
        let bare = format!("bounce+{}0000000000000000@bounces.example", id.simple());
        assert_eq!(paths(1).find_in(&bare), None);
        assert_eq!(paths(1).find_in("bounce+short@x"), None);
        assert_eq!(
            paths(1).find_in("bounce+\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}"),
            None
        );
    }

    #[test]
    fn an_address_from_before_a_key_rotation_still_reads() {
        let id = Uuid::now_v7();
        let before = paths(1).for_message(id).to_string();
        let rotated = ReturnPaths::new(Arc::new(DataKeys::new([3; 32], &[[1; 32]])), "b.example").unwrap();
        assert_eq!(rotated.find_in(&before), Some(id));
    }

    #[test]
    fn a_domain_that_cannot_take_mail_is_refused() {
        let keys = Arc::new(DataKeys::disabled());
        assert!(ReturnPaths::new(keys, "not a domain").is_err());
    }
}
