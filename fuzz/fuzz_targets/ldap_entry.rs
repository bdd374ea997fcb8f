//! Whatever a directory server sends as a search entry: ldap3 decodes the BER (its decoder
//! is the library's), adsync reduces the message's protocol operation to an object and
//! classifies it, and reads the bytes as a paged-results cookie. An error is fine; a panic
//! is a finding.
#![no_main]

use adsync::source::classify::{Policy, classify};
use adsync::source::ldap::entry::read_message;
use adsync::source::ldap::paged::parse_cookie;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = parse_cookie(bytes);
    if let Ok(read) = read_message(bytes) {
        let _ = classify(vec![read.object], &Policy::default());
    }
});
