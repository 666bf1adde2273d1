//! Every published vector of the callback reference: signatures, decryption, receive ids,
//! byte-exact re-encryption with the listed random prefixes, the passive reply, and keys.

mod common;

use common::*;
use wecom_callback::{CallbackQuery, Crypto, Envelope, ReceiveIdPolicy, Verifier, passive_reply_with_prefix, pkcs7};

fn crypto(v: &Vector) -> Crypto {
    Crypto::new(v.token, v.key).unwrap_or_else(|e| panic!("{}: {e}", v.name))
}

#[test]
fn signatures_match_every_vector() {
    for v in &VECTORS {
        assert_eq!(crypto(v).signature(v.timestamp, v.nonce, v.encrypt), v.msg_signature, "{}", v.name);
    }
}

#[test]
fn decrypt_recovers_message_and_receive_id() {
    for v in &VECTORS {
        let plain = crypto(v).decrypt(v.msg_signature, v.timestamp, v.nonce, v.encrypt).unwrap();
        assert_eq!(plain.message(), v.message, "{}", v.name);
        assert_eq!(plain.receive_id(), v.receive_id, "{}", v.name);
    }
}

#[test]
fn encrypt_with_the_listed_prefix_reproduces_the_ciphertext_byte_for_byte() {
    for v in &VECTORS {
        assert_eq!(crypto(v).encrypt_with_prefix(v.message, v.receive_id, *v.random), v.encrypt, "{}", v.name);
    }
}

/// The reference's derived facts, checked with raw AES and the stated key bytes, independent of
/// `Crypto`: the key decodes to the stated hex (else `Crypto` could not produce the same
/// ciphertext), and the plaintext has the stated prefix, length, and pad byte.
#[test]
fn stated_key_bytes_layout_and_padding_hold() {
    for v in &VECTORS {
        let key = unhex(v.key_hex);
        let plain = raw_decrypt(&key, v.encrypt);
        assert_eq!(plain.len(), v.cipher_len, "{}", v.name);
        assert_eq!(plain.len() % 32, 0, "{}: a multiple of 32", v.name);
        assert_eq!(*plain.last().unwrap(), v.pad, "{}", v.name);
        assert_eq!(&plain[..16], v.random, "{}", v.name);
        assert_eq!(u32::from_be_bytes(plain[16..20].try_into().unwrap()) as usize, v.message.len(), "{}", v.name);
        // Crypto with the EncodingAESKey and raw AES with the stated bytes agree.
        let mut expected = plain[..plain.len() - usize::from(v.pad)].to_vec();
        expected = pkcs7::pad(&expected);
        assert_eq!(raw_encrypt(&key, &expected), crypto(v).encrypt_with_prefix(v.message, v.receive_id, *v.random));
    }
}

#[test]
fn get_vectors_verify_the_url_and_answer_the_plaintext() {
    for v in VECTORS.iter().filter(|v| v.get) {
        let verifier = Verifier::new(crypto(v), v.receive_id);
        let query = CallbackQuery::new(v.msg_signature, v.timestamp, v.nonce).with_echostr(v.encrypt);
        assert_eq!(verifier.verify_url(&query).unwrap(), v.message, "{}", v.name);
    }
}

#[test]
fn tv7_raw_percent_encoded_url_verifies() {
    let v = &VECTORS[6];
    let verifier = Verifier::new(crypto(v), v.receive_id);
    let query = CallbackQuery::parse(TV_7_RAW_QUERY).unwrap();
    assert_eq!(query.echostr(), Some(v.encrypt));
    assert_eq!(verifier.verify_url(&query).unwrap(), "94966531020182955848408");
}

#[test]
fn post_vectors_open_from_an_envelope() {
    for v in VECTORS.iter().filter(|v| !v.get) {
        let verifier = Verifier::new(crypto(v), v.receive_id);
        let query = CallbackQuery::new(v.msg_signature, v.timestamp, v.nonce);
        let opened = verifier.open(&query, envelope(v.receive_id, v.encrypt, "1000002")).unwrap();
        assert_eq!(opened.message(), v.message, "{}", v.name);
        assert_eq!(opened.receive_id(), v.receive_id, "{}", v.name);
        assert_eq!(opened.to_user_name(), Some(v.receive_id));
        assert_eq!(opened.agent_id(), Some("1000002"));
    }
}

/// go-workwx envelope/mod_test.go: a whole POST, raw query string and body as received.
#[test]
fn go_workwx_post_opens_from_raw_query_and_body() {
    let verifier = Verifier::new(Crypto::new(GW_TOKEN, GW_KEY).unwrap(), "ww6a112864f8022910");
    let opened = verifier.open(&CallbackQuery::parse(GW_POST_QUERY).unwrap(), GW_POST_BODY.as_bytes()).unwrap();
    assert_eq!(opened.message(), GW_POST_MESSAGE);
    assert_eq!(opened.receive_id(), "ww6a112864f8022910");
    assert_eq!(opened.to_user_name(), Some("ww6a112864f8022910"));
    assert_eq!(opened.agent_id(), Some("1000002"));
}

