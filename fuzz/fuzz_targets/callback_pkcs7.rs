//! `pkcs7::unpad` on any bytes against the 32-byte PKCS#7 rule, and `unpad(pad(x)) == x`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wecom_fuzz::callback::pkcs7(data);
});
