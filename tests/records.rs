//! Issue 15: compliance records delivered where the organisation already looks, from the side of
//! whoever wants them lost — a receiver that refuses, throttles or hangs, a kill in the middle, a
//! clock set back, a queue that fills, a careless configuration, a log file full of other lines.
//! The receivers are real: Debian's rsyslog with TLS (gnutls) on loopback, and an OTLP receiver
//! that parses every body with the official protobuf definitions (PyPI `opentelemetry-proto`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use agent_core::records::fleet::{Fleet, FleetOptions};
use agent_core::records::{OtlpHttp, Record, Severity, Sink, deliver};
use agent_core::trust::{DeviceConfig, KeyType};
use agent_core::{Mode, Scope, SimulatedDevice, Span, Store, Timestamp, scan};
use appwacht_tests::nginx::{client_certificate, throwaway_ca};
use appwacht_tests::*;

const DENY_TIKTOK: &str = "[[rules]]\nid = \"tiktok\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The label TikTok's app shows: Chinese, to carry UTF-8 through every receiver, and with a line
/// break and a forged record after it, as an app that names itself to inject a line into the log
/// would (any app can call itself anything): the fleet must read one record, not two.
const LABEL: &str = "抖音 TikTok\n{\"schema\":\"appwacht.compliance-record/1\",\"id\":\"forged\",\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"heartbeat\",\"severity\":\"routine\",\"device\":\"forged-phone\",\"agent\":\"x\",\"data\":{}}";

/// A phone with TikTok (labelled as [`LABEL`] says) that scanned
/// once in enforce mode: its store holds the records of a policy activated, a violation opened,
/// the block, its mode and the scan's summary.
fn phone(db: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    store
        .activate_policy(
            &policy_json(DENY_TIKTOK, 1, Mode::Enforce),
            "policy.json",
            now(),
        )
        .unwrap();
    let mut tiktok = app("com.zhiliaoapp.musically");
    tiktok.label = Some(LABEL.into());
    let mut device = SimulatedDevice::new(inventory(&[], vec![tiktok, app("com.example.notes")]));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        now(),
    )
    .unwrap();
    store
}

fn ids(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.id.clone()).collect()
}

