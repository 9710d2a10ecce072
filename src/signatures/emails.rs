//! The confirmation, reminder and receipt emails, rendered from templates in the signer's
//! language.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::message::Mailbox;
use uuid::Uuid;

use crate::domain::Lang;
use crate::i18n::Texts;
use crate::outbox::{Email, Kind, NewMessage, build_message};

/// What every email to a supporter needs to know about the installation.
#[derive(Clone)]
pub struct MailContext {
    pub from: Mailbox,
    pub base_url: String,
}

struct Body<'a> {
    texts: Texts,
    lang: &'a str,
    dir: &'a str,
    name: &'a str,
    campaign_title: &'a str,
    link: &'a str,
    /// "You signed on 1 December 2026.", the date in the supporter's language.
    signed_on: String,
}

impl<'a> Body<'a> {
    fn new(to: &'a Recipient<'a>, link: &'a str) -> Body<'a> {
        Body {
            texts: Texts::new(to.lang),
            lang: to.lang.code(),
            dir: to.lang.dir(),
            name: to.name,
            campaign_title: to.campaign_title,
            link,
            signed_on: Texts::new(to.lang).t1(
                "mail-signed-on",
                "date",
                Texts::new(to.lang).date(to.signed_at, to.zone),
            ),
        }
    }

    /// `subject_key`'s words, then the campaign's title.
    fn subject(&self, subject_key: &str) -> String {
        format!("{}: {}", self.texts.t(subject_key), self.campaign_title)
    }

    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    /// "Hallo {FSI}Mina{PDI},": the name set apart (FSI ... PDI), in both parts, so a name in
    /// another script keeps the greeting in order. Mail clients honour the marks in HTML
    /// as well, and the greeting is one translated sentence, not markup.
    fn greeting(&self) -> String {
        self.texts.t1("mail-greeting", "name", crate::i18n::isolate(self.name))
    }
}

#[derive(Template)]
#[template(path = "emails/confirm.txt")]
struct ConfirmText<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/confirm.html")]
struct ConfirmHtml<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/reminder.txt")]
struct ReminderText<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/reminder.html")]
struct ReminderHtml<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/receipt.txt")]
struct ReceiptText<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/receipt.html")]
struct ReceiptHtml<'a> {
    m: &'a Body<'a>,
}

pub struct Recipient<'a> {
    pub signature_id: Uuid,
    pub campaign_id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub lang: Lang,
    pub campaign_title: &'a str,
    /// When they signed, told in the campaign's time zone.
    pub signed_at: DateTime<Utc>,
    pub zone: Tz,
}

impl MailContext {
    pub fn confirmation(&self, to: &Recipient<'_>, token: &str) -> anyhow::Result<NewMessage> {
        // The link names the language signed in: opened on a phone whose browser asks for
        // English, the confirm page (and, through the cookie it sets, the answer to the
        // button) still speaks Dari.
        let link = self.link("confirm", token, to.lang);
        let body = Body::new(to, &link);
        let subject = body.subject("mail-confirm-subject");
        let (text, html) = (ConfirmText { m: &body }.render()?, ConfirmHtml { m: &body }.render()?);
        self.message(Kind::Confirmation, to, subject, text, html)
    }

    /// A reminder to confirm, with a fresh confirmation link (`token`).
    pub fn reminder(&self, to: &Recipient<'_>, token: &str) -> anyhow::Result<NewMessage> {
        let link = self.link("confirm", token, to.lang);
        let body = Body::new(to, &link);
        let subject = body.subject("mail-reminder-subject");
        let (text, html) = (ReminderText { m: &body }.render()?, ReminderHtml { m: &body }.render()?);
        self.message(Kind::Reminder, to, subject, text, html)
    }

    pub fn receipt(&self, to: &Recipient<'_>, withdraw_token: &str) -> anyhow::Result<NewMessage> {
        let link = self.link("withdraw", withdraw_token, to.lang);
        let body = Body::new(to, &link);
        let subject = body.subject("mail-receipt-subject");
        let (text, html) = (ReceiptText { m: &body }.render()?, ReceiptHtml { m: &body }.render()?);
        self.message(Kind::Receipt, to, subject, text, html)
    }

    /// A supporter's link to `/{path}/{token}`, naming the language they signed in.
    fn link(&self, path: &str, token: &str, lang: Lang) -> String {
        format!("{}/{path}/{token}?lang={}", self.base_url, lang.code())
    }

    fn message(
        &self,
        kind: Kind,
        to: &Recipient<'_>,
        subject: String,
        text: String,
        html: String,
    ) -> anyhow::Result<NewMessage> {
        let id = crate::ids::new_id();
        let address: lettre::Address = to.email.parse()?;
        // The display name is left out: the address alone is enough, and a name with
        // unusual characters can never break the header.
        let email = Email { to: Mailbox::new(None, address), subject, text, html, attachments: Vec::new() };
        Ok(NewMessage {
            id,
            kind,
            campaign_id: Some(to.campaign_id),
            signature_id: Some(to.signature_id),
            target_id: None,
            recipient: to.email.to_owned(),
            message: build_message(&self.from, id, email, None)?,
        })
    }
}
