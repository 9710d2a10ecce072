//! What a link to a campaign page shows when pasted into a messenger or a social network:
//! its Open Graph and Twitter card tags, in the page's language, with absolute addresses
//! (crawlers resolve nothing relative) and the share image of that language.

use crate::campaigns::CampaignFile;
use crate::domain::Lang;
use crate::i18n::Texts;

/// The values of a campaign page's `og:*` and `twitter:*` tags.
pub struct Preview {
    pub title: String,
    pub description: String,
    /// The page in this language: `https://host/c/slug?lang=fa-AF`.
    pub url: String,
    /// The share image in this language: `https://host/c/slug/share.png?lang=fa-AF`.
    pub image: String,
    pub image_alt: String,
    /// `og:locale`, as Open Graph writes it: `fa_AF`.
    pub locale: &'static str,
    /// The other languages the campaign is written in, as `og:locale:alternate`.
    pub alternates: Vec<&'static str>,
    /// The site's host name, as `og:site_name`.
    pub site_name: String,
}

impl Preview {
    /// `base_url` is the setting (no trailing slash); `lang` the page's language.
    pub fn new(base_url: &str, slug: &str, file: &CampaignFile, lang: Lang) -> Preview {
        let (text_lang, text) = file.text_for(lang);
        let written = |l: Lang| file.text_for(l).0 == l;
        Preview {
            title: text.title.clone(),
            description: text.summary.clone(),
            url: format!("{base_url}/c/{slug}?lang={}", lang.code()),
            image: format!("{base_url}/c/{slug}/share.png?lang={}", lang.code()),
            image_alt: Texts::new(lang).t1("share-image-alt", "title", &text.title),
            locale: og_locale(text_lang),
            alternates: Lang::ALL
                .into_iter()
                .filter(|&l| l != text_lang && written(l))
                .map(og_locale)
                .collect(),
            site_name: url::Url::parse(base_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| base_url.to_owned()),
        }
    }
}

/// Open Graph wants language and territory; for Pashto and Dari that is Afghanistan.
fn og_locale(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "de_DE",
        Lang::FaAf => "fa_AF",
        Lang::Ps => "ps_AF",
        _ => "en_US",
    }
}
