//! # appwacht: the command-line tool for administrators and helpdesk staff
//!
//! What it is for: checking an authored policy (`policy check`), running the agent's job on the host
//! against a JSON inventory and a simulated device (`scan`), reading the compliance record
//! (`report`, `explain`), sending the compliance records to the organisation's log systems
//! (`deliver`) and reading a fleet's back (`fleet`), and showing the whole job on a built-in example
//! (`demo`).
//!
//! What it must never do: print a backtrace, write half a file, or judge an app differently from
//! the agent (it calls the same `agent-core`; there is no second evaluator).
//!
//! It is a library with a thin `main` so the end-to-end tests drive it in-process.

mod admin;
mod apk;
mod audit;
mod commands;
mod demo;
mod device;
mod fleet;
mod indicators;
mod pull;
mod render;
mod serve;
mod toml_text;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit status for a run that found what it was asked to check to be wrong (an invalid policy).
pub const EXIT_INVALID: i32 = 1;
/// Exit status for a run that could not do its job (unreadable file, store error…).
pub const EXIT_FAILURE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "appwacht",
    version,
    about = "Appwacht: check managed Android work phones against the organisation's app policy"
)]
struct Cli {
    /// Print JSON instead of text (every command that answers something).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Work with authored (TOML) policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Evaluate an inventory against a policy, enforce on the simulated device, record in the store.
    Scan(ScanArgs),
    /// Fetch and verify the organisation's signed policy from the configured mirrors.
    Sync {
        /// The device configuration (JSON).
        #[arg(long)]
        config: PathBuf,
        /// The compliance store (created if missing; default: $APPWACHT_DB).
        #[arg(long, env = "APPWACHT_DB")]
        db: PathBuf,
    },
    /// Send the compliance records waiting in the store to the configured sinks (syslog over
    /// TLS, OpenTelemetry logs): what the phone does after each scan and sync.
    Deliver {
        /// The device configuration (JSON) naming the sinks.
        #[arg(long)]
        config: PathBuf,
        /// The compliance store (default: $APPWACHT_DB).
        #[arg(long, env = "APPWACHT_DB")]
        db: PathBuf,
    },
    /// The fleet report: every phone's compliance from the records a log server or collector
    /// wrote (JSON lines, gzip or not; files or directories).
    Fleet(FleetArgs),
    /// Policy version, issuer, expiry, last sync, last error and rules hash.
    Status {
        /// The compliance store (default: $APPWACHT_DB).
        #[arg(long, env = "APPWACHT_DB")]
        db: PathBuf,
    },
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Root documents: the organisation's keys and thresholds.
    Root {
        #[command(subcommand)]
        command: RootCommand,
    },
    /// Write the static files devices fetch (root chain and current policy) into a directory.
    Publish {
        /// The directory to serve.
        #[arg(long)]
        out: PathBuf,
        /// Every root version, from the one devices were enrolled with (repeatable).
        #[arg(long = "root", required = true)]
        roots: Vec<PathBuf>,
        /// The signed policy.
        #[arg(long)]
        policy: PathBuf,
    },
    /// The helpdesk's compliance report from a store.
    Report {
        /// The compliance store (default: $APPWACHT_DB).
        #[arg(long, env = "APPWACHT_DB")]
        db: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Why an app is (or is not) blocked: every rule that matches and why the winner won.
    Explain {
        /// The compliance store (default: $APPWACHT_DB).
        #[arg(long, env = "APPWACHT_DB")]
        db: PathBuf,
        /// The package name.
        package: String,
    },
    /// Read APK files: the manifest, and every signature scheme's signers, checked.
    Apk {
        #[command(subcommand)]
        command: ApkCommand,
    },
    /// Check a phone over adb (or its saved adb output) against the policy, without the agent on it.
    Audit(AuditArgs),
    /// The device configuration (the same keys as the phone's managed configuration).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Shell completions for bash, zsh or fish, generated from the command definitions.
    Completions {
        /// The shell.
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
    /// The manual pages (roff), generated from the command definitions: the main page to standard
    /// output (`appwacht man | man -l -`), or one page per command into a directory.
    Man {
        /// Write appwacht.1 and one page per command (appwacht-audit.1, …) into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The whole job on a built-in example: a monitor-mode scan, an enforce-mode scan, the report.
    Demo {
        /// Keep the demo's store and files in this directory (to try `report` and `explain` on).
        #[arg(long)]
        keep: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum ApkCommand {
    /// Package, versions and SDK levels from the manifest; the signers of every scheme present
    /// (JAR v1, APK Signature Scheme v2, v3, v3.1) with their SHA-256 and SHA-1, the v3 key
    /// rotation history, and whether each signature and digest verifies. Several files (a base
    /// APK and its splits) or an .apks/.xapk archive are read as one app.
    Inspect {
        /// The APK files (or .apks/.xapk archives).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print a `[publishers]` block for a policy instead, with this publisher name.
        #[arg(long, requires = "country")]
        as_publisher: Option<String>,
        /// The publisher's country (ISO 3166, two capital letters), with --as-publisher.
        #[arg(long, requires = "as_publisher")]
        country: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Check a device configuration (a host's device.json, or the managed configuration an EMM
    /// console exports): exit 0 when a device could use it, 1 naming the key that is wrong.
    Check {
        /// The configuration (JSON).
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Generate a key pair: NAME.key (PKCS#8 PEM, readable by you only) and NAME.pub (SPKI PEM).
    Generate {
        /// ed25519 or p256.
        #[arg(long = "type")]
        kind: String,
        /// The directory to write into.
        #[arg(long)]
        out: PathBuf,
        /// The file name without extension.
        #[arg(long, default_value = "key")]
        name: String,
    },
}

#[derive(clap::Args, Debug)]
struct RootKeysArgs {
    /// A root key's public key file (repeatable); on rotate, the previous root's keys when omitted.
    #[arg(long = "root-key")]
    root_keys: Vec<PathBuf>,
    /// Root signatures needed.
    #[arg(long)]
    root_threshold: Option<usize>,
    /// A policy key's public key file (repeatable); on rotate, the previous root's keys when omitted.
    #[arg(long = "policy-key")]
    policy_keys: Vec<PathBuf>,
    /// Policy signatures needed.
    #[arg(long)]
    policy_threshold: Option<usize>,
    /// How long the root is valid.
    #[arg(long, default_value = "365d")]
    expires: String,
    /// The policy-version floor devices reset to when this root replaces the policy keys.
    #[arg(long)]
    policy_floor: Option<u64>,
}

#[derive(Subcommand, Debug)]
enum RootCommand {
    /// Create root version 1 (unsigned; sign it with `root sign`).
    Init {
        /// The organisation.
        #[arg(long)]
        organisation: String,
        #[command(flatten)]
        keys: RootKeysArgs,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing file at --out (a root already handed out would be lost).
        #[arg(long)]
        force: bool,
    },
    /// Create root version N+1 from version N (unsigned; needs signatures from old and new root keys).
    Rotate {
        /// The current root.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        keys: RootKeysArgs,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add signatures to a root, in place (each holder of a root key can sign separately).
    Sign {
        /// The root file.
        file: PathBuf,
        /// A private key (repeatable).
        #[arg(long = "key", required = true)]
        keys: Vec<PathBuf>,
    },
    /// Merge the signatures of separately signed copies of the same root.
    Combine {
        /// The signed copies.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where to write the result.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a root's signatures (against the previous root, for a rotation).
    Verify {
        /// The root file.
        file: PathBuf,
        /// The root it replaces.
        #[arg(long)]
        previous: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Validate a policy; exit 0 when valid, 1 with every problem (file:line:column) otherwise.
    Check {
        /// The TOML policy.
        file: PathBuf,
        /// Treat warnings (rules that could hit system apps, an allow-list acting on the EMM's
        /// companion apps) as errors.
        #[arg(long)]
        strict: bool,
        /// The EMM package the devices are configured with (repeatable), for the allow-list check.
        #[arg(long = "emm")]
        emm: Vec<String>,
    },
    /// Sign a policy: version above the last published one unless given, issued now, with an expiry.
    Sign {
        /// The TOML policy.
        file: PathBuf,
        /// A private policy key (repeatable).
        #[arg(long = "key", required = true)]
        keys: Vec<PathBuf>,
        /// How long the policy stays fresh.
        #[arg(long, default_value = "14d")]
        expires: String,
        /// The version (default: above the one in --out, if that file exists).
        #[arg(long)]
        version: Option<u64>,
        /// Device groups the policy is meant for (repeatable).
        #[arg(long = "group")]
        groups: Vec<String>,
        /// Check the result against this root before writing.
        #[arg(long)]
        root: Option<PathBuf>,
        /// The signed envelope to write (the last published one, if it exists).
        #[arg(long)]
        out: PathBuf,
        /// The published site (a `publish --out` directory): the version goes above the live one.
        #[arg(long)]
        published: Option<PathBuf>,
        /// Sign even though `policy check --strict` would refuse the policy.
        #[arg(long)]
        allow_warnings: bool,
        /// The EMM package the devices are configured with (repeatable), for the warnings.
        #[arg(long = "emm")]
        emm: Vec<String>,
    },
    /// Verify a signed policy against a root.
    Verify {
        /// The signed policy.
        envelope: PathBuf,
        /// The root.
        #[arg(long)]
        root: PathBuf,
    },
    /// Turn an indicator feed (stalkerware-indicators ioc.yaml, or a STIX 2.1 bundle as MVT uses)
    /// into publishers and a deny rule: printed, or written into a policy's generated section.
    ImportIndicators {
        /// The feed file.
        file: PathBuf,
        /// The name for what is imported: the rule's id and the publishers' prefix (`stalkerware`).
        #[arg(long)]
        publisher: String,
        /// The TOML policy to write into: its section for this name is replaced (or appended),
        /// nothing else in it changes, and nothing is written unless the result is a valid policy.
        #[arg(long)]
        into: Option<PathBuf>,
        /// What the rule does at once (report, warn, suspend, hide, uninstall). Default: what the
        /// policy's allow-list does to an app it does not name, else report.
        #[arg(long)]
        action: Option<String>,
        /// Import only families of this type (the feed's `type`, such as stalkerware; repeatable).
        #[arg(long = "type")]
        kinds: Vec<String>,
        /// The attribution to write instead of the feed's own.
        #[arg(long)]
        attribution: Option<String>,
        /// What the employee is told.
        #[arg(long)]
        message: Option<String>,
        /// Import a feed older than the one imported before.
        #[arg(long)]
        allow_older: bool,
        /// Deny what the feed names even where the policy's own rules allow it.
        #[arg(long)]
        accept_overlap: bool,
    },
    /// Compile a TOML policy into the JSON document that gets signed.
    Compile {
        /// The TOML policy.
        file: PathBuf,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// The policy: authored TOML or a compiled JSON document (unsigned, for trying a policy out).
    #[arg(long, required_unless_present = "config", conflicts_with = "config")]
    policy: Option<PathBuf>,
    /// The device configuration: scan against the policy the last `sync` accepted.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The device's inventory (JSON).
    #[arg(long)]
    inventory: PathBuf,
    /// The compliance store (created if missing; default: $APPWACHT_DB).
    #[arg(long, env = "APPWACHT_DB")]
    db: PathBuf,
    /// A device group, in addition to those in the inventory (repeatable).
    #[arg(long = "group")]
    groups: Vec<String>,
    /// The EMM's package name (never blocked).
    #[arg(long)]
    emm: Option<String>,
    /// Scan only this package (the path taken right after an install).
    #[arg(long)]
    package: Option<String>,
    /// Write the simulated device's state after enforcement to this inventory file.
    #[arg(long)]
    save_device: Option<PathBuf>,
    /// Evaluate as if it were this time (RFC 3339), to see grace periods and expiries play out.
    #[arg(long)]
    now: Option<String>,
    /// Set from the global --json.
    #[arg(skip)]
    json: bool,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["adb", "from"])))]
struct AuditArgs {
    /// Ask the phone connected over adb (runs `pm list packages` and `dumpsys package`).
    #[arg(long)]
    adb: bool,
    /// The phone's serial, when several are connected (passed to `adb -s`).
    #[arg(long, requires = "adb")]
    serial: Option<String>,
    /// Save the phone's raw output in this directory, so it can be mailed and audited later.
    #[arg(long, requires = "adb")]
    save: Option<PathBuf>,
    /// Saved output: a `dumpsys package` or `pm list packages` file (UTF-8 or UTF-16), a full
    /// dumpsys or bugreport, androidqf's packages.json, a folder (an androidqf output folder) or a
    /// .zip of them (androidqf, bugreport), or an audit saved with --json (shown again as judged).
    #[arg(long)]
    from: Option<PathBuf>,
    /// The policy: authored TOML or a compiled JSON document.
    #[arg(long, conflicts_with = "config")]
    policy: Option<PathBuf>,
    /// A device configuration: fetch and verify the organisation's signed policy as the agent does.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A device group the phone belongs to (repeatable).
    #[arg(long = "group")]
    groups: Vec<String>,
    /// The EMM's package name (never blocked).
    #[arg(long)]
    emm: Option<String>,
    /// Set from the global --json (save it, and show it again later with --from FILE --report).
    #[arg(skip)]
    json: bool,
    /// Print the audit as a report to file: text, or a standalone HTML page that prints on A4.
    #[arg(long, value_enum, ignore_case = true, conflicts_with = "json")]
    report: Option<AuditReport>,
    /// List the lines of the input that were not used (to standard error).
    #[arg(long)]
    list_skipped: bool,
    /// Pull APKs from the phone and verify their signers by full digest: `suspects` (user apps
    /// whose signer the dump could only match by hash or not at all, and any app matched by
    /// hash), `user` (every user app) or `all`. With --save the APKs are kept in SAVE/apks/.
    #[arg(long, value_enum, ignore_case = true, requires = "adb")]
    pull: Option<Pull>,
}

/// Which APKs `audit --pull` fetches.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Pull {
    Suspects,
    User,
    All,
}

/// The report an audit is printed as.
#[derive(clap::Args, Debug)]
struct FleetArgs {
    /// Record files or directories (repeatable): JSON lines as rsyslog or an OpenTelemetry
    /// Collector wrote them, `.gz` or not.
    #[arg(long = "from", required = true)]
    from: Vec<PathBuf>,
    /// A phone is silent when its newest record is older than this many heartbeats (a day each).
    #[arg(long, default_value_t = 2)]
    silent_after: u32,
    /// The newest policy version, when phones should be on it (default: the newest any phone
    /// reports).
    #[arg(long)]
    policy_version: Option<u64>,
    /// Judge silence as of this time (RFC 3339; default: now).
    #[arg(long)]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum AuditReport {
    Text,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Html,
}

impl RootKeysArgs {
    fn spec<'a>(&'a self, organisation: Option<&'a str>) -> admin::RootSpec<'a> {
        admin::RootSpec {
            organisation,
            root_keys: &self.root_keys,
            root_threshold: self.root_threshold,
            policy_keys: &self.policy_keys,
            policy_threshold: self.policy_threshold,
            expires: &self.expires,
            policy_floor: self.policy_floor,
        }
    }
}

/// A failure to report to the user: one sentence, and the exit status.
#[derive(Debug)]
pub struct Failure {
    /// The message.
    pub message: String,
    /// The exit status.
    pub code: i32,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: EXIT_FAILURE,
        }
    }
}

impl From<agent_core::Error> for Failure {
    fn from(e: agent_core::Error) -> Self {
        let code = match e {
            agent_core::Error::PolicySource(_)
            | agent_core::Error::PolicyDocument { .. }
            | agent_core::Error::NotNewer { .. } => EXIT_INVALID,
            _ => EXIT_FAILURE,
        };
        Failure {
            message: e.to_string(),
            code,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::new(format!("could not write the output: {e}"))
    }
}

/// Runs the tool with these arguments, writing to `out` and `err`; returns the exit status.
/// Runs an admin command: its text, or with `--json` the facts it recorded (the text is dropped).
fn answered(
    json: bool,
    out: &mut dyn Write,
    run: impl FnOnce(&mut dyn Write, &mut admin::Facts) -> Result<i32, Failure>,
) -> Result<i32, Failure> {
    let mut facts = admin::Facts::new();
    if !json {
        return run(out, &mut facts);
    }
    let mut text = Vec::new();
    let code = run(&mut text, &mut facts)?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&serde_json::Value::Object(facts)).unwrap_or_default()
    )?;
    Ok(code)
}

pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_FAILURE } else { 0 };
            let text = e.render().to_string();
            let _ = if code == 0 {
                write!(out, "{text}")
            } else {
                write!(err, "{text}")
            };
            return code;
        }
    };
    let json = cli.json;
    let result = match cli.command {
        Command::Policy {
            command: PolicyCommand::Check { file, strict, emm },
        } => commands::policy_check(&file, json, strict, &emm, out),
        Command::Policy {
            command: PolicyCommand::Compile { file, out: dest },
        } => commands::policy_compile(&file, dest.as_deref(), out),
        Command::Policy {
            command:
                PolicyCommand::ImportIndicators {
                    file,
                    publisher,
                    into,
                    action,
                    kinds,
                    attribution,
                    message,
                    allow_older,
                    accept_overlap,
                },
        } => indicators::run(
            &indicators::ImportArgs {
                file: &file,
                publisher: &publisher,
                into: into.as_deref(),
                action: action.as_deref(),
                kinds: &kinds,
                attribution: attribution.as_deref(),
                message: message.as_deref(),
                allow_older,
                accept_overlap,
            },
            json,
            out,
            err,
        ),
        Command::Scan(mut args) => {
            args.json = json;
            commands::scan(args, out)
        }
        Command::Sync { config, db } => device::run_sync(&config, &db, json, out, err),
        Command::Status { db } => device::status(&db, json, out),
        Command::Deliver { config, db } => device::run_deliver(&config, &db, json, out, err),
        Command::Fleet(args) => fleet::run(&args, json, out, err),
        Command::Apk {
            command:
                ApkCommand::Inspect {
                    files,
                    as_publisher,
                    country,
                },
        } => apk::run(
            &files,
            as_publisher.as_deref().zip(country.as_deref()),
            json,
            out,
        ),
        Command::Keys {
            command:
                KeysCommand::Generate {
                    kind,
                    out: dir,
                    name,
                },
        } => answered(json, out, |out, f| {
            admin::keys_generate(&kind, &dir, &name, out, f)
        }),
        Command::Root { command } => match command {
            RootCommand::Init {
                organisation,
                keys,
                out: dest,
                force,
            } => answered(json, out, |out, f| {
                admin::root_init(keys.spec(Some(&organisation)), &dest, force, out, f)
            }),
            RootCommand::Rotate {
                from,
                keys,
                out: dest,
            } => answered(json, out, |out, f| {
                admin::root_rotate(&from, keys.spec(None), &dest, out, f)
            }),
            RootCommand::Sign { file, keys } => {
                answered(json, out, |out, f| admin::root_sign(&file, &keys, out, f))
            }
            RootCommand::Combine { files, out: dest } => answered(json, out, |out, f| {
                admin::root_combine(&files, &dest, out, f)
            }),
            RootCommand::Verify { file, previous } => answered(json, out, |out, f| {
                admin::root_verify(&file, previous.as_deref(), out, f)
            }),
        },
        Command::Publish {
            out: dir,
            roots,
            policy,
        } => answered(json, out, |out, f| {
            admin::publish(&dir, &roots, &policy, out, err, f)
        }),
        Command::Policy {
            command:
                PolicyCommand::Sign {
                    file,
                    keys,
                    expires,
                    version,
                    groups,
                    root,
                    out: dest,
                    published,
                    allow_warnings,
                    emm,
                },
        } => answered(json, out, |out, f| {
            admin::policy_sign(
                admin::SignArgs {
                    file: &file,
                    keys: &keys,
                    expires: &expires,
                    version,
                    groups: &groups,
                    dest: &dest,
                    root: root.as_deref(),
                    published: published.as_deref(),
                    allow_warnings,
                    emm: &emm,
                },
                out,
                f,
            )
        }),
        Command::Policy {
            command: PolicyCommand::Verify { envelope, root },
        } => answered(json, out, |out, f| {
            admin::policy_verify(&envelope, &root, out, f)
        }),
        Command::Report {
            db,
            format,
            out: dest,
        } => commands::report(&db, format, dest.as_deref(), out),
        Command::Explain { db, package } => commands::explain(&db, &package, json, out),
        Command::Audit(mut args) => {
            args.json = json;
            audit::run(args, out, err)
        }
        Command::Demo { keep } => demo::run(keep.as_deref(), out),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => device::config_check(&file, json, out),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut command, "appwacht", &mut buffer);
            out.write_all(&buffer).map(|_| 0).map_err(Failure::from)
        }
        Command::Man { out: Some(dir) } => std::fs::create_dir_all(&dir)
            .and_then(|_| clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), &dir))
            .map_err(|e| {
                Failure::new(format!(
                    "cannot write the manual pages into {}: {e}",
                    dir.display()
                ))
            })
            .and_then(|_| {
                writeln!(out, "manual pages written to {}", dir.display())?;
                Ok(0)
            }),
        Command::Man { out: None } => {
            let mut buffer = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut buffer)
                .and_then(|_| out.write_all(&buffer))
                .map(|_| 0)
                .map_err(Failure::from)
        }
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            let _ = writeln!(err, "appwacht: {}", f.message);
            f.code
        }
    }
}
