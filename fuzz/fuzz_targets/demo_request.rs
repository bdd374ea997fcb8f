//! The demo directory's request handling: whatever bytes a client sends are decoded and
//! answered as on one connection. A refusal is fine; a panic is a finding.
#![no_main]

use adsync::demo::company::{CompanySpec, generate};
use adsync::demo::directory::Directory;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static DIRECTORY: LazyLock<Directory> =
    LazyLock::new(|| Directory::new(generate(&CompanySpec::new(40)), "dc=example,dc=com"));

fuzz_target!(|bytes: &[u8]| {
    adsync::demo::answer_bytes(&DIRECTORY, bytes, 8);
});
