//! What the fuzz targets check beyond "no panic", shared between them.

use rallypost::domain::{
    Comment, Country, FieldError, Lang, Postcode, Slug, SupporterEmail, SupporterName, is_direction_control,
};

/// Runs `raw` through every field parser the sign form uses, and checks what a parsed
/// value promises: it is what the reader typed (trimmed), parsing it again gives the same
/// value, and the email's canonical form is a valid address that is its own canonical form.
pub fn check_field(raw: &str) {
    if let Ok(name) = SupporterName::parse(raw) {
        assert_eq!(name.as_ref(), raw.trim());
        assert!(!name.as_ref().chars().any(|c| c.is_control() || is_direction_control(c)));
        assert_eq!(SupporterName::parse(name.as_ref()), Ok(name.clone()));
    }
    if let Ok(Some(code)) = Postcode::parse(raw) {
        assert_eq!(code.as_ref(), raw.trim());
        assert!(!code.as_ref().chars().any(is_direction_control));
        assert_eq!(Postcode::parse(code.as_ref()), Ok(Some(code.clone())));
    }
    if let Ok(Some(comment)) = Comment::parse(raw) {
        assert!(!comment.as_ref().contains('\r'));
        assert!(!comment.as_ref().chars().any(|c| (c.is_control() && c != '\n') || is_direction_control(c)));
        assert_eq!(Comment::parse(comment.as_ref()), Ok(Some(comment.clone())));
    }
    check_email(raw);
    if let Ok(country) = Country::parse(raw) {
        let code = country.code();
        assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()), "{code:?}");
        assert_eq!(Country::parse(code), Ok(country));
        assert!(!country.name().is_empty());
    }
    if let Some(lang) = Lang::from_tag(raw) {
        assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        assert!(matches!(lang.dir(), "ltr" | "rtl"));
    }
    if let Some(lang) = Lang::from_accept_language(raw) {
        assert!(lang.is_listed());
    }
    if let Ok(slug) = Slug::parse(raw) {
        assert_eq!(slug.as_ref(), raw);
        assert!(Slug::parse(slug.as_ref()).is_ok());
    }
}

pub fn check_email(raw: &str) {
    let Ok(email) = SupporterEmail::parse(raw) else { return };
    assert_eq!(email.as_ref(), raw.trim());
    assert_eq!(SupporterEmail::parse(email.as_ref()).as_ref(), Ok(&email));
    // One person signs once: the canonical form is the key, so it must be stable.
    let canonical = email.canonical();
    match SupporterEmail::parse(&canonical) {
        Ok(again) => assert_eq!(again.canonical(), canonical, "canonical form of {raw:?} is not idempotent"),
        // Lower case can be longer in bytes (`İ` is 2, `i̇` is 3; `Ⱥ` is 2, `ⱥ` is 3), so a
        // limit on the whole address or on one domain label may no longer hold; the key is
        // never parsed again, so only such a change in length may stop it parsing.
        Err(FieldError::TooLong(_)) => assert!(canonical.len() > 254),
        Err(FieldError::InvalidEmail) if canonical.len() != email.as_ref().len() => {}
        Err(e) => panic!("canonical {canonical:?} of {raw:?} does not parse: {e:?}"),
    }
    // Case never makes two people.
    let upper = SupporterEmail::parse(&raw.to_uppercase());
    if let Ok(upper) = upper {
        if raw.is_ascii() {
            assert_eq!(upper.canonical(), canonical);
        }
    }
}
