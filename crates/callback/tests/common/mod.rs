//! Test vectors copied from the callback reference (§2.9–§2.11), with their public sources,
//! and small helpers shared by the test files. Nothing here reads outside the repository.

#![allow(dead_code)] // each test file uses a different part

/// One published request: signature, ciphertext and the plaintext it holds.
pub struct Vector {
    pub name: &'static str,
    pub token: &'static str,
    pub key: &'static str,
    /// AES key bytes (hex) as derived in the reference.
    pub key_hex: &'static str,
    pub receive_id: &'static str,
    pub timestamp: &'static str,
    pub nonce: &'static str,
    /// URL-decoded `echostr` (GET) or `<Encrypt>` text (POST).
    pub encrypt: &'static str,
    pub msg_signature: &'static str,
    /// The random prefix inside the plaintext (ASCII in every published vector).
    pub random: &'static [u8; 16],
    pub message: &'static str,
    pub cipher_len: usize,
    pub pad: u8,
    /// A verification GET (`echostr`) rather than an event POST (`<Encrypt>`).
    pub get: bool,
}

const TV_1_2_TOKEN: &str = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
const TV_1_2_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const TV_1_2_KEY_HEX: &str = "eaa91d32babaf274ca76ece72583b5037ed6da8120a64314be4b6d453a2a854b";
const TV_3_4_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const TV_3_4_KEY_HEX: &str = "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760";
pub const TV_5_6_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const TV_5_6_KEY_HEX: &str = "916c4f115d94103cb15a998f74a0b71787603c398ebdf297d471a71140d2d5a4";

pub const VECTORS: [Vector; 7] = [
    // TV-1: sbzhu/weworkapi_python callback/Sample.py (official Tencent sample), GET.
    Vector {
        name: "TV-1",
        token: TV_1_2_TOKEN,
        key: TV_1_2_KEY,
        key_hex: TV_1_2_KEY_HEX,
        receive_id: "ww1436e0e65a779aee",
        timestamp: "1476416373",
        nonce: "47744683",
        encrypt: "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
        msg_signature: "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
        random: b"8908d0ff052afda0",
        message: "1288432023552776189",
        cipher_len: 64,
        pad: 7,
        get: true,
    },
    // TV-2: same sample, POST with UTF-8 `你好` in the plaintext.
    Vector {
        name: "TV-2",
        token: TV_1_2_TOKEN,
        key: TV_1_2_KEY,
        key_hex: TV_1_2_KEY_HEX,
        receive_id: "ww1436e0e65a779aee",
        timestamp: "1476422779",
        nonce: "1597212914",
        encrypt: "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+",
        msg_signature: "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
        random: b"694ce5a83ae07fe3",
        message: "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>",
        cipher_len: 288,
        pad: 22,
        get: false,
    },
    // TV-3: sbzhu/weworkapi_php callback/Sample.php and sbzhu/weworkapi_golang sample.go, GET.
    Vector {
        name: "TV-3",
        token: "QDG6eK",
        key: TV_3_4_KEY,
        key_hex: TV_3_4_KEY_HEX,
        receive_id: "wx5823bf96d3bd56c7",
        timestamp: "1409659589",
        nonce: "263014780",
        encrypt: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
        msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        random: b"c41b64491c2468d0",
        message: "1616140317555161061",
        cipher_len: 64,
        pad: 7,
        get: true,
    },
    // TV-4: same samples, POST (pad byte 30: a 16-byte PKCS#7 unpadder rejects it).
    Vector {
        name: "TV-4",
        token: "QDG6eK",
        key: TV_3_4_KEY,
        key_hex: TV_3_4_KEY_HEX,
        receive_id: "wx5823bf96d3bd56c7",
        timestamp: "1409659813",
        nonce: "1372623149",
        encrypt: "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==",
        msg_signature: "477715d11cdb4164915debcba66cb864d751f3e6",
        random: b"0960688932c47ef1",
        message: "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>",
        cipher_len: 352,
        pad: 30,
        get: false,
    },
    // TV-5: wechatpy tests/test_crypto.py test_check_signature_should_ok, GET.
    Vector {
        name: "TV-5",
        token: "123456",
        key: TV_5_6_KEY,
        key_hex: TV_5_6_KEY_HEX,
        receive_id: "wx49f0ab532d5d035a",
        timestamp: "1411443780",
        nonce: "437374425",
        encrypt: "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
        msg_signature: "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
        random: b"2304fc2fe146f1f8",
        message: "5927782489442352469",
        cipher_len: 64,
        pad: 7,
        get: true,
    },
    // TV-6: wechatpy tests/test_crypto.py test_decrypt_message, POST (pad byte 1).
    Vector {
        name: "TV-6",
        token: "123456",
        key: TV_5_6_KEY,
        key_hex: TV_5_6_KEY_HEX,
        receive_id: "wx49f0ab532d5d035a",
        timestamp: "1411525903",
        nonce: "461056294",
        encrypt: "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=",
        msg_signature: "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        random: b"ec90b1530358d4d3",
        message: "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>",
        cipher_len: 320,
        pad: 1,
        get: false,
    },
    // TV-7: xen0n/go-workwx internal/lowlevel/{signature,encryptor}/mod_test.go, GET.
    Vector {
        name: "TV-7",
        token: "kjr2TKI8umCBfVF3wAHk8JiPwma5VBme",
        key: "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws",
        key_hex: "e0c6b7601ad205b5f669ecfc309a571819dee4b483c201aa1db84cf563d8230b",
        receive_id: "ww6a112864f8022910",
        timestamp: "1583940690",
        nonce: "VHh7ymSeb0jc4lSb",
        encrypt: "6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC/nIX3ZNt9w==",
        msg_signature: "1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011",
        random: b"5QMsYcwjR95t2vmC",
        message: "94966531020182955848408",
        cipher_len: 64,
        pad: 3,
        get: true,
    },
];

