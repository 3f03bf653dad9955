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

/// The data the tests need, kept in the repository (`tests/data/`; its README says where each
/// file comes from).
pub fn test_data() -> PathBuf {
    root().join("tests/data")
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
        initiating_installer: None,
        originating_installer: None,
        system: false,
        signers: vec![digest("00")],
        signing_history: vec![],
        signers_sha1: vec![],
        signing_history_sha1: vec![],
        first_install: now(),
        last_update: now(),
        suspended: false,
        hidden: false,
        label: None,
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
            essentials: vec![],
            powers: None,
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

/// `cargo build` with these arguments in the workspace, from a test (a failure shows cargo's
/// output).
pub fn cargo_build(args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("cargo");
    assert!(
        out.status.success(),
        "cargo {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `appwacht` binary, built once (tests that run it as a process: PATH can differ, a shell
/// can run documented commands).
pub fn appwacht_binary() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            cargo_build(&["build", "-q", "-p", "appwacht-cli", "--bin", "appwacht"]);
            jvm::target_dir().join("appwacht")
        })
        .clone()
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

    use agent_core::trust::DeviceConfig;
    use agent_core::trust::Root;
    use agent_core::trust::{Envelope, POLICY_TYPE};
    use agent_core::trust::{KeyType, PrivateKey};
    use agent_core::trust::{Response, Transport, TransportError};
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
            emm_packages: Vec::new(),
            emm_certificates: Vec::new(),
            agent_certificates: Vec::new(),
            ca_certificates: None,
            request_timeout: Span::from_secs(5),
            records: Default::default(),
            allow_http_loopback: false,
        }
    }

    /// Mirrors in memory: base URL -> path -> body, with entity tags and 304s; every request logged.
    #[derive(Default)]
    pub struct Mirrors {
        pub files: HashMap<String, HashMap<String, Vec<u8>>>,
        pub down: HashSet<String>,
        pub requests: Vec<String>,
        /// Answer 403 instead of 404 for a missing file, as S3, CloudFront and Azure Blob do for
        /// a key that does not exist (when the caller may not list the bucket).
        pub forbidden_when_missing: bool,
        /// The byte cap each request was made with, by URL.
        pub caps: Vec<(String, u64)>,
        /// Ignore `If-None-Match` and always send the whole file (as a mirror that is not a
        /// cache, or a replaying one, does).
        pub ignore_etags: bool,
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
        ) -> Result<Response, TransportError> {
            self.caps.push((url.to_string(), cap));
            self.requests.push(format!(
                "{url}{}",
                if_none_match
                    .map(|t| format!(" if-none-match {t}"))
                    .unwrap_or_default()
            ));
            let (base, path) =
                url.split_at(url.find("/root/").or_else(|| url.rfind('/')).unwrap_or(0));
            if self.down.contains(base) {
                return Err(TransportError::Unreachable {
                    url: url.to_string(),
                    reason: "connection refused".into(),
                });
            }
            let Some(body) = self
                .files
                .get(base)
                .and_then(|f| f.get(path.trim_start_matches('/')))
            else {
                return Ok(Response {
                    status: if self.forbidden_when_missing {
                        403
                    } else {
                        404
                    },
                    etag: None,
                    body: vec![],
                });
            };
            let etag = format!("\"{}\"", &agent_core::sha256_hex(body)[..12]);
            if !self.ignore_etags && if_none_match == Some(etag.as_str()) {
                return Ok(Response {
                    status: 304,
                    etag: Some(etag),
                    body: vec![],
                });
            }
            if body.len() as u64 > cap {
                return Err(TransportError::TooLarge {
                    url: url.to_string(),
                    cap,
                });
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
            policy_floor: store.policy_floor().unwrap(),
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

    /// A throwaway CA in `d` (`ca.pem`, `ca.key`) and a server certificate for 127.0.0.1 and
    /// localhost signed by it (`server.pem`, `server.key`), valid for two days; EC P-256.
    pub fn throwaway_ca(d: &Path) {
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
    }

    /// A client certificate signed by the CA `throwaway_ca` made in `d`: `name.pem` holds the
    /// certificate and its key, as `records_client_certificate` takes it.
    pub fn client_certificate(d: &Path, name: &str) -> String {
        let ssl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(d));
        ssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        std::fs::write(
            d.join("client-ext.cnf"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        ssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-extfile",
            "client-ext.cnf",
        ]);
        let cert = std::fs::read_to_string(d.join(format!("{name}.crt"))).unwrap();
        let key = std::fs::read_to_string(d.join(format!("{name}.key"))).unwrap();
        format!("{cert}{key}")
    }

    impl Nginx {
        /// Serves `site` at `/`, and the same files slowly at `/slow/` (`limit_rate`), plus
        /// `/broken/` (500), `/moved/` (a redirect elsewhere) and `/missing/` (404s).
        pub fn start(site: &Path) -> Nginx {
            Nginx::start_as(site, false)
        }

        /// Serves `site` the way a packaged nginx does: started as root with `master_process on`,
        /// its worker running as `nobody`, so the files must be readable by others (Debian's
        /// nginx runs its workers as `www-data`, the upstream default is `nobody`). Needs root.
        pub fn start_packaged(site: &Path) -> Nginx {
            Nginx::start_as(site, true)
        }

        fn start_as(site: &Path, packaged: bool) -> Nginx {
            let dir = tempfile::tempdir().expect("temp dir");
            let d = dir.path();
            throwaway_ca(d);
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let site = site.display();
            let p = d.display();
            std::fs::create_dir_all(d.join("tmp")).unwrap();
            let process = if packaged {
                assert!(
                    std::env::var("USER").as_deref() == Ok("root") || is_root(),
                    "a packaged nginx is started as root, so this test must run as root (as CI does)"
                );
                "master_process on;\nuser nobody nogroup;"
            } else {
                "master_process off;"
            };
            let conf = format!(
                "daemon off;\n{process}\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
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
            // TERM lets a master stop its workers (a KILL would orphan them); then make sure.
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Whether this process runs as root (uid 0), read from `/proc/self/status`.
    fn is_root() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("Uid:"))
                    .map(|l| l.split_whitespace().nth(1) == Some("0"))
            })
            .unwrap_or(false)
    }
}

