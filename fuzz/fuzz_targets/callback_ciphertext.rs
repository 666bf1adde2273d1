//! Any bytes as a callback ciphertext (base64-encoded and signed): AES, length and padding
//! checks; never a panic, and whatever decrypts re-encrypts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wecom_fuzz::callback::ciphertext(data);
});