/// TV-7's raw request URL query, percent-encoded as WeCom sends it.
pub const TV_7_RAW_QUERY: &str = "echostr=6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC%2FnIX3ZNt9w%3D%3D&msg_signature=1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011&timestamp=1583940690&nonce=VHh7ymSeb0jc4lSb";

/// The sixth public key (go-workwx envelope/mod_test.go); no key bytes are published for it.
pub const GW_KEY: &str = "cD0d7jx4tYvVtzqrmh3Dm3QFCXe6f8SlHoMtMh3qQEP";
pub const GW_TOKEN: &str = "kz7Yx62CH8SaLN";
/// go-workwx envelope/mod_test.go: a whole POST (raw query and body) under [`GW_KEY`].
pub const GW_POST_QUERY: &str =
    "msg_signature=f265ae551b1932727204c3d707628d01376a6940&timestamp=1583995625&nonce=1584392382";
pub const GW_POST_BODY: &str = "<xml><ToUserName><![CDATA[ww6a112864f8022910]]></ToUserName><Encrypt><![CDATA[EUCt7xMcNiyASzZj0Hjc5yDjFQrCum6AfQ3ntHiUzjGQ51xieKmbvtrZ40/EcB2W/W8yH0n4Lqx48gJl/T9HD/R309I0P/r5pIZucK3lyEn48FYMr4YdE0QdL2jIJ3xkcXUr6uzefzCxG6lMvwpAJaOyVCzN7sRRw47njfxy5EIqU6R9ZBhlTzfdnhhOhK/nTwzrZX3SoGlXFA9OBeZ6ru1NWpXFk76x9DUMe0lcxPPiUqK8ctnQcYXSGUHVqC6DfG7E7mab0OmruNN8cBZY5d3dYOBA4OgaH55Q0AJmUpdT8vNiXpXx+6TxT3TIjySXpDrHVyrsb772aYywgg/Nu4kUmGkALwFZlzhjNegR7wDwb9lr4ERXsSSS8JZ8lbBmaQ3F2Tq584xoPj5rIhXAF734ynm4no1g+SdHiNqR328=]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>";
pub const GW_POST_MESSAGE: &str = "<xml><ToUserName><![CDATA[ww6a112864f8022910]]></ToUserName><FromUserName><![CDATA[foobar]]></FromUserName><CreateTime>1583995625</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x123]]></Content><MsgId>2018405441</MsgId><AgentID>1000002</AgentID></xml>";

/// WxJava's key for E-2/E-3 (Official-Account flavour, same cipher).
pub const WXJAVA_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// The six public EncodingAESKeys of the reference; five have the stray low bits set that the
/// `base64` crate's STANDARD engine rejects.
pub const PUBLIC_KEYS: [&str; 6] =
    [TV_1_2_KEY, TV_3_4_KEY, TV_5_6_KEY, "4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws", GW_KEY, WXJAVA_KEY];

/// Lowercase hex → bytes (test input only).
pub fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// Raw AES-256-CBC with no padding, independent of `Crypto`: encrypts `plain` (a multiple of 16)
/// with `key`, IV = key[..16], and returns base64. Used to craft ciphertexts with chosen plaintexts.
pub fn raw_encrypt(key: &[u8], plain: &[u8]) -> String {
    use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::NoPadding};
    use base64::Engine;
    let mut buf = plain.to_vec();
    let len = buf.len();
    let out = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &key[..16])
        .unwrap()
        .encrypt_padded::<NoPadding>(&mut buf, len)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// Raw AES-256-CBC decryption with no padding, independent of `Crypto`.
pub fn raw_decrypt(key: &[u8], encrypt: &str) -> Vec<u8> {
    use aes::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::NoPadding};
    use base64::Engine;
    let mut buf = base64::engine::general_purpose::STANDARD.decode(encrypt).unwrap();
    cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &key[..16])
        .unwrap()
        .decrypt_padded::<NoPadding>(&mut buf)
        .unwrap()
        .to_vec()
}

/// The POST envelope as the official samples send it: CDATA, a newline between elements.
pub fn envelope(to_user_name: &str, encrypt: &str, agent_id: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{to_user_name}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<AgentID><![CDATA[{agent_id}]]></AgentID>\n</xml>"
    )
}
