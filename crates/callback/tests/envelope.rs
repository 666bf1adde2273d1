//! The envelope and query parsers accept every shape WeCom and its SDKs are known to send,
//! and URL verification / opening work end to end from raw strings.

mod common;

use common::*;
use wecom_callback::{CallbackQuery, Crypto, Envelope, Verifier, passive_reply};

#[test]
fn envelope_shapes() {
    let cases: [(&str, Option<&str>, Option<&str>); 9] = [
        // The official samples: CDATA, newlines between elements.
        (
            "<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<Encrypt><![CDATA[QUJD]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>",
            Some("ww1"),
            Some("1000002"),
        ),
        // Plain text, another order, indentation.
        (
            "<xml>\n  <AgentID>218</AgentID>\n  <Encrypt>QUJD</Encrypt>\n  <ToUserName>ww1</ToUserName>\n</xml>",
            Some("ww1"),
            Some("218"),
        ),
        // AgentID empty CDATA (WxJava#2532), empty element, self-closing, or absent.
        (
            "<xml><ToUserName>ww1</ToUserName><Encrypt>QUJD</Encrypt><AgentID><![CDATA[]]></AgentID></xml>",
            Some("ww1"),
            None,
        ),
        ("<xml><ToUserName>ww1</ToUserName><Encrypt>QUJD</Encrypt><AgentID></AgentID></xml>", Some("ww1"), None),
        ("<xml><ToUserName>ww1</ToUserName><Encrypt>QUJD</Encrypt><AgentID/></xml>", Some("ww1"), None),
        ("<xml><Encrypt>QUJD</Encrypt></xml>", None, None),
        // Declaration, BOM, comments, unknown (nested) elements, whitespace around the CDATA.
        (
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- hi --><xml><Extra><a>1</a><b/></Extra><Encrypt>\n  <![CDATA[QUJD]]>\n</Encrypt></xml>",
            None,
            None,
        ),
        // Entities and character references in plain text; attributes ignored.
        ("<xml><ToUserName id=\"1\">w&#119;&amp;1</ToUserName><Encrypt>QU&#x4A;D</Encrypt></xml>", Some("ww&1"), None),
        // Element names in another case; AgentID beyond 32 bits stays text (WxJava#4077).
        ("<xml><encrypt>QUJD</encrypt><AGENTID>1013699173317</AGENTID></xml>", None, Some("1013699173317")),
    ];
    for (body, to_user_name, agent_id) in cases {
        let envelope = Envelope::parse(body).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(envelope.encrypt(), "QUJD", "{body}");
        assert_eq!(envelope.to_user_name(), to_user_name, "{body}");
        assert_eq!(envelope.agent_id(), agent_id, "{body}");
    }
}

#[test]
fn encrypt_split_into_text_and_cdata_is_joined() {
    let envelope = Envelope::parse("<xml><Encrypt>QU<![CDATA[JD]]>==</Encrypt></xml>").unwrap();
    assert_eq!(envelope.encrypt(), "QUJD==");
}

#[test]
fn query_parsing() {
    let query =
        CallbackQuery::parse("?foo=1&msg_signature=abc&timestamp=14&nonce=n%20n&echostr=a%2Bb+c%2F%3D&&x").unwrap();
    assert_eq!(query.msg_signature(), "abc");
    assert_eq!(query.timestamp(), "14");
    assert_eq!(query.nonce(), "n n");
    assert_eq!(query.echostr(), Some("a+b+c/="), "only percent-decoding: a raw + stays +");
    let post = CallbackQuery::parse("nonce=1&timestamp=2&msg_signature=3").unwrap();
    assert_eq!(post, CallbackQuery::new("3", "2", "1"));
    assert_eq!(post.echostr(), None);
    // Percent-encoded names count too.
    assert_eq!(CallbackQuery::parse("msg%5Fsignature=3&timestamp=2&nonce=1").unwrap(), post);
}

/// A form decoder (`+` → space) before us must not break verification: TV-1's echostr has `+`.
#[test]
fn echostr_spaces_are_read_as_plus() {
    let v = &VECTORS[0];
    assert!(v.encrypt.contains('+'));
    let verifier = Verifier::new(Crypto::new(v.token, v.key).unwrap(), v.receive_id);
    let mangled = v.encrypt.replace('+', " ");
    let query = CallbackQuery::new(v.msg_signature, v.timestamp, v.nonce).with_echostr(mangled);
    assert_eq!(verifier.verify_url(&query).unwrap(), v.message);
    // The raw form decoder case: unencoded `+` in the query string stays `+` with our parser.
    let raw =
        format!("msg_signature={}&timestamp={}&nonce={}&echostr={}", v.msg_signature, v.timestamp, v.nonce, v.encrypt);
    assert_eq!(verifier.verify_url(&CallbackQuery::parse(&raw).unwrap()).unwrap(), v.message);
}

/// A random-prefix passive reply opens again with the signature, timestamp and nonce it carries.
#[test]
fn passive_reply_round_trips() {
    let crypto = Crypto::new("tok", GW_KEY).unwrap();
    let reply = passive_reply(&crypto, "<xml><Content>好</Content></xml>", "ww6a112864f8022910", "1700000000", "a]]>b");
    let field = |name: &str| {
        let start = reply.find(&format!("<{name}>")).unwrap() + name.len() + 2;
        let end = reply.find(&format!("</{name}>")).unwrap();
        reply[start..end].trim_start_matches("<![CDATA[").trim_end_matches("]]>").replace("]]]]><![CDATA[>", "]]>")
    };
    assert_eq!(field("Nonce"), "a]]>b", "a nonce holding ]]> survives the CDATA");
    let verifier = Verifier::new(crypto, "ww6a112864f8022910");
    let query = CallbackQuery::new(field("MsgSignature"), field("TimeStamp"), field("Nonce"));
    let opened = verifier.open(&query, &reply).unwrap();
    assert_eq!(opened.message(), "<xml><Content>好</Content></xml>");
    // Two replies of the same message differ: the prefix is random.
    let again =
        passive_reply(verifier.crypto(), "<xml><Content>好</Content></xml>", "ww6a112864f8022910", "1700000000", "n");
    let once =
        passive_reply(verifier.crypto(), "<xml><Content>好</Content></xml>", "ww6a112864f8022910", "1700000000", "n");
    assert_ne!(again, once);
}

#[test]
fn random_prefix_is_ascii_alphanumeric_and_fresh() {
    let crypto = Crypto::new("t", GW_KEY).unwrap();
    let key = {
        // GW_KEY's bytes, via a round trip through raw AES: decrypt and look at the prefix.
        use base64::Engine;
        let engine = base64::engine::general_purpose::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::general_purpose::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        engine.decode(format!("{GW_KEY}=")).unwrap()
    };
    let a = raw_decrypt(&key, &crypto.encrypt("m", "r"));
    let b = raw_decrypt(&key, &crypto.encrypt("m", "r"));
    assert!(a[..16].iter().all(u8::is_ascii_alphanumeric), "{:?}", &a[..16]);
    assert_ne!(a[..16], b[..16]);
}
