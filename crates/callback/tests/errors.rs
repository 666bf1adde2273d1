//! Every `CallbackError` variant is reachable from untrusted input, with the right variant,
//! and no error (nor `Crypto`'s `Debug`) ever shows the Token or the EncodingAESKey.

mod common;

use common::*;
use wecom_callback::{CallbackError, CallbackQuery, Crypto, Envelope, ReceiveIdPolicy, Verifier, pkcs7};

const TOKEN: &str = "QDG6eK";
const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const KEY_HEX: &str = "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760";
const TS: &str = "1409659813";
const NONCE: &str = "1372623149";

fn crypto() -> Crypto {
    Crypto::new(TOKEN, KEY).unwrap()
}

/// Decrypts `encrypt` under a valid signature, so the checks after the signature are reached.
fn decrypt_signed(encrypt: &str) -> Result<wecom_callback::Decrypted, CallbackError> {
    let crypto = crypto();
    let signature = crypto.signature(TS, NONCE, encrypt);
    crypto.decrypt(&signature, TS, NONCE, encrypt)
}

/// A ciphertext of exactly `plain` (a multiple of 16), made with raw AES under KEY.
fn crafted(plain: &[u8]) -> String {
    raw_encrypt(&unhex(KEY_HEX), plain)
}

/// `random(16) ‖ len ‖ body`, padded to 32.
fn plaintext(declared_len: u32, body: &[u8]) -> Vec<u8> {
    let mut p = b"0123456789abcdef".to_vec();
    p.extend(declared_len.to_be_bytes());
    p.extend(body);
    pkcs7::pad(&p)
}

fn no_secret_in(error: &CallbackError) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(TOKEN) && !text.contains(KEY), "secret leaked: {text}");
        assert!(!text.contains(&KEY[..10]), "part of the key leaked: {text}");
    }
}

#[test]
fn bad_keys_are_rejected_without_quoting_them() {
    let cases = [
        ("", "empty"),
        (&KEY[..42], "42 characters"),
        ("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2CA", "44 characters"),
        ("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2=", "ends with `=`"),
        ("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2$", "$"),
        ("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2é", "non-ASCII"),
        ("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2 ", "space"),
    ];
    for (key, why) in cases {
        let error = Crypto::new(TOKEN, key).expect_err(why);
        assert!(matches!(error, CallbackError::InvalidKey { .. }), "{why}: {error:?}");
        no_secret_in(&error);
        if !key.is_empty() {
            assert!(!error.to_string().contains(key), "{why}");
        }
    }
    assert!(Crypto::new(TOKEN, "").unwrap_err().to_string().contains("empty"));
    assert!(Crypto::new(TOKEN, &KEY[..42]).unwrap_err().to_string().contains("42 characters long, not 43"));
}

