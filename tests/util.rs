//! Helpers for Appwacht's end-to-end tests: fixed times, package builders, policies from TOML
//! snippets, and the `appwacht` tool run in-process.

use std::path::PathBuf;

use agent_core::policy::authoring;
use agent_core::{CertDigest, Device, Enrolment, Inventory, Package, Policy, Span, Timestamp};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The shared reference folder (`../shared/reference` from the root).
pub fn shared_reference() -> PathBuf {
    root().join("../shared/reference")
}

/// The tests' fixed "now": 2026-11-22T12:00:00Z.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-22T12:00:00Z").expect("fixed time")
}

/// `now` plus a span written like `72h`.
pub fn later(span: &str) -> Timestamp {
    now().plus(Span::parse(span).expect("span"))
}

/// `now` minus a span written like `72h`.
pub fn earlier(span: &str) -> Timestamp {
    Timestamp::from_unix(now().unix() - Span::parse(span).expect("span").secs())
}

/// A digest of 32 bytes `byte` (two hex digits), as the docs' tables write them.
pub fn digest(byte: &str) -> CertDigest {
    CertDigest::parse(&byte.repeat(32)).expect("digest")
}

/// A user app from Play, signed by `00`×32, version 1, not blocked.
pub fn app(name: &str) -> Package {
    Package {
        name: name.to_string(),
        version_code: 1,
        version_name: "1.0".into(),
        installer: Some("com.android.vending".into()),
        system: false,
        signers: vec![digest("00")],
        signing_history: vec![],
        first_install: now(),
        last_update: now(),
        suspended: false,
        hidden: false,
    }
}

/// A system app without installer.
pub fn system_app(name: &str) -> Package {
    Package {
        system: true,
        installer: None,
        ..app(name)
    }
}

/// An inventory of these packages on a device in these groups.
pub fn inventory(groups: &[&str], packages: Vec<Package>) -> Inventory {
    Inventory {
        device: Device {
            id: "TEST-1".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            sdk: 34,
        },
        packages,
        unreadable: vec![],
    }
}

/// An enrolment in these groups.
pub fn enrolment(groups: &[&str]) -> Enrolment {
    Enrolment::in_groups(groups.iter().map(|g| g.to_string()).collect())
}

/// Completes a TOML snippet with the docs' common header and, unless it has one, an allowing default.
pub fn complete_snippet(snippet: &str) -> String {
    let mut text =
        format!("organisation = \"Example\"\nversion = 1\nmode = \"enforce\"\n{snippet}");
    if !snippet.contains("[default]") {
        text.push_str("\n[default]\neffect = \"allow\"\n");
    }
    text
}

/// A policy from a snippet (see [`complete_snippet`]), validated but with expiries not judged.
pub fn policy(snippet: &str) -> Policy {
    match authoring::parse("snippet.toml", &complete_snippet(snippet)) {
        Ok(p) => p,
        Err(e) => panic!("snippet does not compile:\n{e}\n---\n{snippet}"),
    }
}

/// The compiled JSON of a snippet policy with this version and mode.
pub fn policy_json(snippet: &str, version: u64, mode: agent_core::Mode) -> Vec<u8> {
    let mut p = policy(snippet);
    p.version = version;
    p.mode = mode;
    p.to_json()
}

/// What a run of the tool gave.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

