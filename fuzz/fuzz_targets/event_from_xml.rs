//! `event::Event::from_xml` on any text (the decrypted message of a callback): never a panic;
//! a decoded event serializes to JSON; the catch-all keeps the XML as sent.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = wecom_fuzz::event::from_xml(&String::from_utf8_lossy(data));
});