/// E-1: wechatpy test_encrypt_message, the whole passive reply byte for byte.
#[test]
fn e1_passive_reply_is_byte_exact() {
    let crypto = Crypto::new("123456", TV_5_6_KEY).unwrap();
    let reply = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
    assert_eq!(reply.len(), 247);
    let expected = "<xml>\n<Encrypt><![CDATA[9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3]]></Encrypt>\n<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>\n<TimeStamp>1411525903</TimeStamp>\n<Nonce><![CDATA[461056294]]></Nonce>\n</xml>";
    let out = passive_reply_with_prefix(
        &crypto,
        reply,
        "wx49f0ab532d5d035a",
        "1411525903",
        "461056294",
        *b"1234567890123456",
    );
    assert_eq!(out, expected);

    // And the reply opens again with its own signature, timestamp and nonce.
    let envelope = Envelope::parse(&out).unwrap();
    let plain = crypto
        .decrypt("407518b7649e86ef23978113f92d27afa9296533", "1411525903", "461056294", envelope.encrypt())
        .unwrap();
    assert_eq!(plain.message(), reply);
    assert_eq!(plain.receive_id(), "wx49f0ab532d5d035a");
}

const E2_MESSAGE: &str = "我是中文abcd123";
const E2_CIPHER: &str = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";
const E3_MESSAGE: &str = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>";
const E3_CIPHER: &str = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb";

/// E-2 / E-3: WxJava WxCryptUtilTest, prefix `aaaabbbbccccdddd`; and they decrypt back.
#[test]
fn e2_e3_encrypt_with_prefix_and_decrypt_back() {
    let crypto = Crypto::new("any-token", WXJAVA_KEY).unwrap();
    assert_eq!(E2_MESSAGE.len(), 19, "the length field counts UTF-8 bytes");
    for (message, cipher) in [(E2_MESSAGE, E2_CIPHER), (E3_MESSAGE, E3_CIPHER)] {
        assert_eq!(crypto.encrypt_with_prefix(message, "wxb11529c136998cb6", *b"aaaabbbbccccdddd"), cipher);
        let signature = crypto.signature("1407743423", "nonce", cipher);
        let plain = crypto.decrypt(&signature, "1407743423", "nonce", cipher).unwrap();
        assert_eq!((plain.message(), plain.receive_id()), (message, "wxb11529c136998cb6"));
    }
}

/// WxJava SHA1Test: the SHA-1 of the sorted concatenation of "123" and "345". With token "123"
/// and timestamp "345", the empty nonce and ciphertext sort first and add nothing.
#[test]
fn sha1_check_vector() {
    let crypto = Crypto::new("123", WXJAVA_KEY).unwrap();
    assert_eq!(crypto.signature("345", "", ""), "9f537aeb751ec72605f57f94a2f6dc3e3958e1dd");
    assert_eq!(
        crypto.signature("", "345", ""),
        "9f537aeb751ec72605f57f94a2f6dc3e3958e1dd",
        "order of inputs is irrelevant"
    );
}

#[test]
fn all_six_public_keys_decode() {
    for key in PUBLIC_KEYS {
        assert!(Crypto::new("t", key).is_ok(), "{key}");
    }
    // Five of them have the two unused low bits of the last character set: the STANDARD
    // engine of the base64 crate would reject them, which is why the key engine allows them.
    use base64::Engine;
    let strict = PUBLIC_KEYS
        .iter()
        .filter(|k| base64::engine::general_purpose::STANDARD.decode(format!("{k}=")).is_ok())
        .count();
    assert_eq!(strict, 1);
}

/// §2.11, go-workwx pkcs7/mod_test.go.
#[test]
fn padding_unit_vectors() {
    assert_eq!(pkcs7::pad(b""), vec![0x20; 32]);
    let mut one = vec![0x41];
    one.extend([0x1f; 31]);
    assert_eq!(pkcs7::pad(b"A"), one);
    let mut thirty_one = b"0123456789abcdef0123456789abcde".to_vec();
    thirty_one.push(0x01);
    assert_eq!(pkcs7::pad(b"0123456789abcdef0123456789abcde"), thirty_one);
    let mut thirty_two = b"0123456789abcdef0123456789abcdef".to_vec();
    thirty_two.extend([0x20; 32]);
    assert_eq!(pkcs7::pad(b"0123456789abcdef0123456789abcdef"), thirty_two);
    for input in [&b""[..], b"A", b"0123456789abcdef0123456789abcde", b"0123456789abcdef0123456789abcdef"] {
        assert_eq!(pkcs7::unpad(&pkcs7::pad(input)).unwrap(), input);
    }
}

#[test]
fn receive_id_policies_on_a_vector() {
    let v = &VECTORS[1];
    let query = CallbackQuery::new(v.msg_signature, v.timestamp, v.nonce);
    let body = envelope(v.receive_id, v.encrypt, "");
    let any = ReceiveIdPolicy::AnyOf(vec!["wwsuite".into(), v.receive_id.into()]);
    for policy in [ReceiveIdPolicy::Exact(v.receive_id.into()), any, ReceiveIdPolicy::Skip] {
        let opened = Verifier::with_policy(crypto(v), policy.clone()).open(&query, &body).unwrap();
        assert_eq!(opened.receive_id(), v.receive_id, "{policy:?}");
        assert_eq!(opened.agent_id(), None, "empty AgentID reads as absent");
    }
}
