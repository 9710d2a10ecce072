//! The domain types on structured input: one arbitrary string per field, and email
//! addresses built from a local part and a domain, so that Gmail's canonical form and the
//! throwaway-domain list are reached often.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rallypost_fuzz::{check_email, check_field};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    fields: Vec<&'a str>,
    local: &'a str,
    domain: Domain<'a>,
}

#[derive(Arbitrary, Debug)]
enum Domain<'a> {
    Gmail,
    GoogleMail,
    Upper,
    Example,
    Disposable,
    Other(&'a str),
}

fuzz_target!(|input: Input<'_>| {
    for field in &input.fields {
        check_field(field);
    }
    let domain = match input.domain {
        Domain::Gmail => "gmail.com",
        Domain::GoogleMail => "googlemail.com",
        Domain::Upper => "GMail.COM",
        Domain::Example => "example.org",
        Domain::Disposable => "eu.mailinator.com",
        Domain::Other(d) => d,
    };
    check_email(&format!("{}@{domain}", input.local));
});
