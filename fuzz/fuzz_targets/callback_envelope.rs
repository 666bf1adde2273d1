//! A callback POST body: `Envelope::parse` on any bytes, then `Verifier::open` with the
//! `<Encrypt>` correctly signed; the two agree, and whatever opens re-encrypts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wecom_fuzz::callback::envelope(data);
});
