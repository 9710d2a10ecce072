//! A news mailing from a reply: its summary in each language, under a subject saying who
//! replied, and a link to the campaign page. Only a prefill: the organizer edits it in the
//! mailing form before it becomes a draft (see `mailings::Draft`).

use std::collections::BTreeMap;

use super::list::Reply;
use crate::campaigns::Campaign;
use crate::domain::Lang;
use crate::i18n::Texts;
use crate::mailings::MailingText;

pub fn mailing_texts(campaign: &Campaign, reply: &Reply, base_url: &str) -> BTreeMap<Lang, MailingText> {
    let target = campaign
        .file
        .targets
        .iter()
        .find(|t| t.id == reply.target_id)
        .map_or(reply.target_id.as_str(), |t| t.organisation.as_str());
    reply
        .summaries
        .iter()
        .map(|(lang, summary)| {
            let texts = Texts::new(*lang);
            let subject = texts.t1("reply-mailing-subject", "target", target);
            let link = format!("{base_url}/c/{}?lang={}", campaign.slug, lang.code());
            (*lang, MailingText { subject, markdown: format!("{summary}\n\n{link}") })
        })
        .collect()
}
