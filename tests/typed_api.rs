//! The typed API (`appwacht_ffi::Agent`, what the app's Kotlin calls) on its own, where a JVM is not
//! needed to show what it promises.

use std::net::TcpListener;
use std::time::Duration;

use agent_core::trust::KeyType;
use appwacht::appwacht_ffi::{Agent, AgentConfig, AgentError, ReportFormat};
use appwacht_tests::org::{keys, root, sign_root};

/// Issue 12.5: the main thread never waits. A sync is held inside its transport (the mirror has
/// accepted the connection and says nothing, as a stalled server does, for as long as the test
/// holds it); meanwhile the compliance screen's and dumpsys's reads answer at once, from their own
/// connection, instead of waiting up to the request timeout behind the sync (an ANR on a phone).
#[test]
fn status_report_and_explain_answer_while_a_sync_is_held_in_its_transport() {
    let rk = keys(KeyType::Ed25519, 1);
    let pk = keys(KeyType::Ed25519, 1);
    let root_v1 = sign_root(&root(1, &[&rk[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    let latch = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = latch.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let agent = Agent::open(
        dir.path().display().to_string(),
        AgentConfig {
            organisation: "Gemeente Test".into(),
            policy_urls: vec![format!("https://127.0.0.1:{port}")],
            pinned_root: String::from_utf8(root_v1).unwrap(),
            device_id: "VB-1".into(),
            groups: vec![],
            sync_interval_seconds: 3600,
            emm_package: None,
            ca_certificates: None,
            // Far longer than the test: if a read waited for the sync, the test would notice.
            request_timeout_seconds: 600,
            report_history: 10,
            syslog_url: None,
            otlp_logs_url: None,
            records_token: None,
            records_client_certificate: None,
            record_queue_limit: None,
        },
        None,
    )
    .unwrap();

    let syncing = {
        let agent = agent.clone();
        std::thread::spawn(move || agent.sync())
    };
    // The sync is now inside its transport, holding the writer, and stays there while `held`
    // lives: the server has accepted the connection and answers nothing.
    let (held, _) = latch.accept().unwrap();

    let status = agent.status().unwrap();
    assert_eq!(status.policy_version, None);
    assert!(agent.status_text().unwrap().contains("Policy: none"));
    assert!(agent.report(ReportFormat::Text).unwrap().contains("Status"));
    assert!(matches!(
        agent.explain("com.example.app".into()),
        Err(AgentError::NoPolicyYet { .. })
    ));
    assert!(
        !syncing.is_finished(),
        "the reads answered while the sync was still in its transport"
    );

    // Released: the mirror hangs up, the sync fails as a network failure and records it.
    drop(held);
    let failed = syncing.join().unwrap();
    assert!(
        matches!(failed, Err(AgentError::Network { .. })),
        "{failed:?}"
    );
    std::thread::sleep(Duration::from_millis(10));
    assert!(agent.status().unwrap().last_sync_error.is_some());
}
