//! The CSV reader on arbitrary bytes (the first byte picks the layout and the delimiter):
//! rows or an error that names its lines; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = adsync::source::csv::parse_any(bytes);
});
