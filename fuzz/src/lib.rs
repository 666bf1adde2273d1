//! What the fuzz targets check, in one place: each `fuzz_targets/*.rs` is one call into here.
//!
//! Every function takes untrusted bytes, must never panic on them, and asserts a property
//! where one exists; a failed assertion is a finding (libFuzzer saves the input).

/// Response decoders of `wecom-models`.
pub mod json {
    use std::fmt::Debug;

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use wecom_models::drift::{self, Inspect};

    /// `serde_json::from_slice::<T>` on any bytes; when it decodes, serialize → decode gives
    /// the same value back and serializing that again gives the same bytes. Any JSON, decoded
    /// or not, also goes through `T`'s drift walk ([`Inspect`]), which must never panic.
    ///
    /// Returns the decoded value so a target can exercise its handwritten helpers.
    pub fn round_trip<T>(data: &[u8]) -> Option<T>
    where
        T: DeserializeOwned + Serialize + Inspect + PartialEq + Debug,
    {
        drift_walk::<T>(data);
        let first: T = serde_json::from_slice(data).ok()?;
        let bytes = serde_json::to_vec(&first).expect("a decoded value must serialize");
        let second: T = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("the re-serialized value does not decode: {e}\n{}", String::from_utf8_lossy(&bytes))
        });
        assert_eq!(first, second, "decode → serialize → decode changed the value");
        let again = serde_json::to_vec(&second).expect("a decoded value must serialize");
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&again),
            "serializing the same value twice gave different JSON"
        );
        invents_nothing::<T>(data, &bytes);
        Some(first)
    }

    /// Round trips invent nothing (the models' promise): when the drift walk finds no key the
    /// spec does not know, the JSON written back is the JSON that came, as a value — no field
    /// added or dropped, `[]` and `null` kept, numbers in the spelling they came in.
    fn invents_nothing<T: Inspect>(data: &[u8], written: &[u8]) {
        let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else { return };
        if drift::collect::<T>(&raw).iter().any(|f| f.kind == drift::DriftKind::UnknownField) {
            return;
        }
        let back: serde_json::Value = serde_json::from_slice(written).expect("our own JSON");
        assert_eq!(raw, back, "the JSON written back is not the JSON that came");
    }

    /// The drift walk a client runs beside decoding: any JSON value, whatever its shape, walked
    /// as `T`; every finding has a path and a spec type.
    pub fn drift_walk<T: Inspect>(data: &[u8]) {
        let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else { return };
        for found in drift::collect::<T>(&raw) {
            assert!(!found.spec_type.is_empty(), "a drift finding without a spec type: {found:?}");
            let _ = found.kind.as_str();
        }
    }
}

/// Handwritten helpers on decoded models: they get decoded (hence untrusted) data too.
pub mod models {
    use wecom_models::approval::{GetApprovalDataResponse, GetApprovalDetailResponse};
    use wecom_models::common::ApplyData;
    use wecom_models::journal::GetRecordDetailResponse;

    /// Renders every control the way the CLI's exports do.
    pub fn apply_data(data: &ApplyData) {
        for control in data.walk() {
            let _ = control.title_in("zh_CN");
            let _ = control.value_text();
        }
    }

    /// `getapprovaldetail`: applicants and every control.
    pub fn approval_detail(resp: &GetApprovalDetailResponse) {
        let _ = resp.info.applicant_userids();
        apply_data(&resp.info.apply_data);
    }

    /// `getrecorddetail`: every control and the WeDrive file ids.
    pub fn record_detail(resp: &GetRecordDetailResponse) {
        if let Some(data) = &resp.info.apply_data {
            apply_data(data);
        }
        let _ = resp.info.wedrive_file_ids();
    }

    /// Legacy `getapprovaldata`: each form's `comm.apply_data`.
    pub fn approval_data(resp: &GetApprovalDataResponse) {
        for form in &resp.data {
            if let Some(comm) = &form.comm {
                let _ = comm.items();
            }
        }
    }
}

