//! Whatever Entra ID or Microsoft Graph sends back: the first byte names the answer (a page
//! of users, groups or members, a delta page, a `$batch` answer, a token grant or refusal, an
//! error body), the rest is its body, read through the functions a read uses. An error is
//! fine; a panic is a finding.
#![no_main]

use adsync::source::graph::answer::{AnswerKind, read_answer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Some((&kind, body)) = bytes.split_first() {
        let _ = read_answer(AnswerKind::from_byte(kind), body);
    }
});
