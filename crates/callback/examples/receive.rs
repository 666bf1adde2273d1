//! Receives approval events with axum, from an emulated WeCom that pushes to it:
//!
//! ```sh
//! cargo run -p wecom-callback --example receive --features axum
//! ```
//!
//! Starts `wecom-emulator` with activity (4 changes a second for 3 s) and its callback
//! pointed at this process, prints every event for a few seconds, then exits on its own.
//! The `receive` function is the example of the repository README.

use std::time::Duration;

use wecom_emulator::Emulator;

const TOKEN: &str = "Token123";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

// README:begin
use tokio::{net::TcpListener, sync::mpsc};
use wecom_callback::{CallbackError, Crypto, Receiver, Verifier, axum::*, event::Event};
async fn receive(listener: TcpListener, token: &str, key: &str, corp_id: &str) -> Result<(), CallbackError> {
    let receiver = Receiver::new(Verifier::new(Crypto::new(token, key)?, corp_id));
    let (tx, mut events) = mpsc::channel(1024);
    let service = CallbackService::new(receiver, Delivery::channel(tx));
    tokio::spawn(async move { axum::serve(listener, router("/wecom/callback", service)).await });
    while let Some(event) = events.recv().await {
        if let Ok(Event::SysApprovalChange(change)) = event.event() {
            let info = &change.approval_info;
            println!("{:?}: {:?}, now {:?}", info.sp_no, info.statu_change_event, info.sp_status);
        }
    }
    Ok(())
}
// README:end

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Bind first, so the emulator can be told where to push.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/wecom/callback", listener.local_addr()?);
    let wecom = Emulator::builder()
        .approvals(200)
        .journals(0)
        .callback(&url, TOKEN, AES_KEY)
        .activity(240)
        .activity_for(Duration::from_secs(3))
        .start()
        .await?;
    println!("emulated WeCom at {} pushing to {url}", wecom.base_url());

    // Receive for 5 s: the activity stops after 3 s, its last pushes land well before 5 s.
    let _ = tokio::time::timeout(Duration::from_secs(5), receive(listener, TOKEN, AES_KEY, wecom.corp_id())).await;
    let counts = wecom.push_counts();
    println!(
        "the emulator made {} changes and {} POSTs ({} answered 200)",
        wecom.events().len(),
        counts.attempts,
        counts.ok_attempts
    );
    // The receiver answers 200 only to a POST it verified and decrypted.
    assert!(!wecom.events().is_empty(), "the emulator made no changes");
    assert!(counts.ok_attempts > 0, "no push was accepted: {counts:?}");
    Ok(())
}