/// The legacy `comm.apply_data` parser (`LegacyComm::items`).
pub mod legacy {
    use wecom_models::approval::{LegacyApplyItem, LegacyComm};

    fn comm(apply_data: &str) -> LegacyComm {
        serde_json::from_value(serde_json::json!({ "apply_data": apply_data }))
            .expect("any string is a LegacyComm's apply_data")
    }

    /// Parses `apply_data` (the text inside the JSON string); when it parses, the items written
    /// back in the array form parse to the same items.
    pub fn items(apply_data: &str) {
        let Ok(items) = comm(apply_data).items() else { return };
        let array = serde_json::to_string(&items).expect("items serialize");
        let again: Vec<LegacyApplyItem> = comm(&array)
            .items()
            .unwrap_or_else(|e| panic!("items written back as an array do not parse: {e}\n{array}"));
        assert_eq!(items, again, "apply_data → items → array form → items changed the items");
    }
}

/// The spec loader of the generator (`xtask`).
pub mod spec {
    use std::path::PathBuf;

    use xtask::spec::SpecFiles;

    /// The marker line that starts a file in a multi-file input: `#@ approval.toml`.
    pub const FILE_MARKER: &str = "#@ ";

    /// Splits an input into named files: text before the first marker line (if any) is one
    /// family file named `fuzz.toml`. A marker line is a TOML comment, so every part is still
    /// the exact text of a spec file.
    pub fn split(input: &str) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = Vec::new();
        let mut current = ("fuzz.toml".to_owned(), String::new());
        for line in input.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix(FILE_MARKER) {
                if !current.1.is_empty() {
                    files.push(std::mem::take(&mut current));
                }
                current = (name.trim().to_owned(), String::new());
            } else {
                current.1.push_str(line);
            }
        }
        files.push(current);
        files
    }

    /// The one call into `xtask`: what `cargo xtask gen` does with a spec directory up to the
    /// resolved model, minus the file system — `SpecFiles::parse` (TOML; `errors.toml` is the
    /// error table, any other file a family), then `check::resolve` (validation and
    /// resolution). When the loader's API changes, adapt this function only.
    pub fn load(files: &[(String, String)]) -> Result<(), String> {
        let parsed =
            SpecFiles::parse(files.iter().map(|(name, text)| (PathBuf::from("api-spec").join(name), text.as_str())))
                .map_err(|e| format!("{e:#}"))?;
        xtask::check::resolve(parsed).map(drop).map_err(|e| e.to_string())
    }

    /// Any text, as one or several spec files: loading and validating never panics, and a
    /// refusal says why.
    pub fn check(input: &str) {
        if let Err(message) = load(&split(input)) {
            assert!(!message.trim().is_empty(), "a spec error without a message");
        }
    }
}

/// Callback events of `wecom-models`, decoded from the decrypted XML.
pub mod event {
    use wecom_models::event::{Event, EventError};

    /// `Event::from_xml` on any text: never panics, decodes the same twice, a decoded event
    /// serializes to JSON, and its name and catch-all agree with what it is.
    pub fn from_xml(xml: &str) -> Result<Event, EventError> {
        let result = Event::from_xml(xml);
        assert_eq!(result, Event::from_xml(xml), "the same XML decoded twice to different results");
        match &result {
            Ok(event) => {
                serde_json::to_string(event).unwrap_or_else(|e| panic!("a decoded event does not serialize: {e}"));
                if event.is_unknown() {
                    assert_eq!(event.raw_xml(), Some(xml), "the catch-all must keep the XML as sent");
                    assert!(
                        !Event::KNOWN_NAMES.contains(&event.name()),
                        "a known event in the catch-all: {}",
                        event.name()
                    );
                } else {
                    assert_eq!(event.raw_xml(), None);
                    assert!(
                        Event::KNOWN_NAMES.contains(&event.name()),
                        "a typed event with an unknown name: {}",
                        event.name()
                    );
                }
            }
            Err(error) => assert!(!error.to_string().is_empty(), "an event error without a message"),
        }
        result
    }
}

