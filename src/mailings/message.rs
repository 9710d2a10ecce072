//! From a mailing and one supporter to the message they get, written when it is sent
//! (`compose`): their language (else
//! the campaign's default), their given name for `{name}`, a footer saying why they get it
//! with the unsubscribe link, and the RFC 8058 headers, DKIM-signed over those headers when
//! a key is configured. The building itself is the outbox's (`build_message_with_headers`).
//!
//! A partner's mailing speaks as the partner: its name is the `From` display name and is in
//! the footer, its contact (if the campaign file gives one) is the `Reply-To`, and the
//! unsubscribe link stops that partner's news only. The `From` address stays the
//! campaign's own: its domain is the one that signs (DKIM) and that DMARC checks.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use lettre::message::Mailbox;
use lettre::message::dkim::DkimConfig;
use uuid::Uuid;

use super::markdown::{escape_html, personalise, to_html, to_text};
use super::store::Mailing;
use super::token::UnsubscribeKey;
use crate::campaigns::Campaign;
use crate::crypto::DataKeys;
use crate::domain::Lang;
use crate::i18n::Texts;
use crate::outbox::{Email, Kind, NewMessage, build_message_with_headers};
use crate::partners::PartnerId;
use crate::suppressions::Sender;

/// How mailings are written and signed, built once at start.
#[derive(Clone)]
pub struct MailingContext {
    pub from: Mailbox,
    pub base_url: String,
    pub keys: Arc<DataKeys>,
    pub unsubscribe: UnsubscribeKey,
    /// Covers `List-Unsubscribe` and `List-Unsubscribe-Post` (`Dkim::list_config`).
    pub dkim: Option<Arc<DkimConfig>>,
}

/// One language of a mailing, rendered once for all its recipients; `{name}` still in it.
pub struct Prepared {
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every language of `mailing`, rendered.
pub fn prepare(mailing: &Mailing) -> BTreeMap<Lang, Prepared> {
    mailing
        .texts
        .iter()
        .map(|(lang, t)| {
            let prepared = Prepared {
                lang: *lang,
                subject: t.subject.clone(),
                text: to_text(&t.markdown),
                html: to_html(&t.markdown),
            };
            (*lang, prepared)
        })
        .collect()
}

/// The version a supporter who signed in `language` reads.
pub fn version_for<'a>(
    prepared: &'a BTreeMap<Lang, Prepared>,
    language: &str,
    default: Lang,
) -> Option<&'a Prepared> {
    Lang::from_tag(language).and_then(|l| prepared.get(&l)).or_else(|| prepared.get(&default))
}

struct Body<'a> {
    texts: Texts,
    lang: &'a str,
    dir: &'a str,
    campaign_title: &'a str,
    /// Why they get it, naming the sender.
    why: String,
    body_text: String,
    body_html: String,
    link: String,
}

impl Body<'_> {
    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }
}

#[derive(Template)]
#[template(path = "emails/mailing.txt")]
struct MailingText<'a> {
    m: &'a Body<'a>,
}

#[derive(Template)]
#[template(path = "emails/mailing.html")]
struct MailingHtml<'a> {
    m: &'a Body<'a>,
}

/// Who a message goes to: a supporter, or the organizer trying it out.
pub struct To<'a> {
    pub signature_id: Option<Uuid>,
    pub email: &'a str,
    pub name: &'a str,
}

impl MailingContext {
    /// The subject, text and HTML `to` would read of `sender`'s mailing, and the
    /// unsubscribe token in them.
    pub fn email(
        &self,
        campaign: &Campaign,
        sender: &Sender,
        version: &Prepared,
        to: &To<'_>,
    ) -> anyhow::Result<(Email, String)> {
        let lang = version.lang;
        // A test to an organizer carries a link that leads to the "unknown link" page.
        let token = match to.signature_id {
            Some(id) => self.unsubscribe.token(id, sender),
            None => "test".to_owned(),
        };
        let link = format!("{}/unsubscribe/{token}?lang={}", self.base_url, lang.code());
        let texts = Texts::new(lang);
        let why = match sender.partner() {
            Some(id) => texts.t1("mail-partner-mailing-why", "partner", partner_name(campaign, id)),
            None => texts.t("mail-mailing-why"),
        };
        let body = Body {
            texts,
            lang: lang.code(),
            dir: lang.dir(),
            campaign_title: &campaign.file.text(lang).title,
            why,
            body_text: personalise(&version.text, to.name, str::to_owned),
            body_html: personalise(&version.html, to.name, escape_html),
            link,
        };
        let email = Email {
            to: Mailbox::new(None, to.email.parse()?),
            subject: personalise(&version.subject, to.name, str::to_owned),
            text: MailingText { m: &body }.render()?,
            html: MailingHtml { m: &body }.render()?,
            attachments: Vec::new(),
        };
        Ok((email, token))
    }

    /// An outbox row of its own for `to` of `sender`'s mailing (the organizer's test).
    pub fn message(
        &self,
        campaign: &Campaign,
        sender: &Sender,
        version: &Prepared,
        to: &To<'_>,
    ) -> anyhow::Result<NewMessage> {
        let id = crate::ids::new_id();
        Ok(NewMessage {
            id,
            kind: Kind::Mailing,
            campaign_id: Some(campaign.id),
            signature_id: to.signature_id,
            target_id: None,
            recipient: to.email.to_owned(),
            message: self.write(id, campaign, sender, version, to)?,
        })
    }

    /// The message of outbox row `id` for `to` of `sender`'s mailing, with its unsubscribe
    /// headers, from the partner's name (and to its contact's replies) if a partner sends
    /// it. The row id is its `Message-ID`, so a message sent again is the same message.
    pub fn write(
        &self,
        id: Uuid,
        campaign: &Campaign,
        sender: &Sender,
        version: &Prepared,
        to: &To<'_>,
    ) -> anyhow::Result<Vec<u8>> {
        let (email, token) = self.email(campaign, sender, version, to)?;
        let headers = [
            (
                "List-Unsubscribe",
                format!(
                    "<{}/unsubscribe/{token}>, <mailto:{}?subject=unsubscribe-{token}>",
                    self.base_url, self.from.email
                ),
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
        ];
        let (from, reply_to) = self.sender_addresses(campaign, sender)?;
        build_message_with_headers(&from, reply_to.as_ref(), id, email, &headers, self.dkim.as_deref())
    }

    /// The `From` and `Reply-To` of `sender`'s mailings: the campaign's address throughout,
    /// under the partner's name for a partner, whose contact then takes the replies.
    fn sender_addresses(
        &self,
        campaign: &Campaign,
        sender: &Sender,
    ) -> anyhow::Result<(Mailbox, Option<Mailbox>)> {
        let Some(id) = sender.partner() else {
            return Ok((self.from.clone(), None));
        };
        let name = partner_name(campaign, id);
        let from = Mailbox::new(Some(name.clone()), self.from.email.clone());
        let reply_to = match campaign.file.partner(id).and_then(|p| p.contact.as_deref()) {
            Some(contact) => Some(Mailbox::new(Some(name), contact.parse()?)),
            None => None,
        };
        Ok((from, reply_to))
    }
}

/// The partner's name from the campaign file; its id if the file no longer lists it (a
/// mailing written before the partner was removed still says whose it is).
fn partner_name(campaign: &Campaign, id: &PartnerId) -> String {
    campaign.file.partner(id).map_or_else(|| id.to_string(), |p| p.name.clone())
}
