//! The invitation email: the link that lets an invited organizer set their password, in
//! the language the inviting owner chose for them, rendered from templates.

use askama::Template;
use lettre::message::Mailbox;

use super::OrganizerEmail;
use super::scope::Role;
use crate::crypto::DataKeys;
use crate::domain::Lang;
use crate::i18n::Texts;
use crate::outbox::{Email, Kind, NewMessage, build_message};

/// What an invitation needs to be written and queued.
pub struct InvitationMail<'a> {
    pub from: &'a Mailbox,
    pub base_url: &'a str,
    /// The invited person's language.
    pub lang: Lang,
    pub keys: &'a DataKeys,
}

pub struct Body {
    texts: Texts,
    lang: &'static str,
    dir: &'static str,
    campaign_title: String,
    role: String,
    link: String,
}

impl Body {
    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }
}

#[derive(Template)]
#[template(path = "emails/invitation.txt")]
struct InvitationText<'a> {
    m: &'a Body,
}

#[derive(Template)]
#[template(path = "emails/invitation.html")]
struct InvitationHtml<'a> {
    m: &'a Body,
}

impl InvitationMail<'_> {
    /// The link `{base}/invitation/{token}`; the token is in no log and only its hash stored.
    pub fn render(&self, to: &OrganizerEmail, role: Role, token: &str) -> anyhow::Result<NewMessage> {
        let texts = Texts::new(self.lang);
        let body = Body {
            campaign_title: texts.t("mail-invitation-heading"),
            role: texts.t(&format!("organizer-role-{role}")),
            link: format!("{}/invitation/{token}?lang={}", self.base_url, self.lang.code()),
            lang: self.lang.code(),
            dir: self.lang.dir(),
            texts,
        };
        let subject = body.t("mail-invitation-subject");
        let (text, html) = (InvitationText { m: &body }.render()?, InvitationHtml { m: &body }.render()?);
        let id = crate::ids::new_id();
        let address: lettre::Address = to.as_ref().parse()?;
        let email = Email { to: Mailbox::new(None, address), subject, text, html, attachments: Vec::new() };
        Ok(NewMessage {
            id,
            kind: Kind::Invitation,
            campaign_id: None,
            signature_id: None,
            target_id: None,
            recipient: to.as_ref().to_owned(),
            message: build_message(self.from, id, email, None)?,
        })
    }
}