/// `wecom-callback`: envelope and query parsing, signature, decryption, PKCS#7.
///
/// One app's Token and EncodingAESKey are fixed (those of the official Tencent PHP/Go sample,
/// TV-3/TV-4 in `crates/callback/tests/common/mod.rs`), so the seeds taken from those vectors
/// decrypt, and each target signs what it feeds in so decryption always runs.
pub mod callback {
    use std::sync::OnceLock;

    use aes::Aes256;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use cbc::cipher::block_padding::NoPadding;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    use wecom_callback::event::Event;
    use wecom_callback::{
        CallbackError, CallbackQuery, Crypto, DedupKey, Envelope, ReceiveIdPolicy, Received, Receiver, Verifier, pkcs7,
    };

    /// The Token of the fixed app.
    pub const TOKEN: &str = "QDG6eK";
    /// Its EncodingAESKey.
    pub const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    /// The AES key that EncodingAESKey decodes to (checked against `Crypto` at start-up).
    pub const KEY_BYTES: [u8; 32] = [
        0x8d, 0x69, 0x98, 0x9b, 0xba, 0xab, 0xe6, 0x73, 0x28, 0x01, 0x4c, 0x19, 0x46, 0x31, 0xad, 0x07, 0x19, 0xb3,
        0xdc, 0xa0, 0x35, 0xb6, 0x40, 0x23, 0xdf, 0x29, 0x24, 0x47, 0xaa, 0xb6, 0x07, 0x60,
    ];
    /// The receive id (corp id) of the fixed app.
    pub const RECEIVE_ID: &str = "wx5823bf96d3bd56c7";
    const TIMESTAMP: &str = "1409659813";
    const NONCE: &str = "1372623149";

