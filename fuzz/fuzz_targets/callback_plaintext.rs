//! Any bytes as a callback *plaintext*, encrypted here: the crate's padding, header, length and
//! UTF-8 checks against a model of the layout.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wecom_fuzz::callback::plaintext(data);
});
