//! `Receiver::receive` with a correctly signed envelope around any text as the decrypted
//! message: never refused, never a panic; released deliveries are new again, and the second
//! delivery of an accepted message is a duplicate.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wecom_fuzz::callback::receive(&String::from_utf8_lossy(data));
});
