//! # appwacht: the command-line tool for administrators and helpdesk staff
//!
//! What it is for: checking an authored policy (`policy check`), running the agent's job on the host
//! against a JSON inventory and a simulated device (`scan`), reading the compliance record
//! (`report`, `explain`), and showing the whole job on a built-in example (`demo`).
//!
//! What it must never do: print a backtrace, write half a file, or judge an app differently from
//! the agent (it calls the same `agent-core`; there is no second evaluator).
//!
//! It is a library with a thin `main` so the end-to-end tests drive it in-process.

mod commands;
mod demo;
mod render;

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
    /// The helpdesk's compliance report from a store.
    Report {
        /// The compliance store.
        #[arg(long)]
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
        /// The compliance store.
        #[arg(long)]
        db: PathBuf,
        /// The package name.
        package: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The whole job on a built-in example: a monitor-mode scan, an enforce-mode scan, the report.
    Demo {
        /// Keep the demo's store and files in this directory (to try `report` and `explain` on).
        #[arg(long)]
        keep: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Validate a policy; exit 0 when valid, 1 with every problem (file:line:column) otherwise.
    Check {
        /// The TOML policy.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
    /// The policy: authored TOML or a compiled JSON document.
    #[arg(long)]
    policy: PathBuf,
    /// The device's inventory (JSON).
    #[arg(long)]
    inventory: PathBuf,
    /// The compliance store (created if missing).
    #[arg(long)]
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
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Html,
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
            agent_core::Error::PolicySource(_) | agent_core::Error::PolicyDocument { .. } => {
                EXIT_INVALID
            }
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
    let result = match cli.command {
        Command::Policy {
            command: PolicyCommand::Check { file, json },
        } => commands::policy_check(&file, json, out),
        Command::Policy {
            command: PolicyCommand::Compile { file, out: dest },
        } => commands::policy_compile(&file, dest.as_deref(), out),
        Command::Scan(args) => commands::scan(args, out),
        Command::Report {
            db,
            format,
            out: dest,
        } => commands::report(&db, format, dest.as_deref(), out),
        Command::Explain { db, package, json } => commands::explain(&db, &package, json, out),
        Command::Demo { keep } => demo::run(keep.as_deref(), out),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            let _ = writeln!(err, "appwacht: {}", f.message);
            f.code
        }
    }
}