    /// The fixed app's cipher, built once.
    pub fn crypto() -> &'static Crypto {
        static CRYPTO: OnceLock<Crypto> = OnceLock::new();
        CRYPTO.get_or_init(|| {
            let crypto = Crypto::new(TOKEN, KEY).expect("the sample key is valid");
            // The raw cipher below must agree with the crate, or the plaintext target tests nothing.
            let probe = raw_encrypt(&pkcs7::pad(b"0123456789abcdef\0\0\0\x02hiwx5823bf96d3bd56c7"));
            let opened = crypto.decrypt(&crypto.signature(TIMESTAMP, NONCE, &probe), TIMESTAMP, NONCE, &probe);
            assert_eq!(opened.as_ref().map(|d| (d.message(), d.receive_id())), Ok(("hi", RECEIVE_ID)));
            crypto
        })
    }

    /// A verifier for the fixed app that expects its corp id.
    pub fn verifier() -> &'static Verifier {
        static VERIFIER: OnceLock<Verifier> = OnceLock::new();
        VERIFIER.get_or_init(|| Verifier::with_policy(crypto().clone(), ReceiveIdPolicy::Exact(RECEIVE_ID.into())))
    }

    /// AES-256-CBC with the fixed key (IV = first 16 key bytes) and no padding, base64 out.
    /// `plain.len()` must be a multiple of 16.
    pub fn raw_encrypt(plain: &[u8]) -> String {
        let mut buf = plain.to_vec();
        let len = buf.len();
        let iv: [u8; 16] = KEY_BYTES[..16].try_into().expect("16 bytes");
        let cipher = cbc::Encryptor::<Aes256>::new(&KEY_BYTES.into(), &iv.into())
            .encrypt_padded::<NoPadding>(&mut buf, len)
            .expect("a multiple of 16 needs no padding");
        STANDARD.encode(cipher)
    }

    /// Signs `encrypt` and decrypts it: the signature check must pass, so any error is about
    /// the ciphertext itself.
    fn signed_decrypt(encrypt: &str) -> Result<wecom_callback::Decrypted, CallbackError> {
        let crypto = crypto();
        let signature = crypto.signature(TIMESTAMP, NONCE, encrypt);
        let result = crypto.decrypt(&signature, TIMESTAMP, NONCE, encrypt);
        assert_ne!(result, Err(CallbackError::SignatureMismatch), "a correctly signed request was refused");
        result
    }

    /// Whatever decrypts re-encrypts (fresh random prefix) and decrypts to the same parts.
    fn re_encrypts(decrypted: &wecom_callback::Decrypted) {
        let encrypt = crypto().encrypt(decrypted.message(), decrypted.receive_id());
        let again = signed_decrypt(&encrypt).expect("our own ciphertext must decrypt");
        assert_eq!(&again, decrypted, "decrypt → encrypt → decrypt changed the message");
    }

    /// A POST body: the envelope parser on any bytes, then the whole `Verifier::open` on the
    /// same body with its `<Encrypt>` correctly signed. Both agree on what the envelope holds.
    pub fn envelope(body: &[u8]) {
        let parsed = Envelope::parse(body);
        let Ok(envelope) = parsed else {
            // Open must refuse the same body, for the same reason, before any crypto.
            let query = CallbackQuery::new("0".repeat(40), TIMESTAMP, NONCE);
            assert_eq!(verifier().open(&query, body).err(), parsed.err(), "open and Envelope::parse disagree");
            return;
        };
        let signature = crypto().signature(TIMESTAMP, NONCE, envelope.encrypt());
        let query = CallbackQuery::new(signature.clone(), TIMESTAMP, NONCE);
        match verifier().open(&query, body) {
            Ok(opened) => {
                assert_eq!(opened.to_user_name(), envelope.to_user_name());
                assert_eq!(opened.agent_id(), envelope.agent_id());
                let decrypted = signed_decrypt(envelope.encrypt()).expect("open succeeded, decrypt must too");
                assert_eq!(opened.message(), decrypted.message());
                assert_eq!(opened.receive_id(), RECEIVE_ID);
                re_encrypts(&decrypted);
            }
            Err(CallbackError::SignatureMismatch) => panic!("a correctly signed envelope was refused"),
            Err(CallbackError::ReceiveIdMismatch { found, .. }) => {
                let decrypted = signed_decrypt(envelope.encrypt()).expect("only the receive id was refused");
                assert_eq!(decrypted.receive_id(), found);
            }
            Err(e) => assert_eq!(Err(e), signed_decrypt(envelope.encrypt()).map(drop), "open and decrypt disagree"),
        }
    }

    /// A raw query string: parsing never panics; what parses, written back fully
    /// percent-encoded, parses to the same; a verification GET, correctly signed, gets past the
    /// signature check.
    pub fn query(raw: &str) {
        let Ok(query) = CallbackQuery::parse(raw) else { return };
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let mut rebuilt = format!(
            "nonce={}&msg_signature={}&timestamp={}",
            enc(query.nonce()),
            enc(query.msg_signature()),
            enc(query.timestamp())
        );
        if let Some(echostr) = query.echostr() {
            rebuilt.push_str(&format!("&echostr={}", enc(echostr)));
        }
        let reparsed = CallbackQuery::parse(&rebuilt).unwrap_or_else(|e| panic!("{rebuilt}: {e}"));
        assert_eq!(reparsed, query, "parse → percent-encode → parse changed the query");
        if let Some(echostr) = query.echostr() {
            // What WeCom signed: `verify_url` reads a space as the `+` a form decoder turned into one.
            let signature = crypto().signature(query.timestamp(), query.nonce(), &echostr.replace(' ', "+"));
            let signed = CallbackQuery::new(signature, query.timestamp(), query.nonce()).with_echostr(echostr);
            let result = verifier().verify_url(&signed);
            assert_ne!(result, Err(CallbackError::SignatureMismatch), "a correctly signed GET was refused");
        }
    }

    /// A POST with the fixed app's envelope around `message` (encrypted with `prefix`, signed):
    /// the query string and the body.
    fn delivery(message: &str, prefix: [u8; 16]) -> (CallbackQuery, String) {
        let encrypt = crypto().encrypt_with_prefix(message, RECEIVE_ID, prefix);
        let signature = crypto().signature(TIMESTAMP, NONCE, &encrypt);
        let body = format!(
            "<xml><ToUserName><![CDATA[{RECEIVE_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>\
             <AgentID><![CDATA[3010040]]></AgentID></xml>"
        );
        (CallbackQuery::new(signature, TIMESTAMP, NONCE), body)
    }

    /// Any text as the decrypted message of a correctly signed, correctly encrypted POST to a
    /// fresh `Receiver`: it is never refused and never panics; the event it carries is what
    /// `Event::from_xml` makes of the message; a delivery given up (released) is new again,
    /// and once accepted, the same message delivered again (new ciphertext) is a duplicate.
    pub fn receive(message: &str) {
        let receiver = Receiver::new(verifier().clone());
        let deliver = |prefix: [u8; 16]| {
            let (query, body) = delivery(message, prefix);
            receiver.receive(&query, &body).unwrap_or_else(|e| panic!("a signed delivery was refused: {e}"))
        };

        let Received::New(pending) = deliver(*b"AAAAAAAAAAAAAAAA") else { panic!("the first delivery is not new") };
        let event = pending.event();
        assert_eq!(event.xml(), message, "the receiver changed the message");
        assert_eq!(event.event(), Event::from_xml(message).as_ref(), "the receiver typed the event differently");
        assert_eq!(event.key(), DedupKey::of(message));
        assert_eq!(
            (event.receive_id(), event.to_user_name(), event.agent_id()),
            (RECEIVE_ID, Some(RECEIVE_ID), Some("3010040"))
        );
        drop(pending.release());

        let Received::New(pending) = deliver(*b"BBBBBBBBBBBBBBBB") else {
            panic!("a released delivery is not new again")
        };
        let key = pending.accept().key();
        assert!(receiver.is_remembered(&key), "an accepted delivery is not remembered");

        let again = deliver(*b"CCCCCCCCCCCCCCCC");
        assert!(
            matches!(again, Received::Duplicate(_)),
            "the second delivery of an accepted message is not a duplicate: {again:?}"
        );
        assert_eq!(again.event().xml(), message);

        let stats = receiver.stats();
        assert_eq!(
            (stats.received, stats.new, stats.released, stats.accepted, stats.duplicates),
            (3, 2, 1, 1, 1),
            "{stats:?}"
        );
        assert_eq!(stats.malformed + stats.bad_signature + stats.receive_id_mismatch, 0, "{stats:?}");
    }

    /// Any bytes as the ciphertext (base64-encoded, signed): the AES, length and padding paths.
    pub fn ciphertext(cipher: &[u8]) {
        let result = signed_decrypt(&STANDARD.encode(cipher));
        let bad_length = !cipher.len().is_multiple_of(16) || cipher.len() < 32;
        match result {
            Err(CallbackError::CiphertextLength { len }) => {
                assert!(bad_length, "{len} bytes refused as a bad length");
                assert_eq!(len, cipher.len());
            }
            _ if bad_length => panic!("a {}-byte ciphertext was not refused for its length", cipher.len()),
            Err(CallbackError::Base64 { reason }) => panic!("our own base64 was refused: {reason}"),
            Ok(decrypted) => re_encrypts(&decrypted),
            Err(_) => {}
        }
    }

    /// Any bytes as the *plaintext* (zero-filled to a multiple of 16, at least 32 bytes),
    /// encrypted here and decrypted by the crate: padding, header, length and UTF-8 checks,
    /// compared with a model of the `random(16) ‖ len(4) ‖ message ‖ receive id ‖ pad` layout.
    pub fn plaintext(data: &[u8]) {
        let mut plain = data.to_vec();
        let len = plain.len().max(32).next_multiple_of(16);
        plain.resize(len, 0);
        let result = signed_decrypt(&raw_encrypt(&plain));
        match (model(&plain), result) {
            (Model::Ok { message, receive_id }, Ok(d)) => {
                assert_eq!((d.message().as_bytes(), d.receive_id().as_bytes()), (message, receive_id));
                re_encrypts(&d);
            }
            (Model::Padding, Err(CallbackError::Padding { .. })) => {}
            (Model::Length { declared }, Err(CallbackError::MessageLength { declared: d, .. })) => {
                assert_eq!(declared, d)
            }
            (Model::Utf8 { message, receive_id }, Err(CallbackError::Utf8 { part })) => {
                assert!(
                    (part == "message" && !message) || (part == "receive id" && !receive_id),
                    "reported {part}, message valid: {message}, receive id valid: {receive_id}"
                );
            }
            (model, result) => panic!("the model says {model:?}, the crate {result:?}"),
        }
    }

    /// What the layout says a plaintext decrypts to.
    #[derive(Debug)]
    enum Model<'a> {
        Ok { message: &'a [u8], receive_id: &'a [u8] },
        Padding,
        Length { declared: Option<u32> },
        Utf8 { message: bool, receive_id: bool },
    }

    fn model(plain: &[u8]) -> Model<'_> {
        let pad = usize::from(*plain.last().expect("at least 32 bytes"));
        if !(1..=32).contains(&pad) || plain[plain.len() - pad..].iter().any(|&b| usize::from(b) != pad) {
            return Model::Padding;
        }
        let body = &plain[..plain.len() - pad];
        if body.len() < 20 {
            return Model::Length { declared: None };
        }
        let declared = u32::from_be_bytes([body[16], body[17], body[18], body[19]]);
        let rest = &body[20..];
        if declared as usize > rest.len() {
            return Model::Length { declared: Some(declared) };
        }
        let (message, receive_id) = rest.split_at(declared as usize);
        match (std::str::from_utf8(message).is_ok(), std::str::from_utf8(receive_id).is_ok()) {
            (true, true) => Model::Ok { message, receive_id },
            (message, receive_id) => Model::Utf8 { message, receive_id },
        }
    }

    /// `pkcs7::unpad` on any bytes against its rule, and `unpad(pad(x)) == x`.
    pub fn pkcs7(data: &[u8]) {
        let padded = pkcs7::pad(data);
        assert!(padded.len().is_multiple_of(pkcs7::BLOCK_SIZE));
        assert!(padded.len() > data.len() && padded.len() <= data.len() + pkcs7::BLOCK_SIZE);
        assert_eq!(pkcs7::unpad(&padded).expect("our own padding"), data);
        let valid = data.last().is_some_and(|&last| {
            let pad = usize::from(last);
            (1..=pkcs7::BLOCK_SIZE).contains(&pad)
                && pad <= data.len()
                && data[data.len() - pad..].iter().all(|&b| b == last)
        });
        match pkcs7::unpad(data) {
            Ok(body) => {
                assert!(valid, "accepted bad padding");
                assert_eq!(body, &data[..data.len() - usize::from(data[data.len() - 1])]);
            }
            Err(CallbackError::Padding { .. }) => assert!(!valid, "refused good padding"),
            Err(e) => panic!("unpad failed with a non-padding error: {e}"),
        }
    }
}