/// Runs `appwacht` in-process with these arguments.
pub fn appwacht(args: &[&str]) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("appwacht").chain(args.iter().copied());
    let code = appwacht_cli::run(argv, &mut out, &mut err);
    Run {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

pub mod org {
    //! A test organisation: keys, roots, signed policies, and mirrors that serve them.

    use std::collections::{HashMap, HashSet};

    use agent_core::trust::config::DeviceConfig;
    use agent_core::trust::dsse::{Envelope, POLICY_TYPE};
    use agent_core::trust::keys::{KeyType, PrivateKey};
    use agent_core::trust::root::Root;
    use agent_core::trust::transport::{Response, Transport};
    use agent_core::{Mode, Policy, Span, Store, Timestamp};

    use super::{later, now};

    /// `n` fresh keys of a type.
    pub fn keys(kind: KeyType, n: usize) -> Vec<PrivateKey> {
        (0..n)
            .map(|_| PrivateKey::generate(kind).expect("key"))
            .collect()
    }

    /// A root document (unsigned).
    pub fn root(
        version: u64,
        root_keys: &[&PrivateKey],
        root_threshold: usize,
        policy_keys: &[&PrivateKey],
        policy_threshold: usize,
    ) -> Root {
        let r: Vec<_> = root_keys.iter().map(|k| k.public()).collect();
        let p: Vec<_> = policy_keys.iter().map(|k| k.public()).collect();
        Root::new(
            "Gemeente Test",
            version,
            later("365d"),
            &r,
            root_threshold,
            &p,
            policy_threshold,
            0,
        )
    }

    /// The root's envelope signed by these keys.
    pub fn sign_root(root: &Root, by: &[&PrivateKey]) -> Vec<u8> {
        let mut e = root.to_envelope();
        for k in by {
            e.sign(k).expect("sign");
        }
        e.to_json()
    }

    /// A policy of `version`, issued now, expiring in 14 days, denying TikTok.
    pub fn policy(version: u64) -> Policy {
        let mut p = super::policy(
            "[[rules]]\nid = \"tiktok\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n",
        );
        p.organisation = "Gemeente Test".into();
        p.version = version;
        p.mode = Mode::Enforce;
        p.issued_at = Some(now());
        p.expires = Some(later("14d"));
        p
    }

    /// A policy's envelope signed by these keys.
    pub fn sign_policy(policy: &Policy, by: &[&PrivateKey]) -> Vec<u8> {
        let mut e = Envelope::new(POLICY_TYPE, &policy.to_json());
        for k in by {
            e.sign(k).expect("sign");
        }
        e.to_json()
    }

    /// A device configuration pinned to `root` (envelope bytes), fetching from `urls`.
    pub fn config(root: &[u8], urls: &[&str]) -> DeviceConfig {
        DeviceConfig {
            organisation: "Gemeente Test".into(),
            policy_urls: urls.iter().map(|u| u.to_string()).collect(),
            pinned_root: Envelope::parse(root).expect("root envelope"),
            groups: vec!["inspection".into()],
            sync_interval: Span::from_secs(3600),
            emm_package: None,
            ca_certificates: None,
            request_timeout: Span::from_secs(5),
            allow_http_loopback: false,
        }
    }

    /// Mirrors in memory: base URL -> path -> body, with entity tags and 304s; every request logged.
    #[derive(Default)]
    pub struct Mirrors {
        pub files: HashMap<String, HashMap<String, Vec<u8>>>,
        pub down: HashSet<String>,
        pub requests: Vec<String>,
    }

    impl Mirrors {
        pub fn put(&mut self, base: &str, path: &str, body: Vec<u8>) {
            self.files
                .entry(base.to_string())
                .or_default()
                .insert(path.to_string(), body);
        }

        pub fn remove(&mut self, base: &str, path: &str) {
            if let Some(f) = self.files.get_mut(base) {
                f.remove(path);
            }
        }

        /// Publishes root `version` and the policy on one mirror.
        pub fn publish(&mut self, base: &str, roots: &[(u64, Vec<u8>)], policy: Option<Vec<u8>>) {
            for (v, bytes) in roots {
                self.put(base, &format!("root/{v}.root.json"), bytes.clone());
            }
            if let Some(p) = policy {
                self.put(base, "policy.json", p);
            }
        }
    }

    impl Transport for Mirrors {
        fn get(
            &mut self,
            url: &str,
            if_none_match: Option<&str>,
            cap: u64,
        ) -> Result<Response, String> {
            self.requests.push(format!(
                "{url}{}",
                if_none_match
                    .map(|t| format!(" if-none-match {t}"))
                    .unwrap_or_default()
            ));
            let (base, path) =
                url.split_at(url.find("/root/").or_else(|| url.rfind('/')).unwrap_or(0));
            if self.down.contains(base) {
                return Err(format!("{url}: connection refused"));
            }
            let Some(body) = self
                .files
                .get(base)
                .and_then(|f| f.get(path.trim_start_matches('/')))
            else {
                return Ok(Response {
                    status: 404,
                    etag: None,
                    body: vec![],
                });
            };
            let etag = format!("\"{}\"", &agent_core::sha256_hex(body)[..12]);
            if if_none_match == Some(etag.as_str()) {
                return Ok(Response {
                    status: 304,
                    etag: Some(etag),
                    body: vec![],
                });
            }
            if body.len() as u64 > cap {
                return Err(format!(
                    "{url}: the body is larger than the cap of {cap} bytes"
                ));
            }
            Ok(Response {
                status: 200,
                etag: Some(etag),
                body: body.clone(),
            })
        }
    }

    /// What a failed update must leave untouched.
    #[derive(Debug, PartialEq, Eq)]
    pub struct Held {
        pub active: Option<(u64, String)>,
        pub policy_floor: u64,
        pub root: Option<u64>,
    }

    pub fn held(store: &Store) -> Held {
        Held {
            active: store
                .active_policy()
                .unwrap()
                .map(|a| (a.policy.version, a.sha256)),
            policy_floor: store.state_u64("policy_floor").unwrap(),
            root: store.trusted_root().unwrap().map(|(v, _)| v),
        }
    }

    /// Now, as the tests' clock.
    pub fn clock() -> Timestamp {
        now()
    }
}

pub mod nginx {
    //! A real nginx on 127.0.0.1 with a throwaway CA, started per test.

    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A running nginx; killed when dropped.
    pub struct Nginx {
        child: Child,
        /// Its files (config, certificates, logs).
        pub dir: tempfile::TempDir,
        /// `https://127.0.0.1:PORT`.
        pub url: String,
        /// The throwaway CA's certificate (PEM), to pin in the device configuration.
        pub ca_pem: String,
    }

    fn run(cmd: &mut Command) {
        let out = cmd.output().unwrap_or_else(|e| {
            panic!("cannot run {cmd:?}: {e} (run .ci/test, which installs openssl and nginx)")
        });
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn nginx_binary() -> PathBuf {
        for p in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
            if Path::new(p).exists() {
                return PathBuf::from(p);
            }
        }
        panic!(
            "nginx is not installed: run .ci/test, which installs it (Debian package nginx-light)"
        );
    }

    impl Nginx {
        /// Serves `site` at `/`, and the same files slowly at `/slow/` (`limit_rate`), plus
        /// `/broken/` (500), `/moved/` (a redirect elsewhere) and `/missing/` (404s).
        pub fn start(site: &Path) -> Nginx {
            let dir = tempfile::tempdir().expect("temp dir");
            let d = dir.path();
            let ssl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(d));
            ssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=Appwacht Test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]);
            ssl(&[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ]);
            std::fs::write(d.join("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
            ssl(&[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ]);
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let site = site.display();
            let p = d.display();
            std::fs::create_dir_all(d.join("tmp")).unwrap();
            let conf = format!(
                "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n  log_format wire '\"$request\" $status request_bytes=$request_length response_bytes=$bytes_sent';\n  access_log {p}/access.log wire;\n  client_body_temp_path {p}/tmp;\n  proxy_temp_path {p}/tmp;\n  fastcgi_temp_path {p}/tmp;\n  uwsgi_temp_path {p}/tmp;\n  scgi_temp_path {p}/tmp;\n\
                 default_type application/json;\n\
                 server {{\n    listen 127.0.0.1:{port} ssl;\n    ssl_certificate {p}/server.pem;\n    ssl_certificate_key {p}/server.key;\n    root {site};\n\
                 location /slow/ {{ alias {site}/; limit_rate 64; }}\n\
                 location /broken/ {{ return 500; }}\n\
                 location /moved/ {{ return 302 https://example.org/elsewhere/; }}\n\
                 location /missing/ {{ return 404; }}\n  }}\n}}\n"
            );
            std::fs::write(d.join("nginx.conf"), conf).unwrap();
            let child = Command::new(nginx_binary())
                .args([
                    "-c",
                    &format!("{p}/nginx.conf"),
                    "-p",
                    &format!("{p}/"),
                    "-e",
                    &format!("{p}/error.log"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start nginx");
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "nginx did not start: {}",
                    std::fs::read_to_string(d.join("error.log")).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            let ca_pem = std::fs::read_to_string(d.join("ca.pem")).unwrap();
            Nginx {
                child,
                url: format!("https://127.0.0.1:{port}"),
                ca_pem,
                dir,
            }
        }

        /// The access log so far.
        pub fn access_log(&self) -> String {
            std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
        }
    }

    impl Drop for Nginx {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
