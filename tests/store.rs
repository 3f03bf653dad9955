//! The compliance store: migrations, exact policy bytes, no downgrade, retention, the record queue.

use agent_core::{Error, Mode, Scope, SimulatedDevice, Store, retention, scan};
use appwacht_tests::*;

const DENY_TIKTOK: &str = "[[rules]]\nid = \"tiktok\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n";

#[test]
fn a_new_store_is_migrated_in_wal_mode_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let store = Store::open(&db).unwrap();
    let version = store.schema_version().unwrap();
    assert!(version >= 1);
    drop(store);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), version);
    let raw = rusqlite::Connection::open(&db).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_store_from_a_newer_agent_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    drop(Store::open(&db).unwrap());
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO state (key, value) VALUES ('marker', 'kept')",
            [],
        )
        .unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Store::open(&db) {
        Err(Error::StoreContents { reason, .. }) => {
            assert!(reason.contains("newer agent (schema 99"), "{reason}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer store must be refused"),
    }
    let raw = rusqlite::Connection::open(&db).unwrap();
    let marker: String = raw
        .query_row("SELECT value FROM state WHERE key = 'marker'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(marker, "kept");
}

#[test]
fn keeps_the_exact_bytes_and_refuses_downgrades() {
    let mut store = Store::in_memory().unwrap();
    let mut v2 = policy_json(DENY_TIKTOK, 2, Mode::Enforce);
    v2.extend_from_slice(b"\n\n   "); // trailing whitespace a re-serialisation would lose
    assert!(
        store
            .activate_policy(&v2, "https://example/policy", now())
            .unwrap()
    );
    assert_eq!(store.active_policy().unwrap().unwrap().bytes, v2);
    assert!(
        !store.activate_policy(&v2, "again", now()).unwrap(),
        "the same bytes are a no-op"
    );

    let v1 = policy_json(DENY_TIKTOK, 1, Mode::Enforce);
    let err = store
        .activate_policy(&v1, "old", now())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("version 1 from old is not newer than the active version 2"),
        "{err}"
    );
    let other_v2 = policy_json(DENY_TIKTOK, 2, Mode::Monitor);
    assert!(
        store
            .activate_policy(&other_v2, "same-version", now())
            .is_err()
    );
    let broken = b"{\"schema\": 1}";
    assert!(store.activate_policy(broken, "broken", now()).is_err());
    let active = store.active_policy().unwrap().unwrap();
    assert_eq!(
        (active.policy.version, active.bytes),
        (2, v2),
        "nothing stored was downgraded"
    );
}

#[test]
fn retention_keeps_the_database_bounded() {
    let mut store = Store::in_memory().unwrap();
    store
        .activate_policy(&policy_json(DENY_TIKTOK, 1, Mode::Enforce), "t", now())
        .unwrap();
    let mut device = SimulatedDevice::new(inventory(
        &[],
        vec![app("com.zhiliaoapp.musically"), app("a.b")],
    ));
    let scans = retention::SCANS as usize + 25;
    for i in 0..scans {
        // Someone keeps lifting the block, so every scan logs a step and a record.
        device.inventory.packages[1].suspended = false;
        device
            .inventory
            .packages
            .iter_mut()
            .for_each(|p| p.suspended = false);
        scan(
            &mut store,
            &mut device,
            &enrolment(&[]),
            Scope::Full,
            "t",
            now().plus(agent_core::Span::from_secs(i as i64)),
        )
        .unwrap();
    }
    let counts: std::collections::HashMap<_, _> = store.row_counts().unwrap().into_iter().collect();
    assert_eq!(counts["scans"], retention::SCANS);
    assert!(counts["enforcement_log"] <= retention::LOG);
    assert!(counts["records"] <= retention::RECORDS);
    for v in 2..(retention::POLICIES as u64 + 10) {
        store
            .activate_policy(&policy_json(DENY_TIKTOK, v, Mode::Enforce), "t", now())
            .unwrap();
    }
    assert_eq!(
        store.policy_history().unwrap().len() as i64,
        retention::POLICIES + 1
    );
    assert_eq!(
        store.active_policy().unwrap().unwrap().policy.version,
        retention::POLICIES as u64 + 9
    );
}

#[test]
fn the_record_queue_holds_findings_opened_and_resolved_and_enforcement() {
    let mut store = Store::in_memory().unwrap();
    store
        .activate_policy(&policy_json(DENY_TIKTOK, 1, Mode::Enforce), "t", now())
        .unwrap();
    let mut device = SimulatedDevice::new(inventory(&[], vec![app("com.zhiliaoapp.musically")]));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "t",
        now(),
    )
    .unwrap();
    device.inventory.packages.clear(); // the employee removed the app
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "t",
        later("1h"),
    )
    .unwrap();
    let records = store.records(0, 100).unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "policy.activated",
            "finding.opened",
            "enforcement",
            "enforcement",
            "agent.mode",
            "scan.summary",
            "finding.resolved",
            "scan.summary",
        ]
    );
    let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert!(records.iter().all(|r| r.device == "TEST-1"), "{records:?}");
    let opened = &records[1];
    assert_eq!(opened.policy.as_ref().unwrap().version, 1);
    assert_eq!(opened.data["package"], "com.zhiliaoapp.musically");
    assert_eq!(opened.data["taken"], true);
    assert!(
        store.owned_blocks().unwrap().is_empty(),
        "a block on a package that is gone is forgotten"
    );
}

