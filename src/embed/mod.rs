//! Embeds: the campaign's form inside an `<iframe>` on a partner's site.
//!
//! A browser that blocks third-party cookies sends none to a framed page, so the public
//! form's double-submit cookie cannot prove there that a POST comes from our form. Here
//! live what replaces it and what a campaign file says about who may frame the form:
//!
//! - `EmbedOrigin`: an origin in the campaign file's `embed_origins`, the only pages a
//!   browser lets frame the embed (CSP `frame-ancestors`).
//! - `FormTokens`: a signed, short-lived form token bound to one campaign, carried as a
//!   hidden field; `consume` makes it single use by recording its id in PostgreSQL
//!   (`embed_tokens_used`, purged once the token has expired anyway).
//! - `snippet`: the `<iframe>` an organizer pastes into a partner's page.

mod origin;
mod store;
mod token;

pub use origin::EmbedOrigin;
pub use store::{consume, purge_expired};
pub use token::{FormToken, FormTokens, TOKEN_LIFETIME, TokenRefusal};

/// The address of the embedded form, for the lead (`via` = `None`) or for one partner.
pub fn embed_url(base_url: &str, slug: &str, via: Option<&str>) -> String {
    let base = base_url.trim_end_matches('/');
    match via {
        Some(partner) => format!("{base}/c/{slug}/embed?via={partner}&utm_source={partner}&utm_medium=embed"),
        None => format!("{base}/c/{slug}/embed?utm_medium=embed"),
    }
}

/// The Content-Security-Policy `frame-ancestors` value: the listed origins, else `'none'`.
pub fn frame_ancestors(origins: &[EmbedOrigin]) -> String {
    if origins.is_empty() {
        return "'none'".to_owned();
    }
    origins.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embed_address_names_the_partner_and_the_source() {
        assert_eq!(
            embed_url("https://rally.example/", "end-returns", Some("pro-asyl")),
            "https://rally.example/c/end-returns/embed?via=pro-asyl&utm_source=pro-asyl&utm_medium=embed"
        );
        assert_eq!(
            embed_url("https://rally.example", "end-returns", None),
            "https://rally.example/c/end-returns/embed?utm_medium=embed"
        );
    }

    #[test]
    fn frame_ancestors_lists_the_origins_or_none() {
        let origins = ["https://a.example", "http://localhost:8081"].map(|o| EmbedOrigin::parse(o).unwrap());
        assert_eq!(frame_ancestors(&origins), "https://a.example http://localhost:8081");
        assert_eq!(frame_ancestors(&[]), "'none'");
    }
}
