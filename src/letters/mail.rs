//! From a rendered letter to the message in the outbox: from the campaign's sender, to the
//! target's office, DKIM-signed when a key is configured. The building itself is the
//! outbox's (`outbox::build_message`), as for every other message.

use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::message::dkim::DkimConfig;

use super::render::Rendered;
use crate::campaigns::Target;
use crate::crypto::DataKeys;
use crate::outbox::{Email, build_message};

/// How letters are signed and sent from.
#[derive(Clone)]
pub struct LetterContext {
    pub from: Mailbox,
    /// Letters read supporters' names and are stored encrypted.
    pub keys: Arc<DataKeys>,
    pub dkim: Option<Arc<DkimConfig>>,
}

impl LetterContext {
    /// Who signs a digest: the sender's display name, or its address.
    pub fn signer(&self) -> String {
        self.from.name.clone().unwrap_or_else(|| self.from.email.to_string())
    }

    /// The full message to `target`, with a `Message-ID` made from the outbox row's id.
    pub fn message(&self, target: &Target, id: uuid::Uuid, rendered: Rendered) -> anyhow::Result<Vec<u8>> {
        let to =
            Mailbox::new(Some(format!("{}, {}", target.office, target.organisation)), target.email.clone());
        let email = Email {
            to,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            attachments: rendered.attachment.into_iter().collect(),
        };
        build_message(&self.from, id, email, self.dkim.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::{Campaign, CampaignFile};
    use crate::letters::{Supporter, Unnamed, render};

    fn campaign() -> Campaign {
        let file = CampaignFile::parse(include_str!("../../campaigns/end-forced-returns.toml")).unwrap();
        Campaign { id: uuid::Uuid::nil(), slug: file.slug.clone(), is_open: true, goal: file.goal, file }
    }

    fn context(dkim: Option<Arc<DkimConfig>>) -> LetterContext {
        LetterContext {
            from: "Campaign <campaign@rallypost.example>".parse().unwrap(),
            keys: Arc::new(DataKeys::disabled()),
            dkim,
        }
    }

    fn supporter() -> Supporter {
        Supporter {
            name: "Mina".into(),
            country: "AF".into(),
            comment: Some("Stop it.".into()),
            lang: crate::domain::Lang::En,
        }
    }

    #[test]
    fn a_letter_is_from_the_campaign_to_the_office_with_a_stable_message_id() {
        let campaign = campaign();
        let target = &campaign.file.targets[2];
        let id = uuid::Uuid::now_v7();
        let rendered = render::individual(&campaign, target, &supporter(), &Unnamed::default(), &[]).unwrap();
        let text = String::from_utf8(context(None).message(target, id, rendered).unwrap()).unwrap();
        assert!(text.contains("From: Campaign <campaign@rallypost.example>"));
        assert!(text.contains("home-commissioner@ec.example"));
        assert!(text.contains(&format!("Message-ID: <{id}@rallypost.example>")));
        assert!(!text.contains("DKIM-Signature"));
    }

    #[test]
    fn letters_are_dkim_signed_when_a_key_is_set() {
        use lettre::message::dkim::{DkimSigningAlgorithm, DkimSigningKey};
        let key = DkimSigningKey::new(
            include_str!("../../tests/support/dkim-test-key.pem"),
            DkimSigningAlgorithm::Rsa,
        )
        .unwrap();
        let dkim = DkimConfig::default_config("campaign2026".into(), "rallypost.example".into(), key);
        let campaign = campaign();
        let target = &campaign.file.targets[0];
        let rendered = render::individual(&campaign, target, &supporter(), &Unnamed::default(), &[]).unwrap();
        let ctx = context(Some(Arc::new(dkim)));
        let text = String::from_utf8(ctx.message(target, uuid::Uuid::now_v7(), rendered).unwrap()).unwrap();
        assert!(text.contains("DKIM-Signature: "), "{text}");
        assert!(text.contains("d=rallypost.example") && text.contains("s=campaign2026"));
    }
}
