//! The sign form's body parser on any bytes, then every field parser on every value.
//! A decoded form, encoded again, decodes to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use rallypost::web::form;

fuzz_target!(|body: &[u8]| {
    let Ok(fields) = form::parse(body) else { return };
    for (name, value) in &fields {
        rallypost_fuzz::check_field(name);
        rallypost_fuzz::check_field(value);
    }
    let encoded: Vec<String> = fields
        .iter()
        .map(|(n, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(n, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect();
    assert_eq!(form::parse(encoded.join("&").as_bytes()), Ok(fields));
});