/// The committed seeds reach past the parsers: a refactor that breaks them (a spec format
/// change, a renamed field) would otherwise leave the fuzzer exploring only error paths.
#[cfg(test)]
mod seeds {
    use std::path::{Path, PathBuf};

    fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
        let mut out: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .map(|p| {
                let bytes = std::fs::read(&p).expect("seed");
                (p, bytes)
            })
            .collect();
        out.sort();
        assert!(!out.is_empty(), "no seeds for {target}");
        out
    }

    fn decodes<T>(target: &str)
    where
        T: serde::de::DeserializeOwned + serde::Serialize + wecom_models::drift::Inspect + PartialEq + std::fmt::Debug,
    {
        for (path, bytes) in seeds(target) {
            assert!(crate::json::round_trip::<T>(&bytes).is_some(), "{} does not decode", path.display());
        }
    }

    #[test]
    fn json_seeds_decode() {
        use wecom_models::{approval, auth, journal};
        decodes::<auth::GetTokenResponse>("decode_get_token");
        decodes::<approval::GetApprovalInfoResponse>("decode_get_approval_info");
        decodes::<approval::GetApprovalDetailResponse>("decode_get_approval_detail");
        decodes::<approval::GetApprovalDataResponse>("decode_get_approval_data");
        decodes::<journal::GetRecordListResponse>("decode_get_record_list");
        decodes::<journal::GetRecordDetailResponse>("decode_get_record_detail");
        decodes::<journal::GetStatListResponse>("decode_get_stat_list");
        decodes::<journal::DownloadWedriveFileResponse>("decode_download_wedrive_file");
    }

    #[test]
    fn legacy_seeds_have_items() {
        for (path, bytes) in seeds("legacy_apply_data") {
            let text = String::from_utf8(bytes).expect("UTF-8");
            let comm: wecom_models::approval::LegacyComm =
                serde_json::from_value(serde_json::json!({ "apply_data": text })).expect("comm");
            assert!(!comm.items().expect("parses").is_empty(), "{}", path.display());
            crate::legacy::items(&text);
        }
    }

    #[test]
    fn whole_spec_seeds_validate() {
        for name in ["all_api_spec.toml", "fixture_spec.toml", "auth.toml"] {
            let text =
                std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/spec_loader").join(name))
                    .expect("seed");
            let files = crate::spec::split(&text);
            crate::spec::load(&files).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn event_seeds_decode() {
        let mut known = 0;
        for (path, bytes) in seeds("event_from_xml") {
            let text = String::from_utf8(bytes).expect("UTF-8");
            let event = crate::event::from_xml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            known += usize::from(event.is_known());
        }
        assert!(known >= 6, "only {known} seeds decode to a known event");
        for (_, bytes) in seeds("callback_receive") {
            crate::callback::receive(&String::from_utf8(bytes).expect("UTF-8"));
        }
    }

    #[test]
    fn callback_seeds_decrypt() {
        use wecom_callback::{CallbackQuery, Envelope};
        let crypto = crate::callback::crypto();
        for (path, bytes) in seeds("callback_plaintext") {
            let encrypt = crate::callback::raw_encrypt(&bytes);
            let sig = crypto.signature("1", "2", &encrypt);
            crypto.decrypt(&sig, "1", "2", &encrypt).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            crate::callback::plaintext(&bytes);
        }
        // TV-4 is the fixed app's own vector: its envelope opens all the way.
        for name in ["tv4_official_shape", "tv4_plain_text"] {
            let body = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/callback_envelope").join(name))
                .expect("seed");
            let envelope = Envelope::parse(&body).expect("envelope");
            let sig = crypto.signature("1", "2", envelope.encrypt());
            let opened = crate::callback::verifier().open(&CallbackQuery::new(sig, "1", "2"), &body).expect("opens");
            assert!(opened.message().contains("hello"), "{name}");
        }
        for (path, bytes) in seeds("callback_query") {
            let text = String::from_utf8(bytes).expect("UTF-8");
            CallbackQuery::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            crate::callback::query(&text);
        }
        for target in ["callback_envelope", "callback_ciphertext", "callback_pkcs7"] {
            for (_, bytes) in seeds(target) {
                match target {
                    "callback_envelope" => crate::callback::envelope(&bytes),
                    "callback_ciphertext" => crate::callback::ciphertext(&bytes),
                    _ => crate::callback::pkcs7(&bytes),
                }
            }
        }
    }
}
