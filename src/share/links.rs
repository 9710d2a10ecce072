//! Share links for the pages a supporter sees after signing: WhatsApp, Telegram, email and
//! a link to copy. Each carries `utm_source` naming its channel (and `utm_medium=share`),
//! so organizers see which channel brought whom, and the partner (`via`) who brought the
//! supporter, so a partner keeps the signatures its supporters' friends add.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::domain::Lang;
use crate::partners::PartnerId;

/// What a query value or mail header escapes: all but RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    WhatsApp,
    Telegram,
    Email,
    Copy,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::WhatsApp, Channel::Telegram, Channel::Email, Channel::Copy];

    /// The `utm_source` a link shared this way carries.
    pub fn utm_source(self) -> &'static str {
        match self {
            Channel::WhatsApp => "whatsapp",
            Channel::Telegram => "telegram",
            Channel::Email => "email",
            Channel::Copy => "copy",
        }
    }
}

/// The links to share one campaign, in the language the supporter read it in.
pub struct ShareLinks {
    /// `https://host/c/slug`, without a query.
    page: String,
    lang: Lang,
    /// The campaign's share text, in `lang` or the campaign's default language.
    pub text: String,
    via: Option<PartnerId>,
}

impl ShareLinks {
    /// `base_url` is the setting (no trailing slash); `via` a partner the campaign lists.
    pub fn new(base_url: &str, slug: &str, lang: Lang, text: String, via: Option<PartnerId>) -> ShareLinks {
        ShareLinks { page: format!("{base_url}/c/{slug}"), lang, text, via }
    }

    /// The campaign page's address as shared through `channel`.
    pub fn url(&self, channel: Channel) -> String {
        let mut url = format!(
            "{}?lang={}&utm_source={}&utm_medium=share",
            self.page,
            self.lang.code(),
            channel.utm_source()
        );
        if let Some(via) = &self.via {
            url.push_str("&via=");
            url.push_str(via.as_ref());
        }
        url
    }

    pub fn whatsapp_href(&self) -> String {
        format!("https://wa.me/?text={}", enc(&format!("{} {}", self.text, self.url(Channel::WhatsApp))))
    }

    pub fn telegram_href(&self) -> String {
        format!("https://t.me/share/url?url={}&text={}", enc(&self.url(Channel::Telegram)), enc(&self.text))
    }

    pub fn email_href(&self) -> String {
        let body = format!("{}\n\n{}", self.text, self.url(Channel::Email));
        format!("mailto:?subject={}&body={}", enc(&self.text), enc(&body))
    }

    pub fn copy_url(&self) -> String {
        self.url(Channel::Copy)
    }
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(via: Option<&str>) -> ShareLinks {
        let via = via.map(|v| PartnerId::parse(v).unwrap());
        ShareLinks::new(
            "https://sign.example",
            "end-forced-returns",
            Lang::FaAf,
            "بپیوندید & sign".into(),
            via,
        )
    }

    #[test]
    fn each_channel_names_itself_and_keeps_the_partner() {
        let links = links(Some("pro-asyl"));
        assert_eq!(
            links.copy_url(),
            "https://sign.example/c/end-forced-returns?lang=fa-AF&utm_source=copy&utm_medium=share&via=pro-asyl"
        );
        assert!(
            links.whatsapp_href().contains("utm_source%3Dwhatsapp%26utm_medium%3Dshare%26via%3Dpro-asyl")
        );
        assert!(links.telegram_href().contains("utm_source%3Dtelegram"));
        assert!(links.email_href().contains("utm_source%3Demail"));
    }

    #[test]
    fn the_share_text_is_escaped_in_every_link() {
        let links = links(None);
        for href in [links.whatsapp_href(), links.telegram_href(), links.email_href()] {
            assert!(!href.contains(" & "), "{href}");
            assert!(!href.contains("via"), "{href}");
        }
    }
}