#[test]
fn debug_hides_token_and_key() {
    let crypto = crypto();
    let verifier = Verifier::new(crypto.clone(), "wx5823bf96d3bd56c7");
    for text in [format!("{crypto:?}"), format!("{crypto:#?}"), format!("{verifier:?}")] {
        assert!(!text.contains(TOKEN) && !text.contains(KEY) && !text.contains(&KEY_HEX[..8]), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[test]
fn wrong_signature_is_refused_before_decryption() {
    let v = &VECTORS[3];
    let crypto = crypto();
    let mut wrong = v.msg_signature.to_owned();
    wrong.replace_range(0..1, "0");
    for (signature, timestamp, nonce, encrypt) in [
        (wrong.as_str(), v.timestamp, v.nonce, v.encrypt),
        (v.msg_signature, "1409659814", v.nonce, v.encrypt),
        (v.msg_signature, v.timestamp, "1", v.encrypt),
        ("", v.timestamp, v.nonce, v.encrypt),
        (&v.msg_signature[..39], v.timestamp, v.nonce, v.encrypt),
        // Signature checked first: garbage ciphertext under a wrong signature is a signature error.
        (v.msg_signature, v.timestamp, v.nonce, "not base64 at all!"),
    ] {
        let error = crypto.decrypt(signature, timestamp, nonce, encrypt).unwrap_err();
        assert_eq!(error, CallbackError::SignatureMismatch);
        no_secret_in(&error);
    }
    // The wrong token gives a different signature.
    let other = Crypto::new("QDG6eL", KEY).unwrap();
    assert_eq!(
        other.decrypt(v.msg_signature, v.timestamp, v.nonce, v.encrypt).unwrap_err(),
        CallbackError::SignatureMismatch
    );
}

#[test]
fn base64_errors() {
    for encrypt in [
        "not base64!",
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Q=",
        "ab c",
    ] {
        let error = decrypt_signed(encrypt).unwrap_err();
        assert!(matches!(error, CallbackError::Base64 { .. }), "{encrypt}: {error:?}");
    }
}

#[test]
fn ciphertext_length_errors() {
    use base64::Engine;
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    for len in [0, 1, 15, 16, 17, 31, 33, 40] {
        assert_eq!(decrypt_signed(&b64(len)).unwrap_err(), CallbackError::CiphertextLength { len }, "{len}");
    }
    // A truncated ciphertext (one 16-byte block short of a 32 multiple) still decrypts block-wise,
    // but its padding no longer checks out.
    let v = &VECTORS[3];
    let full = base64::engine::general_purpose::STANDARD.decode(v.encrypt).unwrap();
    let truncated = base64::engine::general_purpose::STANDARD.encode(&full[..full.len() - 16]);
    assert!(matches!(decrypt_signed(&truncated).unwrap_err(), CallbackError::Padding { .. }));
}

#[test]
fn padding_errors() {
    let mut zero = plaintext(4, b"abcd");
    *zero.last_mut().unwrap() = 0;
    let mut too_big = plaintext(4, b"abcd");
    *too_big.last_mut().unwrap() = 33;
    let mut uneven = plaintext(4, b"abcd"); // 24 bytes + 8 × 0x08
    let n = uneven.len();
    uneven[n - 3] = 7;
    for (plain, why) in [(zero, "pad 0"), (too_big, "pad 33"), (uneven, "pad bytes differ")] {
        let error = decrypt_signed(&crafted(&plain)).unwrap_err();
        assert!(matches!(error, CallbackError::Padding { .. }), "{why}: {error:?}");
    }
    // Unit level: empty input, pad longer than the data.
    assert!(matches!(pkcs7::unpad(b""), Err(CallbackError::Padding { .. })));
    assert!(matches!(pkcs7::unpad(&[5, 5, 5]), Err(CallbackError::Padding { .. })));
    assert_eq!(pkcs7::unpad(&[9, 1]).unwrap(), [9]);
}

#[test]
fn message_length_errors() {
    // Plaintext shorter than the 20-byte header: 16 bytes + 16 × 0x10.
    let mut short = b"0123456789abcdef".to_vec();
    short.extend([16u8; 16]);
    assert_eq!(
        decrypt_signed(&crafted(&short)).unwrap_err(),
        CallbackError::MessageLength { plaintext_len: 16, declared: None }
    );
    // Declared length beyond the plaintext, including one that would overflow 20 + len on 32-bit.
    for declared in [5, 100, u32::MAX] {
        let plain = plaintext(declared, b"abcd");
        assert_eq!(
            decrypt_signed(&crafted(&plain)).unwrap_err(),
            CallbackError::MessageLength { plaintext_len: 24, declared: Some(declared) },
            "{declared}"
        );
    }
    // The boundary: a declared length that uses exactly every byte is fine (empty receive id).
    let exact = decrypt_signed(&crafted(&plaintext(4, b"abcd"))).unwrap();
    assert_eq!((exact.message(), exact.receive_id()), ("abcd", ""));
    assert!(CallbackError::MessageLength { plaintext_len: 24, declared: Some(100) }.to_string().contains("100-byte"));
}

#[test]
fn utf8_errors_name_the_part() {
    let bad_message = plaintext(2, b"\xff\xfeww1");
    assert_eq!(decrypt_signed(&crafted(&bad_message)).unwrap_err(), CallbackError::Utf8 { part: "message" });
    let bad_receive_id = plaintext(2, b"ok\xc3\x28");
    assert_eq!(decrypt_signed(&crafted(&bad_receive_id)).unwrap_err(), CallbackError::Utf8 { part: "receive id" });
}

#[test]
fn tampered_ciphertext_never_yields_the_original() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let v = &VECTORS[3];
    let bytes = engine.decode(v.encrypt).unwrap();
    for i in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[i] ^= 0x01;
        let encrypt = engine.encode(&tampered);
        // Under the original signature: always refused.
        assert_eq!(
            crypto().decrypt(v.msg_signature, v.timestamp, v.nonce, &encrypt).unwrap_err(),
            CallbackError::SignatureMismatch
        );
        // Re-signed (as only the Token holder could): a typed error or a different plaintext.
        if let Ok(plain) = decrypt_signed(&encrypt) {
            assert_ne!((plain.message(), plain.receive_id()), (v.message, v.receive_id), "byte {i}");
        }
    }
}

#[test]
fn receive_id_mismatch_under_exact_and_any_of() {
    let v = &VECTORS[3];
    let query = CallbackQuery::new(v.msg_signature, v.timestamp, v.nonce);
    let body = envelope(v.receive_id, v.encrypt, "218");
    let exact = Verifier::new(crypto(), "wwsomeoneelse");
    let error = exact.open(&query, &body).unwrap_err();
    assert!(matches!(&error, CallbackError::ReceiveIdMismatch { found, .. } if found == v.receive_id), "{error:?}");
    assert!(error.to_string().contains("wwsomeoneelse"));
    no_secret_in(&error);

    let any_of = Verifier::with_policy(crypto(), ReceiveIdPolicy::AnyOf(vec!["ww1".into(), "ww2".into()]));
    assert!(matches!(any_of.open(&query, &body), Err(CallbackError::ReceiveIdMismatch { .. })));
    let empty = Verifier::with_policy(crypto(), ReceiveIdPolicy::AnyOf(vec![]));
    assert!(matches!(empty.open(&query, &body), Err(CallbackError::ReceiveIdMismatch { .. })));
    assert!(Verifier::with_policy(crypto(), ReceiveIdPolicy::Skip).open(&query, &body).is_ok());

    // The same check guards URL verification (WeChatMPSDK#611, wechatpy#799).
    let get = &VECTORS[2];
    let query = CallbackQuery::new(get.msg_signature, get.timestamp, get.nonce).with_echostr(get.encrypt);
    assert!(matches!(exact.verify_url(&query), Err(CallbackError::ReceiveIdMismatch { .. })));
    assert!(ReceiveIdPolicy::Exact(String::new()).check("").is_ok());
    assert!(ReceiveIdPolicy::Exact(String::new()).check("ww1").is_err());
}

#[test]
fn envelope_errors() {
    let cases: [(&[u8], &str); 12] = [
        (b"", "no root element"),
        (b"   \n", "no root element"),
        (b"{\"encrypt\":\"abc\"}", "outside the root"),
        (b"<xml><ToUserName>ww</ToUserName></xml>", "no <Encrypt>"),
        (b"<xml/>", "no <Encrypt>"),
        (b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>", "more than once"),
        (b"<xml><Encrypt>a<b>c</b></Encrypt></xml>", "contains an element"),
        (b"<xml><Encrypt>a<b/></Encrypt></xml>", "contains an element"),
        (b"<xml><Encrypt>abc</Encrypt>", "ends inside"),
        (b"<xml><Encrypt>abc</Encrypt></xml><xml/>", "more than one root"),
        (b"<xml><Encrypt>\xff</Encrypt></xml>", "not UTF-8"),
        (b"<xml><Encrypt>a&bogus;</Encrypt></xml>", "entity"),
    ];
    for (body, expected) in cases {
        let error = Envelope::parse(body).unwrap_err();
        assert!(matches!(error, CallbackError::Envelope { .. }), "{body:?}: {error:?}");
        assert!(error.to_string().contains(expected), "{:?}: {error}", String::from_utf8_lossy(body));
    }
    for body in
        ["<xml><Encrypt>abc</Wrong></xml>", "<xml><Encrypt>abc</Encrypt></xml2>", "<xml><Encrypt a=>x</Encrypt></xml>"]
    {
        assert!(matches!(Envelope::parse(body), Err(CallbackError::Envelope { .. })), "{body}");
    }
    // Through the verifier: a malformed body fails before the signature is looked at.
    let verifier = Verifier::new(crypto(), "wx5823bf96d3bd56c7");
    let query = CallbackQuery::new("0", TS, NONCE);
    assert!(matches!(verifier.open(&query, "not xml"), Err(CallbackError::Envelope { .. })));
}

#[test]
fn missing_and_invalid_parameters() {
    for (raw, name) in [
        ("timestamp=1&nonce=2", "msg_signature"),
        ("msg_signature=a&nonce=2", "timestamp"),
        ("msg_signature=a&timestamp=1", "nonce"),
        ("", "msg_signature"),
    ] {
        let error = CallbackQuery::parse(raw).unwrap_err();
        assert_eq!(error, CallbackError::MissingParameter { name });
        assert_eq!(error.to_string(), format!("missing query parameter `{name}`"));
    }
    let post = CallbackQuery::parse("msg_signature=a&timestamp=1&nonce=2").unwrap();
    let verifier = Verifier::new(crypto(), "wx5823bf96d3bd56c7");
    assert_eq!(verifier.verify_url(&post).unwrap_err(), CallbackError::MissingParameter { name: "echostr" });

    assert_eq!(
        CallbackQuery::parse("msg_signature=a&timestamp=1&nonce=2&nonce=3").unwrap_err(),
        CallbackError::InvalidParameter { name: "nonce", reason: "appears more than once" }
    );
    assert!(matches!(
        CallbackQuery::parse("msg_signature=a&timestamp=1&nonce=%FF"),
        Err(CallbackError::InvalidParameter { name: "nonce", .. })
    ));
    assert!(matches!(
        CallbackQuery::parse("msg_signature=a&timestamp=1&nonce=2&echostr=%C3%28"),
        Err(CallbackError::InvalidParameter { name: "echostr", .. })
    ));
}