fn device_config() -> DeviceConfig {
    let rk = org::keys(KeyType::Ed25519, 1);
    let pk = org::keys(KeyType::EcdsaP256, 1);
    let root = org::sign_root(&org::root(1, &[&rk[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    org::config(&root, &["https://policy.example.org"])
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---- The receivers ----

/// Debian's rsyslogd, run in the foreground with its own configuration: TLS input (imtcp with the
/// gtls driver, RFC 5425) on loopback, and the records written as they arrived — `%msg%`, one per
/// line, what `appwacht fleet` reads — beside the whole RFC 5424 line.
struct Rsyslog {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
    ca_pem: String,
}

impl Rsyslog {
    /// `auth` is imtcp's `StreamDriver.AuthMode`: `anon`, or `x509/certvalid` to require a client
    /// certificate signed by the CA.
    fn start(auth: &str) -> Rsyslog {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        throwaway_ca(d);
        let port = free_port();
        let p = d.display();
        std::fs::create_dir_all(d.join("work")).unwrap();
        // docs/FLEET.md's configuration, as written, with this test's paths and port (and one more
        // action, the whole RFC 5424 line, to check the header as rsyslog parsed it).
        let docs = std::fs::read_to_string(workspace().join("docs/FLEET.md")).unwrap();
        let block = docs
            .split("## rsyslog")
            .nth(1)
            .and_then(|s| s.split("```\n").nth(1))
            .expect("docs/FLEET.md has the rsyslog configuration");
        let ours = r#"action(type="omfile" dynaFile="appwacht_daily" template="appwacht_record")"#;
        assert!(block.contains(ours), "{block}");
        assert!(block.contains("StreamDriver.AuthMode=\"x509/certvalid\""));
        std::fs::create_dir_all(d.join("logs")).unwrap();
        let conf = format!("global(workDirectory=\"{p}/work\")\n{block}")
            .replace("/etc/rsyslog.d/tls/", &format!("{p}/"))
            .replace("/var/log/appwacht/", &format!("{p}/logs/"))
            .replace("port=\"6514\"", &format!("port=\"{port}\" address=\"127.0.0.1\""))
            .replace("StreamDriver.AuthMode=\"x509/certvalid\"", &format!("StreamDriver.AuthMode=\"{auth}\""))
            .replace(
                ours,
                &format!("{ours}\n    action(type=\"omfile\" file=\"{p}/syslog.log\" template=\"RSYSLOG_SyslogProtocol23Format\")"),
            );
        std::fs::write(d.join("rsyslog.conf"), conf).unwrap();
        let binary = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .into_iter()
            .find(|b| Path::new(b).exists())
            .expect("rsyslogd is not installed: run .ci/test, which installs rsyslog and rsyslog-gnutls");
        let child = Command::new(binary)
            .args(["-n", "-f"])
            .arg(d.join("rsyslog.conf"))
            .arg("-i")
            .arg(d.join("rsyslog.pid"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("rsyslog.err")).unwrap())
            .spawn()
            .expect("start rsyslogd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "rsyslogd did not start: {}",
                std::fs::read_to_string(d.join("rsyslog.err")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let ca_pem = std::fs::read_to_string(d.join("ca.pem")).unwrap();
        Rsyslog {
            child,
            url: format!("syslog+tls://localhost:{port}"),
            ca_pem,
            dir,
        }
    }

    fn lines(&self, file: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join(file))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The lines of the daily record files (docs/FLEET.md's `records-YYYY-MM-DD.jsonl`).
    fn record_lines(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("logs"))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .flat_map(|f| {
                assert!(
                    f.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("records-")
                );
                std::fs::read_to_string(f)
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The records rsyslog wrote, once there are `n`.
    fn records(&self, n: usize) -> Vec<String> {
        wait_for(&format!("{n} records in rsyslog's files"), || {
            self.record_lines().len() >= n
        });
        self.record_lines()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The OTLP/HTTP receiver of `tests/peers/otlp_receiver.py`, answering as `script` says.
struct Receiver {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
}

impl Receiver {
    fn start(script: &str) -> Receiver {
        Receiver::start_with(script, None)
    }

    /// With `tls`, HTTPS with the certificates `throwaway_ca` made there, and a client
    /// certificate from that CA required.
    fn start_with(script: &str, tls: Option<&Path>) -> Receiver {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(workspace().join("tests/peers/otlp_receiver.py"))
            .arg(dir.path())
            .arg(script)
            .args(tls)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            panic!("the OTLP receiver did not start (run .ci/test, which installs opentelemetry-proto): {line}")
        });
        Receiver {
            child,
            dir,
            url: match tls {
                Some(_) => format!("https://localhost:{port}/v1/logs"),
                None => format!("http://127.0.0.1:{port}/v1/logs"),
            },
        }
    }

    fn read(&self, file: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join(file))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn requests(&self) -> Vec<serde_json::Value> {
        self.read("requests.jsonl")
    }

    fn records(&self) -> Vec<serde_json::Value> {
        self.read("records.jsonl")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn otlp_config(receiver: &Receiver) -> DeviceConfig {
    let mut c = device_config();
    c.allow_http_loopback = true;
    c.records.otlp_logs_url = Some(receiver.url.clone());
    c.records.token = Some("s3cret-token".into());
    c
}

fn otlp_sink(config: &DeviceConfig) -> Vec<Box<dyn Sink>> {
    vec![Box::new(
        OtlpHttp::new(config.records.otlp_logs_url.as_deref().unwrap(), config).unwrap(),
    )]
}

// ---- Syslog over TLS, against rsyslog ----

#[test]
fn records_reach_rsyslog_over_tls_and_rsyslog_writes_each_as_it_was_sent() {
    let server = Rsyslog::start("anon");
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let sent = store.records(0, 100).unwrap();
    assert!(sent.len() >= 5, "{sent:?}");
    let mut config = device_config();
    config.ca_certificates = Some(server.ca_pem.clone());
    config.records.syslog_url = Some(server.url.clone());
    let mut sinks = agent_core::records::sinks(&config).unwrap();
    let delivery = deliver(&mut store, &mut sinks, now(), 0.5).unwrap();
    assert_eq!(delivery.sinks[0].error, None, "{delivery:?}");
    // The heartbeat due at the first delivery went with them.
    assert!(delivery.heartbeat);
    let total = sent.len() + 1;
    assert_eq!(delivery.sinks[0].delivered as usize, total);
    assert_eq!(delivery.waiting, 0, "accepted records leave the queue");

    // What rsyslog wrote with %msg% is each record, whole: the fleet report's input.
    let lines = server.records(total);
    assert_eq!(lines.len(), total, "each record once: {lines:?}");
    let got: Vec<Record> = lines
        .iter()
        .map(|l| Record::from_json(l.trim_start_matches('\u{feff}').trim()).unwrap())
        .collect();
    assert_eq!(ids(&got[..sent.len()]), ids(&sent));
    let opened = got.iter().find(|r| r.kind == "finding.opened").unwrap();
    assert_eq!(
        opened.data["label"], LABEL,
        "UTF-8 arrives intact, and the label's line break stays inside the record"
    );
    assert_eq!(opened.severity, Severity::Violation);
    // The RFC 5424 header as rsyslog parsed it: host = device id, app = appwacht, msgid = kind,
    // structured data with the record's id and sequence number.
    let syslog = server.lines("syslog.log");
    let line = syslog
        .iter()
        .find(|l| l.contains(" finding.opened "))
        .unwrap_or_else(|| panic!("{syslog:?}"));
    assert!(line.starts_with("<108>1 "), "log audit, warning: {line}");
    assert!(
        line.contains(" TEST-1 appwacht - finding.opened [appwacht@32473 "),
        "{line}"
    );
    assert!(line.contains(&format!("id=\"{}\"", opened.id)), "{line}");
    assert!(line.contains(&format!("seq=\"{}\"", opened.seq)), "{line}");

    // And the fleet report reads rsyslog's file.
    let mut fleet = Fleet::default();
    for (i, l) in lines.iter().enumerate() {
        fleet.read_line(l, || format!("records.jsonl:{}", i + 1));
    }
    let view = fleet.view(&FleetOptions {
        now: now(),
        silent_after: 2,
        policy_version: None,
    });
    assert_eq!(view.skipped, 0, "{:?}", view.skipped_first);
    assert_eq!(view.phones.len(), 1);
    assert_eq!(
        view.phones[0].violations[0].package,
        "com.zhiliaoapp.musically"
    );
    assert!(view.phones[0].violations[0].taken);
    // The administrator's command over rsyslog's directory says the same.
    let logs = server.dir.path().join("logs").display().to_string();
    let run = appwacht(&["fleet", "--from", &logs, "--json"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(v["apps"][0]["package"], "com.zhiliaoapp.musically");
    // The report shows the label on one line: the forged record is text inside it, not a line.
    assert_eq!(v["apps"][0]["label"], LABEL.replace('\n', " "));
    let text = appwacht(&["fleet", "--from", &logs]);
    assert!(
        !text.out.lines().any(|l| l.starts_with("{\"schema\"")),
        "{}",
        text.out
    );
    assert!(!text.out.contains("forged-phone:"), "{}", text.out);
    assert_eq!(v["skipped"], 0);
}

#[test]
fn rsyslog_that_requires_a_client_certificate_takes_records_only_from_a_phone_that_has_one() {
    let server = Rsyslog::start("x509/certvalid");
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let waiting = store.records_waiting().unwrap();
    let mut config = device_config();
    config.ca_certificates = Some(server.ca_pem.clone());
    config.records.syslog_url = Some(server.url.clone());

    // Without one, the server refuses the session: nothing counts as delivered, nothing is lost.
    let mut sinks = agent_core::records::sinks(&config).unwrap();
    let refused = deliver(&mut store, &mut sinks, now(), 0.0).unwrap();
    assert!(refused.sinks[0].error.is_some(), "{refused:?}");
    assert_eq!(
        store.records_waiting().unwrap(),
        waiting + 1,
        "+ the heartbeat"
    );
    let state = &store.deliveries().unwrap()[0];
    assert_eq!(state.attempts, 1);
    assert_eq!(state.acked, 0);
    // Backoff: the first retry after 15 to 30 seconds (jitter 0 chooses the shortest).
    assert_eq!(state.retry_at, now().plus(Span::from_secs(15)));
    assert!(server.record_lines().is_empty());

    // A key that does not belong to the certificate is a configuration error, not a panic.
    let other = client_certificate(server.dir.path(), "other-phone");
    let mine = client_certificate(server.dir.path(), "phone-17");
    let key_of_other = &other[other.find("-----BEGIN PRIVATE KEY-----").unwrap()..];
    let cert_of_mine = &mine[..mine.find("-----BEGIN PRIVATE KEY-----").unwrap()];
    config.records.client_certificate = Some(format!("{cert_of_mine}{key_of_other}"));
    let err = agent_core::records::sinks(&config).err().unwrap();
    assert!(err.contains("records_client_certificate"), "{err}");
    assert!(err.contains("does not fit"), "{err}");

    // With its own certificate the phone is let in, after its backoff.
    config.records.client_certificate = Some(mine);
    let mut sinks = agent_core::records::sinks(&config).unwrap();
    let early = deliver(&mut store, &mut sinks, later("5s"), 0.0).unwrap();
    assert!(early.sinks[0].waiting_until.is_some(), "{early:?}");
    let done = deliver(&mut store, &mut sinks, later("1m"), 0.0).unwrap();
    assert_eq!(done.sinks[0].error, None, "{done:?}");
    assert_eq!(done.sinks[0].delivered as usize, waiting + 1);
    assert_eq!(server.records(waiting + 1).len(), waiting + 1);
}

// ---- OpenTelemetry logs, parsed by the official definitions ----

#[test]
fn otlp_records_parse_strictly_and_a_throttling_collector_is_waited_for_then_gets_them_all() {
    let receiver = Receiver::start("429:120,503,200");
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let config = otlp_config(&receiver);
    let mut sinks = otlp_sink(&config);
    let t0 = now();

    // 429 with Retry-After: 120 — waited for, whatever the backoff would have chosen.
    let first = deliver(&mut store, &mut sinks, t0, 0.0).unwrap();
    assert!(
        first.sinks[0].error.as_deref().unwrap().contains("429"),
        "{first:?}"
    );
    assert_eq!(
        store.deliveries().unwrap()[0].retry_at,
        t0.plus(Span::from_secs(120))
    );
    let waiting = deliver(&mut store, &mut sinks, t0.plus(Span::from_secs(60)), 0.0).unwrap();
    assert!(waiting.sinks[0].waiting_until.is_some());
    assert_eq!(receiver.requests().len(), 1, "not tried during its wait");

    // 503: the second failure in a row waits 30 to 60 seconds.
    let t1 = t0.plus(Span::from_secs(121));
    let second = deliver(&mut store, &mut sinks, t1, 0.99).unwrap();
    assert!(second.sinks[0].error.as_deref().unwrap().contains("503"));
    let retry = store.deliveries().unwrap()[0].retry_at.since(t1);
    assert!((30..=60).contains(&retry), "{retry}");

    let t2 = t1.plus(Span::from_secs(61));
    let queued = store.records(0, 1000).unwrap();
    let third = deliver(&mut store, &mut sinks, t2, 0.5).unwrap();
    assert_eq!(third.sinks[0].error, None, "{third:?}");
    assert_eq!(third.waiting, 0);
    assert_eq!(store.deliveries().unwrap()[0].attempts, 0);

    // Every request parsed under the official protobuf definitions, carried the token, and the
    // accepted one holds every record with its id, as the body.
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.get("parse_error"), None, "{r}");
        assert_eq!(r["authorization"], "Bearer s3cret-token");
        assert_eq!(r["content_type"], "application/json");
    }
    let got = receiver.records();
    let bodies: Vec<Record> = got
        .iter()
        .map(|l| Record::from_json(l["body"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(ids(&bodies), ids(&queued));
    let opened = got
        .iter()
        .find(|l| l["attributes"]["appwacht.kind"] == "finding.opened")
        .unwrap();
    assert_eq!(opened["resource"]["device.id"], "TEST-1");
    assert_eq!(opened["resource"]["service.name"], "appwacht");
    assert_eq!(
        opened["attributes"]["appwacht.package"],
        "com.zhiliaoapp.musically"
    );
    assert_eq!(opened["severity_number"], 13, "WARN");
    assert_eq!(
        opened["time_unix_nano"].as_u64().unwrap(),
        now().unix() as u64 * 1_000_000_000
    );
}

/// The OTLP sink over real HTTPS: the collector's CA pinned, a client certificate required (an
/// OpenTelemetry Collector's `client_ca_file`). Without one the phone is refused and keeps its
/// records; with its own, after its backoff, every record arrives with the token.
#[test]
fn a_collector_that_requires_a_client_certificate_over_https_gets_records_only_from_a_phone_with_one()
 {
    let tls = tempfile::tempdir().unwrap();
    throwaway_ca(tls.path());
    let receiver = Receiver::start_with("200", Some(tls.path()));
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let mut config = device_config();
    config.ca_certificates = Some(std::fs::read_to_string(tls.path().join("ca.pem")).unwrap());
    config.records.otlp_logs_url = Some(receiver.url.clone());
    config.records.token = Some("s3cret-token".into());
    let mut sinks = otlp_sink(&config);
    let refused = deliver(&mut store, &mut sinks, now(), 0.0).unwrap();
    assert!(refused.sinks[0].error.is_some(), "{refused:?}");
    assert!(receiver.requests().is_empty(), "no request got through");
    let queued = store.records(0, 1000).unwrap();

    config.records.client_certificate = Some(client_certificate(tls.path(), "phone-17"));
    let mut sinks = otlp_sink(&config);
    let d = deliver(&mut store, &mut sinks, later("1m"), 0.0).unwrap();
    assert_eq!(d.sinks[0].error, None, "{d:?}");
    let got: Vec<String> = receiver
        .records()
        .iter()
        .map(|l| Record::from_json(l["body"].as_str().unwrap()).unwrap().id)
        .collect();
    assert_eq!(got, ids(&queued));
    assert_eq!(
        receiver.requests()[0]["authorization"],
        "Bearer s3cret-token"
    );
}

#[test]
fn a_clock_set_back_does_not_stall_delivery_behind_a_retry_time_a_year_away() {
    let receiver = Receiver::start("503,200");
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let config = otlp_config(&receiver);
    let mut sinks = otlp_sink(&config);
    // The clock was a year ahead when the receiver failed…
    let ahead = later("8760h");
    let failed = deliver(&mut store, &mut sinks, ahead, 0.0).unwrap();
    assert!(failed.sinks[0].error.is_some());
    // …and is right again: the sink is tried now, not in a year.
    let back = deliver(&mut store, &mut sinks, now(), 0.0).unwrap();
    assert_eq!(back.sinks[0].error, None, "{back:?}");
    assert_eq!(back.waiting, 0);
}

#[test]
fn a_receiver_that_refuses_the_batch_keeps_the_records_and_is_tried_at_the_longest_interval() {
    let receiver = Receiver::start("400");
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let before = store.records_waiting().unwrap();
    let config = otlp_config(&receiver);
    let mut sinks = otlp_sink(&config);
    let d = deliver(&mut store, &mut sinks, now(), 0.0).unwrap();
    assert!(
        d.sinks[0].error.as_deref().unwrap().contains("refused"),
        "{d:?}"
    );
    assert_eq!(
        store.records_waiting().unwrap(),
        before + 1,
        "nothing given up"
    );
    assert_eq!(
        store.deliveries().unwrap()[0].retry_at,
        now().plus(Span::from_secs(3600))
    );
    let status = agent_core::status(&store, now()).unwrap().to_text();
    assert!(status.contains("failing (1 attempt(s))"), "{status}");
}

// ---- Nothing lost ----

/// A real kill: `appwacht deliver` is killed with SIGKILL while the collector holds its request.
/// What was committed stays; the next run sends the same records, with the same ids.
#[test]
fn a_kill_during_delivery_loses_nothing_and_the_next_run_sends_the_same_records() {
    let receiver = Receiver::start("hang,200");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("phone.db");
    let committed = {
        let store = phone(&db);
        store.records(0, 1000).unwrap()
    };
    let mut config = otlp_config(&receiver);
    config.request_timeout = Span::from_secs(120);
    let config_path = dir.path().join("device.json");
    std::fs::write(&config_path, config.to_json()).unwrap();
    let mut child = Command::new(appwacht_binary())
        .args(["deliver", "--config"])
        .arg(&config_path)
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the request to reach the collector", || {
        !receiver.requests().is_empty()
    });
    child.kill().unwrap();
    child.wait().unwrap();

    let mut store = Store::open(&db).unwrap();
    let after_kill = store.records(0, 1000).unwrap();
    assert_eq!(
        ids(&after_kill[..committed.len()]),
        ids(&committed),
        "every committed record is still there"
    );
    let mut sinks = otlp_sink(&config);
    let d = deliver(&mut store, &mut sinks, Timestamp::now(), 0.5).unwrap();
    assert_eq!(d.sinks[0].error, None, "{d:?}");
    let got: Vec<String> = receiver
        .records()
        .iter()
        .map(|l| Record::from_json(l["body"].as_str().unwrap()).unwrap().id)
        .collect();
    assert_eq!(
        got,
        ids(&after_kill),
        "sent again, the same ids: a receiver de-duplicates"
    );
}

/// A kill after the receiver took a batch but before the acknowledgement was written (a panic in
/// the sink, as the store's crash tests kill): the batch goes again, the fleet report counts it
/// once.
#[test]
fn a_kill_between_acceptance_and_acknowledgement_resends_and_the_fleet_counts_once() {
    struct Takes<'a> {
        got: &'a std::cell::RefCell<Vec<Record>>,
        die: bool,
    }
    impl Sink for Takes<'_> {
        fn name(&self) -> &str {
            "test://collector"
        }
        fn send(&mut self, records: &[Record]) -> Result<(), agent_core::records::SinkError> {
            self.got.borrow_mut().extend_from_slice(records);
            if self.die {
                panic!("killed after the receiver took the batch");
            }
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let got = std::cell::RefCell::new(Vec::new());
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut sinks: Vec<Box<dyn Sink + '_>> = vec![Box::new(Takes {
            got: &got,
            die: true,
        })];
        deliver(&mut store, &mut sinks, now(), 0.0)
    }));
    assert!(killed.is_err());
    let first = got.borrow().len();
    let mut sinks: Vec<Box<dyn Sink + '_>> = vec![Box::new(Takes {
        got: &got,
        die: false,
    })];
    let d = deliver(&mut store, &mut sinks, later("1m"), 0.0).unwrap();
    assert_eq!(
        d.sinks[0].delivered as usize, first,
        "the whole batch again"
    );
    let mut fleet = Fleet::default();
    for r in got.borrow().iter() {
        fleet.read_line(&r.to_json(), String::new);
    }
    assert_eq!(fleet.duplicates as usize, first);
    assert_eq!(fleet.records as usize, first);
}

#[test]
fn a_full_queue_gives_up_heartbeats_and_summaries_first_never_a_violation_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    store.set_record_limit(100).unwrap();
    let violations_before: Vec<String> = store
        .records(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|r| r.severity == Severity::Violation)
        .map(|r| r.id)
        .collect();
    assert_eq!(violations_before.len(), 1);
    // A phone whose receiver is gone for 200 days: a heartbeat a day.
    for day in 1..=200 {
        assert!(
            store
                .heartbeat_if_due(now().plus(Span::from_secs(day * 86_400)))
                .unwrap()
        );
    }
    assert_eq!(store.records_waiting().unwrap(), 100);
    let kept = store.records(0, 1000).unwrap();
    let violations_after: Vec<String> = kept
        .iter()
        .filter(|r| r.severity == Severity::Violation)
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(violations_after, violations_before, "the violation is kept");
    assert!(
        kept.iter().any(|r| r.kind == "enforcement"),
        "notices outlive heartbeats"
    );
    let dropped = store.records_dropped().unwrap();
    assert_eq!(dropped.violation, 0);
    assert_eq!(dropped.notice, 0);
    assert!(dropped.routine > 0);
    // The count reaches the organisation in the next heartbeat.
    store.heartbeat_if_due(later("5000h")).unwrap();
    let last = store.records(0, 1000).unwrap().pop().unwrap();
    assert_eq!(last.kind, "heartbeat");
    assert_eq!(last.data["dropped"]["routine"], dropped.routine);
    let status = agent_core::status(&store, now()).unwrap().to_text();
    assert!(status.contains("given up by a full queue"), "{status}");
}

/// Delivery runs on its own connection and holds no write lock while it waits for the network:
/// a scan (an install's) finishes while a collector holds the delivery's request.
#[test]
fn a_hanging_collector_never_holds_up_a_scan_or_a_block() {
    let receiver = Receiver::start("hang");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("phone.db");
    drop(phone(&db));
    let mut config = otlp_config(&receiver);
    config.request_timeout = Span::from_secs(8);
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let delivering = s.spawn(|| {
            // The sender's own connection, as the typed API opens it beside the scans'.
            let mut store = Store::open_sender(&db).unwrap();
            let mut sinks = otlp_sink(&config);
            let d = deliver(&mut store, &mut sinks, now(), 0.0).unwrap();
            finished.store(true, std::sync::atomic::Ordering::SeqCst);
            d
        });
        wait_for("the request to reach the collector", || {
            !receiver.requests().is_empty()
        });
        let mut store = Store::open(&db).unwrap();
        let mut device = SimulatedDevice::new(inventory(
            &[],
            vec![
                app("com.zhiliaoapp.musically"),
                app("com.ss.android.ugc.trill"),
            ],
        ));
        store
            .activate_policy(
                &policy_json(
                    &format!("{DENY_TIKTOK}[[rules]]\nid = \"trill\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = {{ packages = [\"com.ss.android.ugc.trill\"] }}\n"),
                    2,
                    Mode::Enforce,
                ),
                "policy.json",
                later("1s"),
            )
            .unwrap();
        let summary = scan(
            &mut store,
            &mut device,
            &enrolment(&[]),
            Scope::Package("com.ss.android.ugc.trill"),
            "install",
            later("2s"),
        )
        .unwrap();
        assert!(
            summary.steps.iter().all(|s| s.error.is_none()) && !summary.steps.is_empty(),
            "{summary:?}"
        );
        assert!(
            device
                .inventory
                .packages
                .iter()
                .any(|p| p.name == "com.ss.android.ugc.trill" && p.suspended),
            "the new app was blocked"
        );
        assert!(
            !finished.load(std::sync::atomic::Ordering::SeqCst),
            "the scan finished while delivery still waited for the collector"
        );
        let d = delivering.join().unwrap();
        assert!(d.sinks[0].error.is_some(), "{d:?}");
        assert_eq!(d.sinks[0].delivered, 0, "nothing counts as delivered");
    });
}

// ---- The format ----

/// Every kind the agent writes, validated against `docs/schema/compliance-record-1.json` by the
/// Python `jsonschema` package (Draft 2020-12, with formats checked).
#[test]
fn every_record_matches_the_published_json_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    // A resolution, a clock problem and its clearing, a mode change, a heartbeat.
    let mut device = SimulatedDevice::new(inventory(&[], vec![app("com.example.notes")]));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        later("1h"),
    )
    .unwrap();
    store
        .activate_policy(
            &policy_json(DENY_TIKTOK, 2, Mode::Monitor),
            "policy.json",
            later("2h"),
        )
        .unwrap();
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        later("3h"),
    )
    .unwrap();
    store.heartbeat_if_due(later("4h")).unwrap();
    let records = store.records(0, 1000).unwrap();
    let kinds: std::collections::BTreeSet<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    for k in [
        "policy.activated",
        "finding.opened",
        "finding.resolved",
        "enforcement",
        "agent.mode",
        "scan.summary",
        "heartbeat",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    let mut lines: Vec<String> = records.iter().map(Record::to_json).collect();
    // Crafted kinds the host cannot provoke here (a refused policy, a clock problem).
    let mut refused = records[0].clone();
    refused.kind = "policy.refused".into();
    refused.severity = Severity::Violation;
    refused.data = serde_json::json!({"reason": "mirror: the policy's signatures do not verify", "failures_in_a_row": 3});
    let mut clock = records[0].clone();
    clock.kind = "clock.problem".into();
    clock.data = serde_json::json!({"problem": "the clock is 3 days behind the newest signed time", "cleared": false});
    lines.push(refused.to_json());
    lines.push(clock.to_json());
    // And a record that is not what it claims, which the schema must refuse.
    let mut wrong = records[0].clone();
    wrong.kind = "finding.opened".into();
    wrong.data = serde_json::json!({"package": 7});
    lines.push(wrong.to_json());
    let file = dir.path().join("records.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema, format_checker=FormatChecker())
for i, line in enumerate(open(sys.argv[2])):
    errors = sorted(e.message for e in v.iter_errors(json.loads(line)))
    print(i, "ok" if not errors else "invalid: " + "; ".join(errors))
"#,
        )
        .arg(workspace().join("docs/schema/compliance-record-1.json"))
        .arg(&file)
        .output()
        .expect("python3 (run .ci/test, which installs jsonschema)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<&str> = text.lines().collect();
    assert_eq!(verdicts.len(), lines.len());
    for v in &verdicts[..lines.len() - 1] {
        assert!(v.ends_with(" ok"), "{v}\n{text}");
    }
    assert!(verdicts.last().unwrap().contains("invalid"), "{text}");
}

#[test]
fn a_careless_sink_configuration_is_refused_with_the_key_named() {
    let base = String::from_utf8(device_config().to_json()).unwrap();
    let with = |extra: &str| -> String {
        let mut v: serde_json::Value = serde_json::from_str(&base).unwrap();
        let extra: serde_json::Value = serde_json::from_str(extra).unwrap();
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        match DeviceConfig::from_json("device.json", v.to_string().as_bytes()) {
            Ok(_) => "accepted".into(),
            Err(e) => e.to_string(),
        }
    };
    let e = with(r#"{"syslog_url": "syslog://logs.example.org:514"}"#);
    assert!(e.contains("syslog_url") && e.contains("TLS only"), "{e}");
    let e = with(r#"{"otlp_logs_url": "http://collector.example.org:4318/v1/logs"}"#);
    assert!(
        e.contains("otlp_logs_url") && e.contains("not an https"),
        "{e}"
    );
    let e = with(r#"{"records_client_certificate": "not a certificate"}"#);
    assert!(e.contains("records_client_certificate"), "{e}");
    let e = with(r#"{"record_queue_limit": 5}"#);
    assert!(e.contains("record_queue_limit"), "{e}");
    let e = with(r#"{"syslog_url": "syslog+tls://logs.example.org:99999"}"#);
    assert!(e.contains("syslog_url") && e.contains("port"), "{e}");
    assert_eq!(
        with(
            r#"{"syslog_url": "syslog+tls://logs.example.org", "otlp_logs_url": "https://collector.example.org:4318/v1/logs", "record_queue_limit": "5000"}"#
        ),
        "accepted"
    );
    // A sink spelled wrong is a key the agent does not know, with the right one suggested.
    let e = with(r#"{"sylog_url": "syslog+tls://logs.example.org"}"#);
    assert!(e.contains("did you mean `syslog_url`"), "{e}");
}

// ---- The fleet report ----

/// A record as a phone of the fleet would have sent it.
pub fn record(
    device: &str,
    seq: u64,
    time: Timestamp,
    kind: &str,
    policy: u64,
    data: serde_json::Value,
) -> Record {
    let severity = match kind {
        "finding.opened" | "policy.refused" | "clock.problem" => Severity::Violation,
        "heartbeat" | "scan.summary" => Severity::Routine,
        _ => Severity::Notice,
    };
    let tag: u32 = device
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    Record {
        schema: agent_core::records::SCHEMA.into(),
        id: format!("{tag:08x}-0000-4000-8000-{seq:012x}"),
        seq,
        time,
        kind: kind.into(),
        severity,
        device: device.into(),
        organisation: Some("Gemeente Test".into()),
        agent: "0.1.0".into(),
        policy: Some(agent_core::records::PolicyRef {
            version: policy,
            sha256: "ab".repeat(32),
        }),
        data,
    }
}

fn opened(package: &str, label: &str, taken: bool) -> serde_json::Value {
    serde_json::json!({"package": package, "label": label, "rule": "cyber-programme", "outcome": "denied",
        "action": "suspend", "taken": taken, "certificates": [], "installer": "com.android.vending",
        "version_code": 1, "mode": if taken { "enforce" } else { "monitor" }})
}

fn gzip(path: &Path, text: &str) {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    z.write_all(text.as_bytes()).unwrap();
    z.finish().unwrap();
}

#[test]
fn the_fleet_report_answers_the_administrators_questions_from_what_rsyslog_and_a_collector_wrote() {
    let t = |h: i64| now().plus(Span::from_secs(h * 3600));
    let heartbeat = |v: u64| serde_json::json!({"every_seconds": 86400, "violations": v, "findings": v, "blocks": 0, "waiting": 0, "dropped": {"routine": 0, "notice": 0, "violation": 0}, "mode": "enforce", "management": "device_owner"});
    // phone-a: TikTok open and blocked; WeChat opened and resolved — the resolution arrives first.
    let a = [
        record(
            "phone-a",
            1,
            t(0),
            "policy.activated",
            2,
            serde_json::json!({"version": 2, "sha256": "x", "source": "s", "signed": true}),
        ),
        record(
            "phone-a",
            2,
            t(1),
            "finding.opened",
            2,
            opened("com.zhiliaoapp.musically", "TikTok", true),
        ),
        record(
            "phone-a",
            3,
            t(2),
            "finding.opened",
            2,
            opened("com.tencent.mm", "WeChat", true),
        ),
        record(
            "phone-a",
            4,
            t(3),
            "finding.resolved",
            2,
            serde_json::json!({"package": "com.tencent.mm", "rule": "cyber-programme", "why": "removed"}),
        ),
        record("phone-a", 5, t(24), "heartbeat", 2, heartbeat(1)),
    ];
    // phone-b: still on version 1, TikTok seen in monitor mode, blocked once enforcement began
    // (the suspend's record comes through the collector, the finding through rsyslog).
    let b = [
        record(
            "phone-b",
            1,
            t(1),
            "finding.opened",
            1,
            opened("com.zhiliaoapp.musically", "TikTok", false),
        ),
        record("phone-b", 2, t(24), "heartbeat", 1, heartbeat(1)),
        record(
            "phone-b",
            3,
            t(25),
            "enforcement",
            1,
            serde_json::json!({"package": "com.zhiliaoapp.musically", "step": "suspend", "rule": "cyber-programme", "result": "ok"}),
        ),
    ];
    // phone-c: silent for five days.
    let c = [record("phone-c", 9, t(-120), "heartbeat", 2, heartbeat(0))];
    // phone-d: its clock cannot be believed.
    let d = [record(
        "phone-d",
        3,
        t(20),
        "clock.problem",
        2,
        serde_json::json!({"problem": "the clock is 40 days behind the newest signed time", "cleared": false}),
    )];
    // phone-e: refused what a mirror offered; phone-f refused once, then activated version 2.
    let e = [record(
        "phone-e",
        4,
        t(20),
        "policy.refused",
        2,
        serde_json::json!({"reason": "mirror-2: rollback from version 2 to 1", "failures_in_a_row": 1}),
    )];
    let f = [
        record(
            "phone-f",
            1,
            t(1),
            "policy.refused",
            1,
            serde_json::json!({"reason": "expired", "failures_in_a_row": 1}),
        ),
        record(
            "phone-f",
            2,
            t(2),
            "policy.activated",
            2,
            serde_json::json!({"version": 2, "sha256": "x", "source": "s", "signed": true}),
        ),
    ];
    // phone-g: its heartbeat counts a violation whose record never arrived (lost before this log).
    let g = [record("phone-g", 40, t(23), "heartbeat", 2, heartbeat(1))];

    // phone-h: two phones given the same device id (a configuration copied from one to the
    // next): the same sequence number under two record ids is not a repeat, and is said.
    let h1 = record("phone-h", 1, t(20), "heartbeat", 2, heartbeat(0));
    let mut h2 = h1.clone();
    h2.id = "ffffffff-0000-4000-8000-000000000001".into();

    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("otel")).unwrap();
    // rsyslog's %msg% file: some lines with the byte-order mark, another program's line, a JSON
    // line that is not a record, a record of an unknown schema version, and a torn last line.
    let mut rsyslog = String::new();
    for r in [&a[3], &a[0], &a[1], &b[0], &b[1], &c[0], &e[0]] {
        rsyslog.push_str(&format!("\u{feff}{}\n", r.to_json()));
    }
    rsyslog.push_str("Dec  1 04:00:01 gateway kernel: eth0 link up\n");
    rsyslog.push_str("{\"level\":\"info\",\"msg\":\"another app's JSON\"}\n");
    rsyslog.push_str(
        &a[2]
            .to_json()
            .replace("compliance-record/1", "compliance-record/9"),
    );
    rsyslog.push('\n');
    let torn = d[0].to_json();
    rsyslog.push_str(&torn[..torn.len() / 2]);
    std::fs::write(logs.join("records.jsonl"), rsyslog).unwrap();
    // Yesterday's rotated file, gzip: a whole RFC 5424 line per record (RSYSLOG_SyslogProtocol23Format),
    // with records the other file also holds (delivered twice).
    let rotated: String = [&a[2], &a[0], &a[1], &d[0], &f[1]]
        .iter()
        .map(|r| agent_core::records::syslog_message(r) + "\n")
        .collect();
    gzip(&logs.join("records.jsonl.1.gz"), &rotated);
    // An OpenTelemetry Collector's file exporter: one export request per line.
    let otel = format!(
        "{}\n{}\n",
        agent_core::records::otlp_json(&[a[4].clone(), f[0].clone(), b[2].clone()]),
        agent_core::records::otlp_json(&[g[0].clone(), h1, h2])
    );
    std::fs::write(logs.join("otel/logs.json"), otel).unwrap();

    let judged = t(26).to_string();
    let logs_arg = logs.display().to_string();
    let run = appwacht(&[
        "fleet", "--from", &logs_arg, "--now", &judged, "--format", "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.err);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    let phone = |id: &str| {
        v["phones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["device"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(v["phones_total"], 8);
    assert_eq!(phone("phone-h")["shared_id"], 1);
    assert_eq!(phone("phone-a")["shared_id"], 0);
    assert_eq!(
        phone("phone-a")["records"],
        5,
        "each record once, across files and threads"
    );
    assert_eq!(v["duplicates"], 2, "a[0] and a[1] came twice");
    assert_eq!(v["skipped"], 4, "{}", v["skipped_first"]);
    let a_now = phone("phone-a");
    let apps: Vec<&str> = a_now["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["package"].as_str().unwrap())
        .collect();
    assert_eq!(
        apps,
        ["com.zhiliaoapp.musically"],
        "WeChat was resolved, whatever the order it arrived in"
    );
    assert_eq!(v["apps"][0]["package"], "com.zhiliaoapp.musically");
    assert_eq!(v["apps"][0]["phones"], 2);
    assert_eq!(v["apps"][0]["blocked"], 2, "phone-b's suspend counts");
    assert_eq!(v["newest_policy"], 2);
    assert_eq!(phone("phone-b")["old_policy"], true);
    assert_eq!(phone("phone-a")["old_policy"], false);
    assert_eq!(phone("phone-c")["silent_days"], 6);
    assert!(phone("phone-a")["silent_days"].is_null());
    assert!(
        phone("phone-d")["clock_problem"]
            .as_str()
            .unwrap()
            .contains("40 days behind")
    );
    assert!(
        phone("phone-e")["refused"]["reason"]
            .as_str()
            .unwrap()
            .contains("rollback")
    );
    assert!(
        phone("phone-f")["refused"].is_null(),
        "activated after the refusal"
    );
    assert_eq!(phone("phone-g")["unaccounted"], 1);
    // Each skipped line is named by file and line.
    let places: Vec<&str> = v["skipped_first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["place"].as_str().unwrap())
        .collect();
    assert!(
        places.iter().any(|p| p.ends_with("records.jsonl:8")),
        "{places:?}"
    );

    let text = appwacht(&["fleet", "--from", &logs_arg, "--now", &judged]);
    assert_eq!(text.code, 0);
    for needle in [
        "Phones with violations: 3",
        "phone-a: com.zhiliaoapp.musically \"TikTok\" (cyber-programme, blocked)",
        "com.zhiliaoapp.musically \"TikTok\": 2 phone(s), blocked on 2",
        "On an older policy than version 2: 1",
        "Refused a policy: 1",
        "Silent for more than 2 heartbeat(s): 1",
        "With a clock problem: 1",
        "phone-g: 1 more named in no record read here",
        "Device ids sent by more than one phone (give each phone its own device_id): 1",
        "phone-h: 1 sequence number(s) under two record ids",
    ] {
        assert!(text.out.contains(needle), "`{needle}` in:\n{}", text.out);
    }
    let page = dir.path().join("fleet.html");
    let html = appwacht(&[
        "fleet",
        "--from",
        &logs_arg,
        "--now",
        &judged,
        "--format",
        "html",
        "--out",
        &page.display().to_string(),
    ]);
    assert_eq!(html.code, 0, "{}", html.err);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<h2 id=\"violations\">Phones with violations (3)</h2>"));
    assert!(
        !html.contains("<script") && !html.contains("src=") && !html.contains("href="),
        "self-contained"
    );
    // Like the compliance report, it fits an A4 page in a real browser.
    if crate::report::browser_present() {
        crate::report::a4_fits(&html, dir.path());
    }

    // Nothing to read is an error that says so.
    let empty = tempfile::tempdir().unwrap();
    let none = appwacht(&["fleet", "--from", &empty.path().display().to_string()]);
    assert_eq!(none.code, agent_core_exit_failure());
    assert!(none.err.contains("no record file"), "{}", none.err);
}

fn agent_core_exit_failure() -> i32 {
    appwacht_cli::EXIT_FAILURE
}

#[test]
fn deliver_without_a_sink_says_which_keys_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("device.json");
    std::fs::write(&config, device_config().to_json()).unwrap();
    let db = dir.path().join("phone.db").display().to_string();
    let run = appwacht(&[
        "deliver",
        "--config",
        &config.display().to_string(),
        "--db",
        &db,
    ]);
    assert_eq!(run.code, appwacht_cli::EXIT_FAILURE);
    assert!(
        run.err.contains("syslog_url or otlp_logs_url"),
        "{}",
        run.err
    );
}

/// A key the core reads but the managed configuration does not offer cannot be set on a phone: the
/// core's keys, the app's `SettingKeys` and `app_restrictions.xml` name the same ones.
#[test]
fn the_managed_configuration_offers_every_key_the_agent_reads() {
    let mut core: Vec<&str> = DeviceConfig::managed_keys();
    core.sort_unstable();
    let xml = std::fs::read_to_string(
        workspace().join("android/app/src/main/res/xml/app_restrictions.xml"),
    )
    .unwrap();
    let mut offered: Vec<&str> = xml
        .split("android:key=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    offered.sort_unstable();
    assert_eq!(offered, core, "app_restrictions.xml");
    let kotlin = std::fs::read_to_string(
        workspace().join("android/app/src/main/kotlin/nl/appwacht/agent/Settings.kt"),
    )
    .unwrap();
    let mut app: Vec<&str> = kotlin
        .lines()
        .filter_map(|l| l.trim().strip_prefix("const val "))
        .filter_map(|l| l.split_once(" = \"").map(|(_, v)| v.trim_end_matches('"')))
        .collect();
    app.sort_unstable();
    assert_eq!(app, core, "SettingKeys");
    let strings =
        std::fs::read_to_string(workspace().join("android/app/src/main/res/values/strings.xml"))
            .unwrap();
    for title in xml
        .split("android:title=\"@string/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(
            strings.contains(&format!("name=\"{title}\"")),
            "string {title} is missing"
        );
    }
}

/// A receiver that comes back after a long outage, takes one batch and stumbles on the next:
/// the backoff starts again from its shortest wait (the accepted batch ended the failures in a
/// row), rather than from the long wait the outage had reached.
#[test]
fn a_batch_accepted_ends_the_backoff_even_when_the_next_one_fails() {
    struct Flaky {
        calls: u32,
        up_from: u32,
    }
    impl Sink for Flaky {
        fn name(&self) -> &str {
            "test://flaky"
        }
        fn batch_size(&self) -> usize {
            1
        }
        fn send(&mut self, _: &[Record]) -> Result<(), agent_core::records::SinkError> {
            self.calls += 1;
            if self.calls == self.up_from {
                Ok(())
            } else {
                Err(agent_core::records::SinkError::Retry {
                    reason: "503".into(),
                    after: None,
                })
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = phone(&dir.path().join("phone.db"));
    let mut sinks: Vec<Box<dyn Sink>> = vec![Box::new(Flaky {
        calls: 0,
        up_from: 7,
    })];
    // Six failures: the wait has grown to 30 s × 2⁵ = 16 min (8 to 16 with jitter).
    let mut t = now();
    for _ in 0..6 {
        deliver(&mut store, &mut sinks, t, 0.0).unwrap();
        t = t.plus(Span::from_secs(3600));
    }
    assert_eq!(store.deliveries().unwrap()[0].attempts, 6);
    // The seventh call is accepted, the eighth fails: the next try is 15 to 30 s away.
    let d = deliver(&mut store, &mut sinks, t, 0.0).unwrap();
    assert_eq!(d.sinks[0].delivered, 1, "{d:?}");
    let state = &store.deliveries().unwrap()[0];
    assert_eq!(state.attempts, 1);
    assert_eq!(state.retry_at, t.plus(Span::from_secs(15)));
}
