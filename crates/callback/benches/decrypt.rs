//! `cargo bench -p wecom-callback`: callback crypto throughput on this machine, for a typical
//! `sys_approval_change` event (the reference's doc example: 2 nodes, 3 approvers, 2 CCs,
//! 2 comments): as printed (about 2.3 KB) and without indentation (about 1.8 KB).
//!
//! Prints, per operation, the mean time and the throughput in event bytes per second:
//! the signature alone, `Crypto::decrypt` (signature, base64, AES-256-CBC, unpadding, split),
//! `Verifier::open` (envelope XML + decrypt + receive-id check: what a POST costs), and
//! `Crypto::encrypt`, and `Receiver::receive` (also typing the event and de-duplicating it).
//! Iterations: `WECOM_BENCH_ITERS` (default 20 000).

use std::hint::black_box;
use std::time::Instant;

use wecom_callback::{CallbackQuery, Crypto, DedupConfig, Received, Receiver, Verifier};

const EVENT: &str = r#"<xml>
  <ToUserName><![CDATA[ww1cSD21f1e9c0caaa]]></ToUserName>
  <FromUserName><![CDATA[sys]]></FromUserName>
  <CreateTime>1571732272</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[sys_approval_change]]></Event>
  <AgentID>3010040</AgentID>
  <ApprovalInfo>
    <SpNo>201910220003</SpNo>
    <SpName><![CDATA[示例模板]]></SpName>
    <SpStatus>1</SpStatus>
    <TemplateId><![CDATA[3TkaH5KFbrG9heEQWLJjhgpFwmqAFB4dLEnapaB7aaa]]></TemplateId>
    <ApplyTime>1571728713</ApplyTime>
    <Applyer>
      <UserId><![CDATA[WuJunJie]]></UserId>
      <Party><![CDATA[1]]></Party>
    </Applyer>
    <SpRecord>
      <SpStatus>1</SpStatus>
      <ApproverAttr>2</ApproverAttr>
      <Details>
        <Approver>
          <UserId><![CDATA[WangXiaoMing]]></UserId>
        </Approver>
        <Speech><![CDATA[]]></Speech>
        <SpStatus>1</SpStatus>
        <SpTime>0</SpTime>
      </Details>
      <Details>
        <Approver>
          <UserId><![CDATA[XiaoGangHuang]]></UserId>
        </Approver>
        <Speech><![CDATA[]]></Speech>
        <SpStatus>1</SpStatus>
        <SpTime>0</SpTime>
      </Details>
    </SpRecord>
    <SpRecord>
      <SpStatus>1</SpStatus>
      <ApproverAttr>1</ApproverAttr>
      <Details>
        <Approver>
          <UserId><![CDATA[XiaoHongLiu]]></UserId>
        </Approver>
        <Speech><![CDATA[]]></Speech>
        <SpStatus>1</SpStatus>
        <SpTime>0</SpTime>
      </Details>
    </SpRecord>
    <Notifyer>
      <UserId><![CDATA[ChengLiang]]></UserId>
    </Notifyer>
    <Notifyer>
      <UserId><![CDATA[ChengLiang2]]></UserId>
    </Notifyer>
    <Comments>
      <CommentUserInfo>
        <UserId><![CDATA[LiuZhi]]></UserId>
      </CommentUserInfo>
      <CommentTime>1571732272</CommentTime>
      <CommentContent><![CDATA[这是一个备注]]></CommentContent>
      <CommentId><![CDATA[6750538708562308220]]></CommentId>
    </Comments>
    <Comments>
      <CommentUserInfo>
        <UserId><![CDATA[LiuZhi2]]></UserId>
      </CommentUserInfo>
      <CommentTime>15717322723</CommentTime>
      <CommentContent><![CDATA[这又是一个备注]]></CommentContent>
      <CommentId><![CDATA[6750538708562308221]]></CommentId>
      <Attach>MediaId</Attach>
    </Comments>
    <StatuChangeEvent>10</StatuChangeEvent>
  </ApprovalInfo>
</xml>"#;

const CORP: &str = "ww1cSD21f1e9c0caaa";

