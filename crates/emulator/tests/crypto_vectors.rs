//! The emulator's own WXBizMsgCrypt against the public vectors of the reference
//! (copied here: TV-1…TV-7 from the official Tencent samples, wechatpy and go-workwx;
//! E-1 from wechatpy; E-2/E-3 from WxJava): signatures, decryption, byte-exact
//! re-encryption with the vector's random prefix, and the negative cases.

use base64::Engine;
use wecom_emulator::crypto::{CryptoError, MsgCrypt, envelope};

struct Vector {
    name: &'static str,
    token: &'static str,
    encoding_aes_key: &'static str,
    receive_id: &'static str,
    timestamp: &'static str,
    nonce: &'static str,
    /// The `<Encrypt>` text, or the URL-decoded `echostr`.
    encrypt: &'static str,
    msg_signature: &'static str,
    aes_key_hex: &'static str,
    random_hex: &'static str,
    message: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        name: "TV-1",
        token: "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
        encoding_aes_key: "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
        receive_id: "ww1436e0e65a779aee",
        timestamp: "1476416373",
        nonce: "47744683",
        encrypt: "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
        msg_signature: "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
        aes_key_hex: "eaa91d32babaf274ca76ece72583b5037ed6da8120a64314be4b6d453a2a854b",
        random_hex: "38393038643066663035326166646130",
        message: "1288432023552776189",
    },
    Vector {
        name: "TV-2",
        token: "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
        encoding_aes_key: "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
        receive_id: "ww1436e0e65a779aee",
        timestamp: "1476422779",
        nonce: "1597212914",
        encrypt: "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+",
        msg_signature: "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
        aes_key_hex: "eaa91d32babaf274ca76ece72583b5037ed6da8120a64314be4b6d453a2a854b",
        random_hex: "36393463653561383361653037666533",
        message: "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>",
    },
    Vector {
        name: "TV-3",
        token: "QDG6eK",
        encoding_aes_key: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        receive_id: "wx5823bf96d3bd56c7",
        timestamp: "1409659589",
        nonce: "263014780",
        encrypt: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
        msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        aes_key_hex: "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760",
        random_hex: "63343162363434393163323436386430",
        message: "1616140317555161061",
    },
    Vector {
        name: "TV-4",
        token: "QDG6eK",
        encoding_aes_key: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        receive_id: "wx5823bf96d3bd56c7",
        timestamp: "1409659813",
        nonce: "1372623149",
        encrypt: "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==",
        msg_signature: "477715d11cdb4164915debcba66cb864d751f3e6",
        aes_key_hex: "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760",
        random_hex: "30393630363838393332633437656631",
        message: "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>",
    },
    Vector {
        name: "TV-5",
        token: "123456",
        encoding_aes_key: "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        receive_id: "wx49f0ab532d5d035a",
        timestamp: "1411443780",
        nonce: "437374425",
        encrypt: "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
        msg_signature: "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
        aes_key_hex: "916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4",
        random_hex: "32333034666332666531343666316638",
        message: "5927782489442352469",
    },
    Vector {
        name: "TV-6",
        token: "123456",
        encoding_aes_key: "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        receive_id: "wx49f0ab532d5d035a",
        timestamp: "1411525903",
        nonce: "461056294",
        encrypt: "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=",
        msg_signature: "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        aes_key_hex: "916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4",
        random_hex: "65633930623135333033353864346433",
        message: "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>",
    },
    Vector {
        name: "TV-7",
        token: "kjr2TKI8umCBfVF3wAHk8JiPwma5VBme",
        encoding_aes_key: "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws",
        receive_id: "ww6a112864f8022910",
        timestamp: "1583940690",
        nonce: "VHh7ymSeb0jc4lSb",
        encrypt: "6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC/nIX3ZNt9w==",
        msg_signature: "1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011",
        aes_key_hex: "e0c6b7601ad205b5f669ecfc309a571819dee4b483c201aa1db84cf563d8230b",
        random_hex: "35514d735963776a5239357432766d43",
        message: "94966531020182955848408",
    },
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex16(s: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn vectors_key_signature_and_decryption() {
    for v in VECTORS {
        let c = MsgCrypt::new(v.token, v.encoding_aes_key).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(hex(&c.aes_key()), v.aes_key_hex, "{} key", v.name);
        assert_eq!(c.signature(v.timestamp, v.nonce, v.encrypt), v.msg_signature, "{} signature", v.name);
        assert!(c.verify(v.msg_signature, v.timestamp, v.nonce, v.encrypt), "{}", v.name);
        let o = c.decrypt(v.encrypt).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(o.message, v.message, "{} message", v.name);
        assert_eq!(o.receive_id, v.receive_id, "{} receive id", v.name);
        assert_eq!(hex(&o.prefix), v.random_hex, "{} prefix", v.name);
    }
}

#[test]
fn vectors_reencrypt_byte_exact() {
    for v in VECTORS {
        let c = MsgCrypt::new(v.token, v.encoding_aes_key).unwrap();
        let again = c.encrypt_with_prefix(v.message, v.receive_id, unhex16(v.random_hex));
        assert_eq!(again, v.encrypt, "{}", v.name);
    }
}

#[test]
fn e1_wechatpy_reply_ciphertext_and_signature() {
    let c = MsgCrypt::new("123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR").unwrap();
    let msg = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
    assert_eq!(msg.len(), 247);
    let enc = c.encrypt_with_prefix(msg, "wx49f0ab532d5d035a", *b"1234567890123456");
    assert_eq!(
        enc,
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
    );
    assert_eq!(c.signature("1411525903", "461056294", &enc), "407518b7649e86ef23978113f92d27afa9296533");
}

#[test]
fn e2_e3_wxjava_deterministic_encryption() {
    let c = MsgCrypt::new("any", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
    let e2 = c.encrypt_with_prefix("我是中文abcd123", "wxb11529c136998cb6", *b"aaaabbbbccccdddd");
    assert_eq!(e2, "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==");
    let e3_msg = "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>";
    let e3 = c.encrypt_with_prefix(e3_msg, "wxb11529c136998cb6", *b"aaaabbbbccccdddd");
    assert_eq!(
        e3,
        "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
    );
    assert_eq!(c.decrypt(&e3).unwrap().message, e3_msg);
}

#[test]
fn sha1_of_sorted_concatenation() {
    // WxJava SHA1Test: sorted concatenation of "123" and "345"; empty parts sort first.
    let c = MsgCrypt::new("123", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
    assert_eq!(c.signature("345", "", ""), "9f537aeb751ec72605f57f94a2f6dc3e3958e1dd");
    assert_eq!(c.signature("", "345", ""), "9f537aeb751ec72605f57f94a2f6dc3e3958e1dd");
}

#[test]
fn padding_is_pkcs7_to_32() {
    let c = MsgCrypt::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
    let len =
        |msg: &str, rid: &str| base64::engine::general_purpose::STANDARD.decode(c.encrypt(msg, rid)).unwrap().len();
    // 16 + 4 + msg + rid: 32 bytes exactly gets a whole block of padding.
    assert_eq!(len("", "123456789012"), 64);
    assert_eq!(len("", "12345678901"), 32);
    assert_eq!(len("x", "12345678901"), 64);
    assert_eq!(len(&"y".repeat(1000), "ww"), (20 + 1000 + 2) / 32 * 32 + 32);
}

#[test]
fn negative_cases() {
    for bad in [
        "",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF$",
    ] {
        let e = MsgCrypt::new("t", bad).unwrap_err();
        assert!(matches!(e, CryptoError::Key(_)), "{bad:?}: {e}");
    }
    let v = &VECTORS[1];
    let c = MsgCrypt::new(v.token, v.encoding_aes_key).unwrap();
    assert!(!c.verify(v.msg_signature, v.timestamp, "1597212915", v.encrypt));
    assert!(!c.verify(&v.msg_signature.to_uppercase(), v.timestamp, v.nonce, v.encrypt));
    assert!(!c.verify("", v.timestamp, v.nonce, v.encrypt));
    assert_eq!(c.decrypt("not base64!"), Err(CryptoError::Base64));
    assert_eq!(c.decrypt(""), Err(CryptoError::Length(0)));
    assert_eq!(c.decrypt(&base64::engine::general_purpose::STANDARD.encode([7u8; 33])), Err(CryptoError::Length(33)));
    // Another key's ciphertext: garbage padding or lengths, never a panic.
    let other = MsgCrypt::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C").unwrap();
    assert!(other.decrypt(v.encrypt).is_err());
    // Truncated ciphertext (one block short).
    let raw = base64::engine::general_purpose::STANDARD.decode(v.encrypt).unwrap();
    let cut = base64::engine::general_purpose::STANDARD.encode(&raw[..raw.len() - 16]);
    assert!(c.decrypt(&cut).is_err());
}

#[test]
fn envelope_shape() {
    let e = envelope("wwcorp", "QUJD", "3010040");
    assert_eq!(
        e,
        "<xml><ToUserName><![CDATA[wwcorp]]></ToUserName>\n<Encrypt><![CDATA[QUJD]]></Encrypt>\n<AgentID><![CDATA[3010040]]></AgentID>\n</xml>"
    );
}