/// Issue 11.10: a migration runs on a store holding data, not only on an empty one. A store of
/// schema 2 (before the journal recorded each package's state and whether the step was done) with
/// a policy, a scan, a finding, a block and a journal row left by a killed run is opened by this
/// build: everything it held is still there, and the old journal row — which cannot say whether
/// the agent's step placed the block — is not adopted.
#[test]
fn a_store_of_schema_2_holding_data_is_migrated_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut store = tiktok_store(&db, 7);
    let mut device = SimulatedDevice::new(inventory(
        &[],
        vec![app("com.zhiliaoapp.musically"), app("com.example.notes")],
    ));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        now(),
    )
    .unwrap();
    drop(store);
    // Make it what an agent of schema 2 left: the journal without the new columns, a row in the
    // old shape (a suspend of com.example.notes, interrupted), and user_version 2.
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute_batch(
        "ALTER TABLE journal DROP COLUMN before; ALTER TABLE journal DROP COLUMN done;
         DROP TABLE records; DROP TABLE deliveries;
         CREATE TABLE outbox (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
         INSERT INTO outbox (at, kind, body) VALUES
           (1700000000, 'finding.opened', '{\"package\":\"com.zhiliaoapp.musically\",\"rule\":\"tiktok\"}'),
           (1700000060, 'finding.closed', '{\"package\":\"com.example.gone\",\"rule\":null}');
         PRAGMA user_version = 2;",
    )
    .unwrap();
    raw.execute(
        "INSERT INTO journal (at, step) VALUES (?1, ?2)",
        rusqlite::params![
            now().unix(),
            r#"{"package":"com.example.notes","kind":"suspend","rule":"x","action":"suspend","message":null,"link":null}"#
        ],
    )
    .unwrap();
    drop(raw);

    let mut store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), 4);
    assert_eq!(store.active_policy().unwrap().unwrap().policy.version, 7);
    // The old outbox's events wait on as compliance records, in order, none lost.
    let kept = store.records(0, 10).unwrap();
    let kinds: Vec<&str> = kept.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["finding.opened", "finding.resolved"]);
    assert_eq!(kept[0].data["package"], "com.zhiliaoapp.musically");
    assert_eq!(kept[0].severity, agent_core::records::Severity::Violation);
    assert_eq!(kept[0].device, "TEST-1", "the device id is the last scan's");
    assert_eq!(kept[0].policy.as_ref().unwrap().version, 7);
    assert_eq!(kept[0].agent, "older");
    assert_ne!(kept[0].id, kept[1].id);
    assert_eq!(store.recent_scans(10).unwrap().len(), 1);
    assert_eq!(store.findings().unwrap().len(), 1);
    assert_eq!(store.ownership().unwrap().len(), 1);
    assert_eq!(store.pending_steps().unwrap().len(), 1);
    // The notes app carries a block by now (someone else's); the old row does not make it ours.
    device
        .inventory
        .packages
        .iter_mut()
        .find(|p| p.name == "com.example.notes")
        .unwrap()
        .suspended = true;
    let summary = scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        later("1h"),
    )
    .unwrap();
    assert!(summary.recovered.is_empty(), "{:?}", summary.recovered);
    assert!(
        !store
            .owned_blocks()
            .unwrap()
            .iter()
            .any(|(p, _)| p == "com.example.notes")
    );
}

/// Issue 11.6: nothing is silently lost. A journal row that does not parse is an error that names
/// it, not a row dropped (which would forget a step in flight, and with it a block the agent placed).
#[test]
fn a_journal_row_that_does_not_parse_is_an_error_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut store = tiktok_store(&db, 1);
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute(
        "INSERT INTO journal (at, step) VALUES (1, '{\"package\": \"com.zhiliaoapp.musically\", \"kind\": \"susp')",
        [],
    )
    .unwrap();
    drop(raw);
    let err = store.pending_steps().unwrap_err().to_string();
    assert!(err.contains("a journal row does not parse"), "{err}");
    let mut device = SimulatedDevice::new(inventory(&[], vec![app("com.zhiliaoapp.musically")]));
    let err = scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("a journal row does not parse"), "{err}");
    assert!(
        device.log.is_empty(),
        "nothing acted on while the journal is unreadable"
    );
}

/// A store at `db` with a policy of `version` that suspends TikTok.
fn tiktok_store(db: &std::path::Path, version: u64) -> Store {
    let mut store = Store::open(db).unwrap();
    store
        .activate_policy(
            &policy_json(
                "[[rules]]\nid = \"tiktok\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n",
                version,
                Mode::Enforce,
            ),
            "test",
            now(),
        )
        .unwrap();
    store
}

/// The records' sender opens a second writing connection to a store the agent opened; on a store
/// that was not opened (and migrated) first it refuses, naming what to do, rather than write to
/// a schema it does not know.
#[test]
fn the_senders_connection_needs_a_store_opened_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Store::open_sender(&db).err().unwrap().to_string();
    assert!(
        err.contains("open the store with Store::open first"),
        "{err}"
    );
    let opened = Store::open(&db).unwrap();
    let sender = Store::open_sender(&db).unwrap();
    assert_eq!(
        sender.schema_version().unwrap(),
        opened.schema_version().unwrap()
    );
}
