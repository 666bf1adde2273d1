//! Property tests: any message and receive id round-trips (empty, non-ASCII, 1 MB), and no
//! input — ciphertext, envelope or query string — makes decryption or parsing panic.

mod common;

use base64::Engine;
use common::*;
use proptest::prelude::*;
use wecom_callback::{CallbackError, CallbackQuery, Crypto, Envelope, Verifier};

const TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";

fn crypto() -> Crypto {
    Crypto::new(TOKEN, TV_5_6_KEY).unwrap()
}

/// Messages: empty, short arbitrary Unicode, and ~1 MB built from a random non-ASCII mix.
fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        8 => any::<String>(),
        4 => "[a-z<>/ 你好审批\u{1F600}\n]{0,3000}",
        1 => (prop::collection::vec(any::<char>(), 1..16), 0usize..64).prop_map(|(chars, extra)| {
            let mut s = String::with_capacity((1 << 20) + 64);
            while s.len() < (1 << 20) + extra {
                s.extend(chars.iter());
            }
            s
        }),
    ]
}

fn receive_id() -> impl Strategy<Value = String> {
    prop_oneof!["ww[0-9a-f]{16}", Just(String::new()), any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn encrypt_then_decrypt_round_trips(message in message(), receive_id in receive_id(), prefix in any::<[u8; 16]>(), timestamp in "[0-9]{10}", nonce in "[0-9a-zA-Z]{1,16}") {
        let crypto = crypto();
        for encrypt in [crypto.encrypt_with_prefix(&message, &receive_id, prefix), crypto.encrypt(&message, &receive_id)] {
            let decoded = base64::engine::general_purpose::STANDARD.decode(&encrypt).unwrap();
            prop_assert_eq!(decoded.len() % 32, 0);
            prop_assert!(decoded.len() > 20 + message.len() + receive_id.len());
            let signature = crypto.signature(&timestamp, &nonce, &encrypt);
            let plain = crypto.decrypt(&signature, &timestamp, &nonce, &encrypt).unwrap();
            prop_assert_eq!(plain.message(), message.as_str());
            prop_assert_eq!(plain.receive_id(), receive_id.as_str());
        }
    }

    #[test]
    fn verify_url_and_open_round_trip(message in "[0-9a-zA-Z<>你]{0,200}", receive_id in "ww[0-9a-f]{16}") {
        let crypto = crypto();
        let verifier = Verifier::new(crypto.clone(), receive_id.clone());
        let encrypt = crypto.encrypt(&message, &receive_id);
        let signature = crypto.signature("1700000000", "42", &encrypt);
        let echostr: String = encrypt.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
        let get = CallbackQuery::parse(&format!("msg_signature={signature}&timestamp=1700000000&nonce=42&echostr={echostr}")).unwrap();
        prop_assert_eq!(verifier.verify_url(&get).unwrap(), message.clone());
        let post = CallbackQuery::new(signature, "1700000000", "42");
        let opened = verifier.open(&post, envelope(&receive_id, &encrypt, "")).unwrap();
        prop_assert_eq!(opened.message(), message.as_str());
    }

    /// Arbitrary strings as the ciphertext, correctly signed so every check after the signature runs.
    #[test]
    fn signed_garbage_strings_never_panic(encrypt in any::<String>()) {
        let crypto = crypto();
        let signature = crypto.signature("1", "2", &encrypt);
        let _ = crypto.decrypt(&signature, "1", "2", &encrypt);
    }

    /// Arbitrary bytes in valid base64 and whole blocks, so they reach AES, unpadding and splitting.
    #[test]
    fn signed_garbage_blocks_never_panic(blocks in prop::collection::vec(any::<[u8; 16]>(), 0..40)) {
        let crypto = crypto();
        let encrypt = base64::engine::general_purpose::STANDARD.encode(blocks.concat());
        let signature = crypto.signature("1", "2", &encrypt);
        match crypto.decrypt(&signature, "1", "2", &encrypt) {
            Ok(_) | Err(CallbackError::CiphertextLength { .. } | CallbackError::Padding { .. }
                | CallbackError::MessageLength { .. } | CallbackError::Utf8 { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// Chosen plaintexts (random header and body, valid padding): splitting never panics and an
    /// accepted split is consistent with the declared length.
    #[test]
    fn chosen_plaintexts_split_safely(declared in any::<u32>(), small in 0u32..64, use_small in any::<bool>(), body in prop::collection::vec(any::<u8>(), 0..80)) {
        let key = unhex("916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4");
        let declared = if use_small { small } else { declared };
        let mut plain = b"0123456789abcdef".to_vec();
        plain.extend(declared.to_be_bytes());
        plain.extend(&body);
        let encrypt = raw_encrypt(&key, &wecom_callback::pkcs7::pad(&plain));
        let crypto = crypto();
        let signature = crypto.signature("1", "2", &encrypt);
        if let Ok(decrypted) = crypto.decrypt(&signature, "1", "2", &encrypt) {
            prop_assert_eq!(decrypted.message().len(), declared as usize);
            prop_assert_eq!(decrypted.message().len() + decrypted.receive_id().len(), body.len());
        }
    }

    #[test]
    fn envelope_parser_never_panics(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Envelope::parse(&body);
    }

    #[test]
    fn envelope_parser_never_panics_on_xmlish_input(body in "[<>/!\\[\\]CDATxmlEncrypt=\"' &#;a-z0-9?-]{0,300}") {
        let _ = Envelope::parse(&body);
    }

    #[test]
    fn query_parser_never_panics(raw in any::<String>(), tail in "[a-z_%0-9A-F=&+]{0,80}") {
        let _ = CallbackQuery::parse(&raw);
        let _ = CallbackQuery::parse(&format!("msg_signature=1&timestamp=2&nonce=3&{tail}"));
    }
}

/// The 1 MB case on its own, so it runs whatever the random draw: through a whole POST.
#[test]
fn one_megabyte_non_ascii_message_round_trips_through_a_post() {
    let crypto = crypto();
    let mut message = String::from("<xml><Content><![CDATA[");
    while message.len() < 1 << 20 {
        message.push_str("审批通过 ✓ approved; ");
    }
    message.push_str("]]></Content></xml>");
    let encrypt = crypto.encrypt(&message, "wx49f0ab532d5d035a");
    let signature = crypto.signature("1411525903", "461056294", &encrypt);
    let verifier = Verifier::new(crypto, "wx49f0ab532d5d035a");
    let opened = verifier
        .open(&CallbackQuery::new(signature, "1411525903", "461056294"), envelope("wx49f0ab532d5d035a", &encrypt, "1"))
        .unwrap();
    assert!(opened.message().len() > 1 << 20);
    assert_eq!(opened.message(), message);
}
