//! The config loader on arbitrary text: a config, or an error that names the place; never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = adsync::config::Config::parse(&String::from_utf8_lossy(bytes), "fuzz.toml");
});
