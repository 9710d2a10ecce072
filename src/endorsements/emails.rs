//! The email that asks an endorsing organisation's contact to confirm, in the language of
//! the form they used.

use askama::Template;
use lettre::message::Mailbox;
use uuid::Uuid;

use super::submit::NewEndorsement;
use crate::campaigns::Campaign;
use crate::i18n::Texts;
use crate::outbox::{Email, Kind, NewMessage, build_message};

/// Where the email comes from and where its link leads.
#[derive(Clone)]
pub struct EndorseMail {
    pub from: Mailbox,
    pub base_url: String,
}

struct Body<'a> {
    texts: Texts,
    lang: &'a str,
    dir: &'a str,
    organisation: &'a str,
    campaign_title: &'a str,
    link: &'a str,
}

impl Body<'_> {
    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    fn greeting(&self) -> String {
        self.texts.t1("endorse-mail-greeting", "organisation", self.organisation)
    }
}

#[derive(Template)]
#[template(path = "emails/endorse.txt")]
struct ConfirmText<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/endorse.html")]
struct ConfirmHtml<'a> {
    m: &'a Body<'a>,
}

impl EndorseMail {
    /// The confirmation email for endorsement `id`, whose link carries `token`.
    pub fn confirmation(
        &self,
        campaign: &Campaign,
        new: &NewEndorsement,
        id: Uuid,
        token: &str,
    ) -> anyhow::Result<NewMessage> {
        let link = format!("{}/endorsement/{token}?lang={}", self.base_url, new.lang.code());
        let title = &campaign.file.text(new.lang).title;
        let body = Body {
            texts: Texts::new(new.lang),
            lang: new.lang.code(),
            dir: new.lang.dir(),
            organisation: new.organisation.as_ref(),
            campaign_title: title,
            link: &link,
        };
        let subject = format!("{}: {title}", body.t("endorse-mail-subject"));
        let (text, html) = (ConfirmText { m: &body }.render()?, ConfirmHtml { m: &body }.render()?);
        let message_id = crate::ids::new_id();
        let address: lettre::Address = new.contact.as_ref().parse()?;
        let email = Email { to: Mailbox::new(None, address), subject, text, html, attachments: Vec::new() };
        Ok(NewMessage {
            id: message_id,
            kind: Kind::Endorsement,
            campaign_id: Some(campaign.id),
            signature_id: None,
            // Names the endorsement, so that rejecting it before the email went cancels it.
            target_id: Some(id.to_string()),
            recipient: new.contact.as_ref().to_owned(),
            message: build_message(&self.from, message_id, email, None)?,
        })
    }
}
