//! The real transport against a real HTTPS server: nginx on 127.0.0.1 with a throwaway CA.
//! After every failure the active policy and the floors are exactly as before.

use agent_core::trust::HttpTransport;
use agent_core::trust::{KeyType, PrivateKey};
use agent_core::trust::{PolicyChange, sync};
use agent_core::{Span, Store, Timestamp};
use appwacht_tests::nginx::Nginx;
use appwacht_tests::org::*;

struct Site {
    dir: tempfile::TempDir,
    root_v1: Vec<u8>,
    policy_key: PrivateKey,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let rk = keys(KeyType::Ed25519, 1);
    let pk = keys(KeyType::EcdsaP256, 1);
    let root_v1 = sign_root(&root(1, &[&rk[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    std::fs::create_dir_all(dir.path().join("root")).unwrap();
    std::fs::write(dir.path().join("root/1.root.json"), &root_v1).unwrap();
    std::fs::write(
        dir.path().join("policy.json"),
        sign_policy(&policy(1), &[&pk[0]]),
    )
    .unwrap();
    let policy_key = PrivateKey::parse(&pk[0].to_pem()).unwrap();
    Site {
        dir,
        root_v1,
        policy_key,
    }
}

fn device(site: &Site, server: &Nginx, urls: &[String]) -> agent_core::trust::DeviceConfig {
    let mut c = config(
        &site.root_v1,
        &urls.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    c.ca_certificates = Some(server.ca_pem.clone());
    c.request_timeout = Span::from_secs(2);
    let _ = server;
    c
}

/// A device that has synced once from the good URL; returns its store.
fn synced(site: &Site, server: &Nginx) -> Store {
    let mut store = Store::in_memory().unwrap();
    let c = device(site, server, std::slice::from_ref(&server.url));
    let report = sync(
        &mut store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report.policy, PolicyChange::Updated { from: None, to: 1 });
    store
}

/// Syncs from `urls` and expects a failure mentioning `needle`, with nothing stored changed.
fn fails(site: &Site, server: &Nginx, store: &mut Store, urls: &[String], needle: &str) {
    let before = held(store);
    let c = device(site, server, urls);
    let err = sync(
        store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
    assert_eq!(held(store), before, "a failed sync changed what is stored");
}

#[test]
fn fetches_over_https_then_an_unchanged_policy_is_one_304() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    let c = device(&site, &server, std::slice::from_ref(&server.url));
    let report = sync(
        &mut store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report.policy, PolicyChange::Unchanged);
    assert_eq!((report.requests, report.bytes), (1, 0));
    let log = server.access_log();
    let last = log.lines().last().unwrap_or("");
    assert!(last.contains("\"GET /policy.json HTTP/1.1\" 304"), "{log}");
    // The bytes on the wire for an unchanged sync (docs/BENCHMARKS.md quotes this line).
    eprintln!("unchanged sync on the wire: {last}");
    // A newly published policy arrives with the next sync. (nginx's ETag is mtime-and-size at
    // one-second granularity: a same-sized file replaced within the same second would look
    // unchanged, so the test moves the mtime on as a later publish would.)
    let path = site.dir.path().join("policy.json");
    std::fs::write(&path, sign_policy(&policy(2), &[&site.policy_key])).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let report = sync(
        &mut store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap();
    assert_eq!(
        report.policy,
        PolicyChange::Updated {
            from: Some(1),
            to: 2
        }
    );
}

#[test]
fn a_404_keeps_the_last_good_policy() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    fails(
        &site,
        &server,
        &mut store,
        &[format!("{}/missing", server.url)],
        "HTTP 404",
    );
}

#[test]
fn a_500_keeps_the_last_good_policy() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    fails(
        &site,
        &server,
        &mut store,
        &[format!("{}/broken", server.url)],
        "HTTP 500",
    );
}

#[test]
fn a_body_over_the_cap_is_cut_off_while_streaming() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    std::fs::create_dir_all(site.dir.path().join("big")).unwrap();
    std::fs::write(
        site.dir.path().join("big/policy.json"),
        vec![b' '; agent_core::trust::POLICY_CAP as usize + 1],
    )
    .unwrap();
    fails(
        &site,
        &server,
        &mut store,
        &[format!("{}/big", server.url)],
        "larger than the cap of 4194304 bytes",
    );
}

#[test]
fn a_body_that_trickles_hits_the_timeout() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    std::fs::write(
        site.dir.path().join("policy.json"),
        sign_policy(&policy(2), &[&site.policy_key]),
    )
    .unwrap();
    fails(
        &site,
        &server,
        &mut store,
        &[format!("{}/slow", server.url)],
        "timed out",
    );
}

#[test]
fn the_second_mirror_serves_when_the_first_is_down() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let dead = format!(
        "https://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let mut store = Store::in_memory().unwrap();
    let c = device(&site, &server, &[dead.clone(), server.url.clone()]);
    let report = sync(
        &mut store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap();
    assert_eq!(report.mirror, server.url);
    assert_eq!(report.failed_mirrors[0].0, dead);
    assert_eq!(report.policy, PolicyChange::Updated { from: None, to: 1 });
}

#[test]
fn a_redirect_to_elsewhere_is_not_followed() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    fails(
        &site,
        &server,
        &mut store,
        &[format!("{}/moved", server.url)],
        "redirected (302) to https://example.org/elsewhere/",
    );
}

#[test]
fn a_server_certificate_not_from_the_pinned_ca_is_refused() {
    let site = site();
    let server = Nginx::start(site.dir.path());
    let mut store = synced(&site, &server);
    let before = held(&store);
    let mut c = device(&site, &server, std::slice::from_ref(&server.url));
    c.ca_certificates = None; // the public roots: the throwaway CA is not among them
    let err = sync(
        &mut store,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // The helpdesk is told what to do about it (issue 14.5).
    assert!(
        err.contains("give the organisation's CA as `ca_certificates`"),
        "{err}"
    );
    assert!(
        err.contains("so the last good policy stays in force"),
        "{err}"
    );
    assert_eq!(held(&store), before);
    // Without any policy yet, nothing "stays in force".
    let mut empty = Store::in_memory().unwrap();
    let first = sync(
        &mut empty,
        &c,
        &mut HttpTransport::new(&c).unwrap(),
        Timestamp::now(),
    )
    .unwrap_err()
    .to_string();
    assert!(first.contains("and no policy is active yet"), "{first}");
    assert!(!first.contains("stays in force"), "{first}");
}

#[test]
fn plain_http_is_refused_by_the_configuration() {
    let site = site();
    let mut c = config(&site.root_v1, &["http://policies.example.org"]);
    assert!(c.check().unwrap_err().contains("is not an https:// URL"));
    c.policy_urls = vec!["http://127.0.0.1:8080".into()];
    assert!(
        c.check().is_err(),
        "loopback http only with the development switch"
    );
    c.allow_http_loopback = true;
    assert!(c.check().is_ok());
}

/// Issue 11.6: the transport says which failure it was, so a caller can tell a slow mirror from
/// an unreachable one, a redirect or a body over the cap, without reading its sentence.
#[test]
fn the_transport_names_each_failure_by_its_kind() {
    use agent_core::trust::{Transport, TransportError};
    let site = site();
    let server = Nginx::start(site.dir.path());
    std::fs::create_dir_all(site.dir.path().join("big")).unwrap();
    std::fs::write(site.dir.path().join("big/policy.json"), vec![b' '; 2048]).unwrap();
    let c = device(&site, &server, std::slice::from_ref(&server.url));
    let mut net = HttpTransport::new(&c).unwrap();
    let url = |path: &str| format!("{}/{path}", server.url);
    assert!(matches!(
        net.get(&url("moved/policy.json"), None, 1024),
        Err(TransportError::Redirected { status: 302, .. })
    ));
    assert!(matches!(
        net.get(&url("big/policy.json"), None, 1024),
        Err(TransportError::TooLarge { cap: 1024, .. })
    ));
    assert!(matches!(
        net.get(&url("slow/policy.json"), None, 1 << 20),
        Err(TransportError::TimedOut { .. })
    ));
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert!(matches!(
        net.get(&format!("https://127.0.0.1:{dead}/policy.json"), None, 1024),
        Err(TransportError::Unreachable { .. })
    ));
    let mut public = c.clone();
    public.ca_certificates = None;
    match HttpTransport::new(&public)
        .unwrap()
        .get(&url("policy.json"), None, 1 << 20)
    {
        Err(TransportError::Unreachable { reason, .. }) => {
            assert!(reason.to_lowercase().contains("certificate"), "{reason}")
        }
        other => panic!("a certificate from an unknown CA gave {other:?}"),
    }
}
