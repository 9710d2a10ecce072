//! The words an outbox row carries: what it is (`Kind`) and where it stands
//! (`OutboxStatus`), as enums mapped to the `kind` and `status` columns.

use crate::db::text_enum;

text_enum! {
    /// What a message is. The outbox treats every kind alike except in one way: mail to
    /// supporters is erased once delivered, since it holds their address and a token;
    /// letters to targets are kept as the record. Which rows a sender claims, and in what
    /// order, is up to the claim sources given to it (see `claim.rs`).
    pub enum Kind {
        Confirmation = "confirmation",
        Receipt = "receipt",
        /// A supporter who has not confirmed is reminded, with a fresh link.
        Reminder = "reminder",
        /// One supporter's letter to one target (`individual` mode).
        Letter = "letter",
        /// A target's digest for one period.
        Digest = "digest",
        /// A signed webhook to a partner's or the lead organisation's system, delivered
        /// over HTTP by `webhooks::Deliverer`; `target_id` names the receiver.
        Webhook = "webhook",
        /// One supporter's copy of a news mailing.
        Mailing = "mailing",
        /// A single-use link that lets a person invited by an owner set their password.
        Invitation = "invitation",
        /// The link that confirms an organisation's endorsement, sent to its contact.
        Endorsement = "endorsement",
    }
}

impl Kind {
    /// Mail whose address and body are erased from the row once it is sent or given up.
    /// A webhook is not among them: its body is kept a week, so that an owner can send it
    /// again, then erased by `webhooks::erase_old_bodies` (at once if the supporter
    /// withdraws, by `redact_for_signature`).
    pub fn erased_when_done(self) -> bool {
        matches!(
            self,
            Kind::Confirmation
                | Kind::Receipt
                | Kind::Reminder
                | Kind::Mailing
                | Kind::Invitation
                | Kind::Endorsement
        )
    }
}

text_enum! {
    /// Where a row stands. `Pending` rows wait to be claimed (or are leased, see
    /// `locked_until`); the other two are final.
    pub enum OutboxStatus {
        Pending = "pending",
        /// The server accepted the message (its `2xx`).
        Sent = "sent",
        /// Refused for good, or given up after the last retry; `last_error` says why.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_what_was_written() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(*kind));
        }
        for status in OutboxStatus::ALL {
            assert_eq!(status.to_string().parse::<OutboxStatus>(), Ok(*status));
        }
        assert!("newsletter".parse::<Kind>().unwrap_err().contains("newsletter"));
    }
}