pub mod jvm {
    //! The JVM side of the tests: the platform API listing as a set of JNI members, `javap` over
    //! the compiled doubles, and the scenario harness run on OpenJDK with `-Xcheck:jni`.

    use std::collections::{HashMap, HashSet};
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::OnceLock;

    /// A member as JNI names it: binary class name with slashes, member name (`<init>` for
    /// constructors), descriptor, and whether it is static.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct JniMember {
        pub class: String,
        pub name: String,
        pub descriptor: String,
        pub is_static: bool,
    }

    /// The listing: its members, the values of its constants by `(class, field)`, and each class's
    /// superclass.
    pub struct Listing {
        pub members: HashSet<JniMember>,
        pub constants: HashMap<(String, String), String>,
        pub supers: HashMap<String, String>,
    }

    impl Listing {
        /// Whether the listing has this member, in its class or (as an override) in an ancestor.
        pub fn allows(&self, m: &JniMember) -> bool {
            let mut class = m.class.clone();
            loop {
                let here = JniMember {
                    class: class.clone(),
                    ..m.clone()
                };
                if self.members.contains(&here) {
                    return true;
                }
                if m.name == "<init>" {
                    return false; // constructors are not inherited
                }
                match self.supers.get(&class) {
                    Some(parent) => class = parent.clone(),
                    None => return false,
                }
            }
        }
    }

    fn strip_annotations(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '@' {
                while chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || *c == '.' || *c == '_')
                {
                    chars.next();
                }
                if chars.peek() == Some(&'(') {
                    let mut depth = 0;
                    for c in chars.by_ref() {
                        depth += match c {
                            '(' => 1,
                            ')' => -1,
                            _ => 0,
                        };
                        if depth == 0 {
                            break;
                        }
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    fn strip_generics(s: &str) -> String {
        let mut out = String::new();
        let mut depth = 0;
        for c in s.chars() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// A Java type as written in the listing, as a JNI descriptor.
    pub fn descriptor_of(java: &str) -> String {
        let mut t = strip_generics(java.trim());
        let mut dims = 0;
        if let Some(base) = t.strip_suffix("...") {
            t = base.to_string();
            dims += 1;
        }
        while let Some(base) = t.strip_suffix("[]") {
            t = base.to_string();
            dims += 1;
        }
        let base = match t.as_str() {
            "void" => "V".to_string(),
            "boolean" => "Z".into(),
            "byte" => "B".into(),
            "char" => "C".into(),
            "short" => "S".into(),
            "int" => "I".into(),
            "long" => "J".into(),
            "float" => "F".into(),
            "double" => "D".into(),
            // A type variable erases to Object.
            v if v.len() == 1 && v.chars().all(|c| c.is_ascii_uppercase()) => {
                "Ljava/lang/Object;".into()
            }
            v if !v.contains('.') => format!("Ljava/lang/{v};"),
            v => {
                let parts: Vec<&str> = v.split('.').collect();
                let first_class = parts
                    .iter()
                    .position(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
                    .unwrap_or(parts.len() - 1);
                format!(
                    "L{}/{};",
                    parts[..first_class].join("/"),
                    parts[first_class..].join("$")
                )
            }
        };
        format!("{}{base}", "[".repeat(dims))
    }

    /// Parses `current-subset.txt`.
    pub fn listing() -> &'static Listing {
        static LISTING: OnceLock<Listing> = OnceLock::new();
        LISTING.get_or_init(|| {
            let text =
                std::fs::read_to_string(super::test_data().join("android-api/current-subset.txt"))
                    .expect("current-subset.txt");
            let mut members = HashSet::new();
            let mut constants = HashMap::new();
            let mut supers = HashMap::new();
            let mut package = String::new();
            let mut class = String::new();
            const MODIFIERS: &[&str] = &[
                "public",
                "protected",
                "static",
                "final",
                "abstract",
                "default",
                "synchronized",
                "native",
                "transient",
                "volatile",
                "deprecated",
            ];
            for raw in text.lines() {
                let line = raw.trim();
                if let Some(p) = line.strip_prefix("package ") {
                    package = p.trim_end_matches('{').trim().replace('.', "/");
                    continue;
                }
                let decl = strip_annotations(line);
                let words: Vec<&str> = decl.split_whitespace().collect();
                if decl.ends_with('{') && (words.contains(&"class") || words.contains(&"interface"))
                {
                    let at = words
                        .iter()
                        .position(|w| *w == "class" || *w == "interface")
                        .unwrap_or(0);
                    let name = strip_generics(words.get(at + 1).copied().unwrap_or_default());
                    class = format!("{package}/{}", name.replace('.', "$"));
                    if let Some(i) = words.iter().position(|w| *w == "extends") {
                        let parent = descriptor_of(&strip_generics(
                            words.get(i + 1).copied().unwrap_or_default(),
                        ));
                        supers.insert(
                            class.clone(),
                            parent
                                .trim_start_matches('L')
                                .trim_end_matches(';')
                                .to_string(),
                        );
                    }
                    continue;
                }
                let (kind, rest) = match words.first() {
                    Some(&"ctor") | Some(&"method") | Some(&"field") => {
                        (words[0], decl.trim()[words[0].len()..].trim().to_string())
                    }
                    _ => continue,
                };
                let rest = rest
                    .split("//")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(';')
                    .to_string();
                let rest = rest.split(" throws ").next().unwrap_or("").to_string();
                let is_static = rest.split_whitespace().any(|w| w == "static");
                let mut tokens: Vec<&str> = rest.split_whitespace().collect();
                while tokens.first().is_some_and(|t| MODIFIERS.contains(t)) {
                    tokens.remove(0);
                }
                let rest = tokens.join(" ");
                match kind {
                    "field" => {
                        let (decl, value) = match rest.split_once(" = ") {
                            Some((d, v)) => (d.to_string(), Some(v.trim().to_string())),
                            None => (rest.clone(), None),
                        };
                        let (ty, name) = decl.rsplit_once(' ').unwrap_or(("", ""));
                        members.insert(JniMember {
                            class: class.clone(),
                            name: name.into(),
                            descriptor: descriptor_of(ty),
                            is_static,
                        });
                        if let Some(v) = value {
                            constants.insert((class.clone(), name.to_string()), v);
                        }
                    }
                    _ => {
                        // A method's own type parameters: `<T extends android.os.Parcelable>` erases T
                        // to its bound, a plain `<T>` to Object.
                        let mut bounds: HashMap<String, String> = HashMap::new();
                        if rest.starts_with('<') {
                            let close = rest.find("> ").unwrap_or(0);
                            for param in rest[1..close].split(',') {
                                let words: Vec<&str> = param.split_whitespace().collect();
                                if let (Some(name), Some(&"extends"), Some(bound)) =
                                    (words.first(), words.get(1), words.get(2))
                                {
                                    bounds.insert(name.to_string(), bound.to_string());
                                }
                            }
                        }
                        let erase = |t: &str| -> String {
                            let base = t.trim().trim_end_matches("[]");
                            match bounds.get(base) {
                                Some(bound) => descriptor_of(&t.trim().replacen(base, bound, 1)),
                                None => descriptor_of(t),
                            }
                        };
                        let rest = if rest.starts_with('<') {
                            strip_generics(&rest).trim().to_string()
                        } else {
                            rest
                        };
                        let open = rest.find('(').unwrap_or(rest.len());
                        let head = &rest[..open];
                        let params = strip_generics(&rest[open..])
                            .trim_start_matches('(')
                            .trim_end_matches(')')
                            .to_string();
                        let params: String = params
                            .split(',')
                            .filter(|p| !p.trim().is_empty())
                            .map(erase)
                            .collect();
                        let (ret, name) = if kind == "ctor" {
                            ("V".to_string(), "<init>".to_string())
                        } else {
                            let (ty, name) = head
                                .trim()
                                .rsplit_once(' ')
                                .unwrap_or(("void", head.trim()));
                            (erase(ty), name.to_string())
                        };
                        members.insert(JniMember {
                            class: class.clone(),
                            name,
                            descriptor: format!("({params}){ret}"),
                            is_static,
                        });
                    }
                }
            }
            Listing {
                members,
                constants,
                supers,
            }
        })
    }

    /// Where cargo puts the test build's artefacts (`target/debug`).
    pub fn target_dir() -> PathBuf {
        let exe = std::env::current_exe().expect("test executable");
        exe.parent()
            .and_then(Path::parent)
            .expect("target/debug")
            .to_path_buf()
    }

    /// The compiled Java: the app's classes, the framework doubles and the harness (once per run).
    pub fn classes() -> &'static Path {
        static CLASSES: OnceLock<tempfile::TempDir> = OnceLock::new();
        CLASSES
            .get_or_init(|| {
                let dir = tempfile::tempdir().expect("temp dir");
                let root = super::root();
                let mut sources = Vec::new();
                for base in ["android/jvm", "android/app/src/main/java"] {
                    collect_java(&root.join(base), &mut sources);
                }
                let out = Command::new("javac")
                    .arg("-nowarn")
                    .arg("-d")
                    .arg(dir.path())
                    .args(&sources)
                    .output()
                    .expect("javac (OpenJDK) is needed");
                assert!(
                    out.status.success(),
                    "javac failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                dir
            })
            .path()
    }

    fn collect_java(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("java sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                collect_java(&path, out);
            } else if path.extension().is_some_and(|e| e == "java") {
                out.push(path);
            }
        }
    }

    /// Binary names of the compiled classes under a package prefix (`android/`).
    pub fn class_names(prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![classes().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("classes") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(classes()) {
                    let name = rel
                        .to_string_lossy()
                        .trim_end_matches(".class")
                        .replace('\\', "/");
                    if name.starts_with(prefix) && path.extension().is_some_and(|e| e == "class") {
                        out.push(name);
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// The members `javap` shows for these classes (`-public`, or with `private` everything),
    /// each with its descriptor. Only public classes count when `public_only`.
    pub fn javap(classes_: &[String], public_only: bool) -> Vec<JniMember> {
        let names: Vec<String> = classes_.iter().map(|c| c.replace('/', ".")).collect();
        let out = Command::new("javap")
            .arg(if public_only { "-public" } else { "-p" })
            .arg("-s")
            .arg("-cp")
            .arg(classes())
            .args(&names)
            .output()
            .expect("javap (OpenJDK) is needed");
        assert!(
            out.status.success(),
            "javap failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut members = Vec::new();
        let mut class: Option<String> = None;
        let mut pending: Option<(String, bool, bool)> = None;
        for line in text.lines() {
            let t = line.trim();
            if !line.starts_with(' ') && t.ends_with('{') {
                let words: Vec<&str> = t.split_whitespace().collect();
                let public = words.first() == Some(&"public");
                let at = words
                    .iter()
                    .position(|w| *w == "class" || *w == "interface");
                class = at
                    .filter(|_| public || !public_only)
                    .map(|i| strip_generics(words[i + 1]).replace('.', "/"));
                continue;
            }
            if let Some(d) = t.strip_prefix("descriptor: ") {
                if let (Some(c), Some((name, is_static, _))) = (&class, pending.take()) {
                    members.push(JniMember {
                        class: c.clone(),
                        name,
                        descriptor: d.to_string(),
                        is_static,
                    });
                }
                continue;
            }
            if t.ends_with(';') && class.is_some() {
                let decl = strip_generics(t.trim_end_matches(';'));
                let is_static = decl.split_whitespace().any(|w| w == "static");
                let name = match decl.find('(') {
                    Some(open) => {
                        let head = decl[..open].trim();
                        let last = head.rsplit(' ').next().unwrap_or(head).to_string();
                        if class.as_deref().is_some_and(|c| {
                            c.replace('/', ".") == last || c.replace(['$', '/'], ".") == last
                        }) {
                            "<init>".to_string()
                        } else {
                            last
                        }
                    }
                    None => decl.rsplit(' ').next().unwrap_or("").to_string(),
                };
                pending = Some((name, is_static, true));
            }
        }
        members
    }

    /// The result of one harness run: its output directory and what the JVM wrote to stderr.
    pub struct HarnessRun {
        pub out: tempfile::TempDir,
        pub input: tempfile::TempDir,
        pub stdout: String,
        pub stderr: String,
    }

    impl HarnessRun {
        /// What a scenario's native call answered, or panics with its exception.
        pub fn result(&self, scenario: &str) -> String {
            if let Ok(e) =
                std::fs::read_to_string(self.out.path().join(format!("{scenario}.error")))
            {
                panic!("scenario {scenario} threw {e}\nstderr:\n{}", self.stderr);
            }
            std::fs::read_to_string(self.out.path().join(format!("{scenario}.result")))
                .unwrap_or_else(|_| panic!("scenario {scenario} did not run:\n{}", self.stderr))
        }

        pub fn json(&self, scenario: &str) -> serde_json::Value {
            serde_json::from_str(&self.result(scenario))
                .unwrap_or_else(|e| panic!("{scenario}: {e}"))
        }

        /// The exception a scenario threw, as `class: message`.
        pub fn error(&self, scenario: &str) -> String {
            std::fs::read_to_string(self.out.path().join(format!("{scenario}.error")))
                .unwrap_or_else(|_| panic!("scenario {scenario} threw nothing"))
        }

        /// The fake device after a scenario.
        pub fn state(&self, scenario: &str) -> serde_json::Value {
            serde_json::from_str(
                &std::fs::read_to_string(self.out.path().join(format!("{scenario}.state")))
                    .expect("state"),
            )
            .expect("state JSON")
        }

        /// Lines HotSpot's `-Xcheck:jni` (or the JVM) printed about misuse of JNI.
        pub fn jni_warnings(&self) -> Vec<String> {
            self.stderr
                .lines()
                .filter(|l| {
                    l.contains("WARNING")
                        || l.contains("FATAL ERROR")
                        || l.contains("JNI local refs")
                        || l.starts_with("Exception in thread")
                })
                .map(str::to_string)
                .collect()
        }
    }

    fn build_library(release: bool) -> PathBuf {
        let mut args = vec![
            "build",
            "-q",
            "-p",
            "appwacht-android",
            "--features",
            "test-hooks",
        ];
        if release {
            args.push("--release");
        }
        super::cargo_build(&args);
        // By the profile built, not by where this executable is (a bench runs from release/).
        let dir =
            target_dir()
                .parent()
                .expect("target")
                .join(if release { "release" } else { "debug" });
        assert!(
            dir.join("libappwacht.so").exists(),
            "{} has no libappwacht.so",
            dir.display()
        );
        dir
    }

    /// Builds the host library with its test hooks once per test run, and copies it aside: the
    /// directory holding the copy, which every JVM in the suite loads. (The copy is what lets
    /// [`shipped_library`] build the shipped feature set in the same target directory, reusing
    /// every dependency already compiled, without replacing a library a running JVM has loaded.)
    pub fn library() -> &'static Path {
        static BUILT: OnceLock<PathBuf> = OnceLock::new();
        BUILT.get_or_init(|| {
            let built = build_library(false);
            let dir = built.join("jvm-lib");
            std::fs::create_dir_all(&dir).expect("jvm-lib");
            let partial = dir.join("libappwacht.so.partial");
            std::fs::copy(built.join("libappwacht.so"), &partial).expect("copy the library");
            std::fs::rename(&partial, dir.join("libappwacht.so")).expect("rename the library");
            dir
        })
    }

    /// The library with the features a phone build has (no test hooks), built once in the test
    /// build's own target directory: only the adapter crate is compiled again. The directory
    /// holding it.
    pub fn shipped_library() -> &'static Path {
        static BUILT: OnceLock<PathBuf> = OnceLock::new();
        BUILT.get_or_init(|| {
            // The test build's copy first, so this build never overwrites a loaded library.
            let _ = library();
            super::cargo_build(&["build", "-q", "-p", "appwacht-android"]);
            target_dir()
        })
    }

    /// The optimised build, for measurements.
    pub fn release_library() -> &'static Path {
        static BUILT: OnceLock<PathBuf> = OnceLock::new();
        BUILT.get_or_init(|| build_library(true))
    }

    /// The files the harness scenarios read: two seed certificates.
    pub fn harness_inputs() -> Vec<(&'static str, Vec<u8>)> {
        let certs = super::test_data().join("seed-certs");
        ["com.zhiliaoapp.musically.der", "com.tencent.mm.der"]
            .into_iter()
            .map(|name| (name, std::fs::read(certs.join(name)).unwrap()))
            .collect()
    }

    /// Runs the harness on OpenJDK with `-Xcheck:jni` at one SDK level, with these input files.
    pub fn run_harness(sdk: u32, inputs: &[(&str, Vec<u8>)], scenarios: &[&str]) -> HarnessRun {
        run_harness_with(library(), &["-Xcheck:jni"], sdk, inputs, scenarios)
    }

    /// Runs the harness with this library directory and these JVM options.
    pub fn run_harness_with(
        lib: &Path,
        jvm: &[&str],
        sdk: u32,
        inputs: &[(&str, Vec<u8>)],
        scenarios: &[&str],
    ) -> HarnessRun {
        let classes = classes();
        let out = tempfile::tempdir().expect("out");
        let input = tempfile::tempdir().expect("input");
        for (name, bytes) in inputs {
            std::fs::write(input.path().join(name), bytes).expect("input file");
        }
        let result = Command::new("java")
            .args(jvm)
            .arg(format!("-Djava.library.path={}", lib.display()))
            .arg(format!("-Dappwacht.sdk={sdk}"))
            .arg("-cp")
            .arg(classes)
            .arg("JniHarness")
            .arg(out.path())
            .arg(input.path())
            .args(scenarios)
            .output()
            .expect("java (OpenJDK) is needed");
        let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
        assert!(
            result.status.success(),
            "the JVM failed:\n{stdout}\n{stderr}"
        );
        HarnessRun {
            out,
            input,
            stdout,
            stderr,
        }
    }
}

pub mod kotlin {
    //! Kotlin on a desktop JVM against the one library: the bindings generated by `uniffi-bindgen`
    //! from the library itself, compiled with the app's Kotlin and the given sources by the Kotlin
    //! compiler from npm; and the fixture they run against (signed policies served by nginx).

    use std::path::{Path, PathBuf};
    use std::process::Command;

    use agent_core::trust::Root;
    use agent_core::trust::{Envelope, POLICY_TYPE};
    use agent_core::trust::{KeyType, PrivateKey};
    use agent_core::{Mode, Span, Timestamp};

    use super::jvm::classes;
    use super::nginx::Nginx;
    use super::{root as workspace, test_data};

    pub fn tool(path: &Path, what: &str) -> PathBuf {
        assert!(
            path.exists(),
            "{what} is missing at {}: run .ci/test, which installs it",
            path.display()
        );
        path.to_path_buf()
    }

    pub fn kotlin_home() -> PathBuf {
        let home = std::env::var_os("APPWACHT_KOTLIN_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join(".tools/kotlinc/node_modules/kotlin-compiler"));
        tool(
            &home.join("bin/kotlinc"),
            "the Kotlin compiler (npm kotlin-compiler@2.4.20)",
        );
        home
    }

    pub fn run(cmd: &mut Command, what: &str) -> String {
        let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{what} failed:\n{text}");
        text
    }

    /// Keys, a root, the example policy signed, a copy with its payload changed, both published.
    fn sign_sites(dir: &Path) -> PathBuf {
        let rk = PrivateKey::generate(KeyType::Ed25519).unwrap();
        let pk = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let now = Timestamp::now();
        let root = Root::new(
            "Gemeente Voorbeeld",
            1,
            now.plus(Span::from_secs(365 * 86_400)),
            &[rk.public()],
            1,
            &[pk.public()],
            1,
            0,
        );
        let mut root_env = root.to_envelope();
        root_env.sign(&rk).unwrap();
        let text = std::fs::read_to_string(workspace().join("examples/policy.toml")).unwrap();
        let mut policy =
            agent_core::policy::authoring::compile("examples/policy.toml", &text, now).unwrap();
        policy.mode = Mode::Enforce;
        policy.issued_at = Some(now);
        policy.expires = Some(now.plus(Span::from_secs(14 * 86_400)));
        let mut signed = Envelope::new(POLICY_TYPE, &policy.to_json());
        signed.sign(&pk).unwrap();
        // A policy that hides one app and removes another (the hide and uninstall paths).
        let mut strict = super::policy(
            "[[rules]]\nid = \"hide-temu\"\neffect = \"deny\"\naction = \"hide\"\nmatch = { packages = [\"com.einnovation.temu\"] }\n\
             [[rules]]\nid = \"remove-tiktok\"\neffect = \"deny\"\naction = \"uninstall\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n",
        );
        strict.organisation = policy.organisation.clone();
        strict.mode = Mode::Enforce;
        strict.issued_at = Some(now);
        strict.expires = policy.expires;
        let mut strict_signed = Envelope::new(POLICY_TYPE, &strict.to_json());
        strict_signed.sign(&pk).unwrap();
        // The example policy asking for the device-owner hardening (v2), and then not (v3).
        let mut hardened = policy.clone();
        hardened.version = 2;
        hardened.device = agent_core::DeviceSettings {
            automatic_time: true,
            no_unknown_sources: true,
            no_debugging: true,
        };
        let mut relaxed = policy.clone();
        relaxed.version = 3;
        let [hardened_signed, relaxed_signed] = [&hardened, &relaxed].map(|p| {
            let mut e = Envelope::new(POLICY_TYPE, &p.to_json());
            e.sign(&pk).unwrap();
            e
        });
        let mut tampered = signed.clone();
        policy.exceptions.clear();
        tampered.payload = Envelope::new(POLICY_TYPE, &policy.to_json()).payload;
        let site = dir.join("site");
        for (sub, env) in [
            ("good", &signed),
            ("tampered", &tampered),
            ("strict", &strict_signed),
            ("hardened", &hardened_signed),
            ("relaxed", &relaxed_signed),
        ] {
            std::fs::create_dir_all(site.join(sub).join("root")).unwrap();
            std::fs::write(site.join(sub).join("root/1.root.json"), root_env.to_json()).unwrap();
            std::fs::write(site.join(sub).join("policy.json"), env.to_json()).unwrap();
        }
        std::fs::write(dir.join("root.json"), root_env.to_json()).unwrap();
        for cert in ["com.zhiliaoapp.musically.der", "com.tencent.mm.der"] {
            std::fs::copy(test_data().join("seed-certs").join(cert), dir.join(cert)).unwrap();
        }
        site
    }

    pub fn kotlin_sources(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "kt") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    /// The compiled bindings, app and extra sources, and the class path to run them with.
    pub struct Build {
        /// Where the classes are.
        pub classes: PathBuf,
        /// The class path: those classes, the Kotlin stdlib, JNA, JUnit, Hamcrest, the doubles.
        pub run_cp: String,
        _work: tempfile::TempDir,
    }

    /// Generates the bindings from `lib` (the directory holding `libappwacht.so`) and compiles
    /// them with the app's Kotlin (all but the androidx adapter) and `extra` sources: compiling
    /// the app here proves it uses only framework members the doubles (and so the platform's API
    /// listing) have.
    pub fn build(lib: &Path, extra: &[PathBuf]) -> Build {
        let home = kotlin_home();
        let jna = tool(
            Path::new("/usr/share/java/jna.jar"),
            "JNA (Debian libjna-java)",
        );
        let junit = tool(
            Path::new("/usr/share/java/junit4.jar"),
            "JUnit 4 (Debian junit4)",
        );
        let hamcrest = tool(
            Path::new("/usr/share/java/hamcrest-core.jar"),
            "Hamcrest (Debian libhamcrest-java)",
        );
        let work = tempfile::tempdir().unwrap();
        let generated = work.path().join("generated");
        run(
            Command::new(env!("CARGO"))
                .args(["run", "-q", "-p", "uniffi-bindgen", "--", "generate"])
                .arg(lib.join("libappwacht.so"))
                .args(["--language", "kotlin", "--no-format", "--out-dir"])
                .arg(&generated)
                .current_dir(workspace()),
            "uniffi-bindgen",
        );
        let bindings = generated.join("nl/appwacht/core/appwacht_ffi.kt");
        assert!(bindings.exists(), "no bindings at {}", bindings.display());
        let out = work.path().join("kotlin-classes");
        let cp = [jna.clone(), junit.clone(), classes().to_path_buf()]
            .map(|p| p.display().to_string())
            .join(":");
        run(
            Command::new(home.join("bin/kotlinc"))
                .arg("-nowarn")
                .arg("-cp")
                .arg(&cp)
                .arg("-d")
                .arg(&out)
                .arg(&bindings)
                .args(kotlin_sources(
                    &workspace().join("android/app/src/main/kotlin"),
                ))
                .args(extra),
            "kotlinc",
        );
        let run_cp = [
            out.clone(),
            home.join("lib/kotlin-stdlib.jar"),
            jna,
            junit,
            hamcrest,
            classes().to_path_buf(),
        ]
        .map(|p| p.display().to_string())
        .join(":");
        Build {
            classes: out,
            run_cp,
            _work: work,
        }
    }

    /// Signed policies served over HTTPS, a pinned root and the throwaway CA, in a directory the
    /// Kotlin side reads (`-Dappwacht.fixture`): `good.url`, `tampered.url`, `strict.url`,
    /// `dead.url`, `root.json`, `ca.pem` and two seed certificates.
    pub struct Fixture {
        /// The directory.
        pub dir: PathBuf,
        _server: Nginx,
        _work: tempfile::TempDir,
    }

    /// Starts nginx with the fixture's sites.
    pub fn fixture() -> Fixture {
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("fixture");
        std::fs::create_dir_all(&dir).unwrap();
        let site = sign_sites(&dir);
        let server = Nginx::start(&site);
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        for sub in ["good", "tampered", "strict", "hardened", "relaxed"] {
            std::fs::write(
                dir.join(format!("{sub}.url")),
                format!("{}/{sub}", server.url),
            )
            .unwrap();
        }
        std::fs::write(dir.join("dead.url"), format!("https://127.0.0.1:{dead}")).unwrap();
        std::fs::write(dir.join("ca.pem"), &server.ca_pem).unwrap();
        Fixture {
            dir,
            _server: server,
            _work: work,
        }
    }
}

pub mod adb {
    //! Large `dumpsys package` outputs for the audit's progress test, the mvt comparison and the
    //! benchmark: the Android 11 fixture's package blocks repeated under new names.

    /// A dump of `packages` packages (about 1.75 KB each, as on a real Android 11 phone).
    pub fn large_dump(packages: usize) -> String {
        let text = std::fs::read_to_string(
            super::root().join("tests/dumps/android11-dumpsys-package.txt"),
        )
        .expect("fixture");
        let start = text.find("Packages:\n").expect("Packages:") + "Packages:\n".len();
        let end = text
            .find("\nHidden system packages:")
            .expect("Hidden system packages:");
        let blocks: Vec<&str> = text[start..end].split("\n  Package [").collect();
        let mut out = String::with_capacity(packages * 1800 + 4096);
        out.push_str(&text[..start]);
        for i in 0..packages {
            let block = blocks[i % blocks.len()].trim_start_matches("  Package [");
            let (name, rest) = block.split_once(']').expect("a package header");
            out.push_str("  Package [");
            if i < blocks.len() {
                out.push_str(name);
            } else {
                out.push_str(&format!(
                    "nl.appwacht.synthetic{i}.{}",
                    name.replace('.', "_")
                ));
            }
            out.push(']');
            out.push_str(rest.trim_end_matches('\n'));
            out.push('\n');
        }
        out.push_str(&text[end + 1..]);
        out
    }
}
