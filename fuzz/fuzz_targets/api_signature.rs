//! The write API's JSON body parser on any bytes: it answers `Ok` or `Malformed`, never
//! panics; a body it reads, written out again, reads the same; and every value it hands
//! the sign form's validation goes through every field parser (as `form` checks).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rallypost::domain::Lang;
use rallypost::partners::PartnerId;
use rallypost::web::api::signature_body;

fuzz_target!(|body: &[u8]| {
    let Ok(parsed) = signature_body::parse(body) else { return };
    let again = serde_json::to_vec(&parsed).expect("a parsed body serializes");
    assert_eq!(signature_body::parse(&again).as_ref(), Ok(&parsed));
    let partner = PartnerId::parse("exile-network").unwrap();
    for (name, value) in parsed.form_fields(Some(&partner)) {
        rallypost_fuzz::check_field(&name);
        rallypost_fuzz::check_field(&value);
    }
    let lang = parsed.lang(Lang::En);
    match parsed.validate(Some(&partner), Lang::En) {
        Ok(new) => assert_eq!(new.lang, lang),
        Err(fields) => assert!(!fields.is_empty(), "a refusal names a field"),
    }
});