fn measure(name: &str, iters: u32, bytes: usize, mut op: impl FnMut()) {
    for _ in 0..iters / 10 {
        op(); // warm caches and the branch predictor
    }
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    let per_op = start.elapsed() / iters;
    let mib_per_s = bytes as f64 / per_op.as_secs_f64() / (1024.0 * 1024.0);
    let per_s = 1.0 / per_op.as_secs_f64();
    println!("{name:<56} {:>8.2} µs/op  {per_s:>9.0} ops/s  {mib_per_s:>7.1} MiB/s", per_op.as_secs_f64() * 1e6);
}

fn main() {
    let iters: u32 = std::env::var("WECOM_BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    // The doc example as printed (indented, ~2.3 KB) and without the indentation (~1.8 KB).
    let compact: String = EVENT.lines().map(str::trim).collect();
    for (shape, event) in [("indented", EVENT), ("compact", compact.as_str())] {
        run(shape, event, iters);
    }
}

fn run(shape: &str, event: &str, iters: u32) {
    let crypto = Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C").expect("key");
    let encrypt = crypto.encrypt(event, CORP);
    let signature = crypto.signature("1571732272", "1372623149", &encrypt);
    let body = format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<AgentID><![CDATA[3010040]]></AgentID>\n</xml>"
    );
    let query = CallbackQuery::new(signature.clone(), "1571732272", "1372623149");
    let verifier = Verifier::new(crypto.clone(), CORP);
    assert_eq!(verifier.open(&query, &body).expect("opens").message(), event);

    let n = event.len();
    println!(
        "\n{shape} event: {n} bytes of XML, {} bytes of base64 ciphertext, {} bytes of POST body; {iters} iterations",
        encrypt.len(),
        body.len()
    );
    measure("signature (SHA-1 of the sorted parts)", iters, n, || {
        black_box(crypto.signature(black_box("1571732272"), "1372623149", black_box(&encrypt)));
    });
    measure("Crypto::decrypt (verify + base64 + AES + split)", iters, n, || {
        black_box(
            crypto.decrypt(black_box(&signature), "1571732272", "1372623149", black_box(&encrypt)).expect("decrypts"),
        );
    });
    measure("Verifier::open (envelope + decrypt + receive id)", iters, n, || {
        black_box(verifier.open(black_box(&query), black_box(body.as_bytes())).expect("opens"));
    });
    measure("Crypto::encrypt (random prefix)", iters, n, || {
        black_box(crypto.encrypt(black_box(event), CORP));
    });

    // The receiver: open + Event::from_xml + SHA-256 + a look-up in the de-duplication memory.
    let receiver = Receiver::new(verifier.clone());
    let Ok(Received::New(pending)) = receiver.receive(&query, &body) else { panic!("a new event") };
    pending.accept();
    measure("Receiver::receive, a duplicate (open + parse + key)", iters, n, || {
        let received = receiver.receive(black_box(&query), black_box(body.as_bytes())).expect("receives");
        assert!(matches!(received, Received::Duplicate(_)));
    });
    // Distinct events (another comment id each), cycled through a memory of 1 000 keys kept
    // full, so every one is new: receive, accept, evict the oldest key.
    let distinct: Vec<(CallbackQuery, String)> = (0..5_000)
        .map(|i| {
            let xml = event.replace("6750538708562308220", &format!("{}", 6_750_538_708_562_308_220_u64 + 2 * i));
            let encrypt = crypto.encrypt(&xml, CORP);
            let signature = crypto.signature("1571732272", "1372623149", &encrypt);
            (
                CallbackQuery::new(signature, "1571732272", "1372623149"),
                format!("<xml><Encrypt>{encrypt}</Encrypt></xml>"),
            )
        })
        .collect();
    let receiver = Receiver::with_dedup(verifier, DedupConfig { capacity: 1_000, ..DedupConfig::default() });
    let mut next = 0;
    measure("Receiver::receive + accept, a new event (memory full)", iters, n, || {
        let (query, body) = &distinct[next % distinct.len()];
        next += 1;
        let Ok(Received::New(pending)) = receiver.receive(black_box(query), black_box(body.as_bytes())) else {
            panic!("a new event")
        };
        black_box(pending.accept());
    });
}
