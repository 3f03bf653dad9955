//! The fleet report: every phone's compliance from the records its log server or collector wrote.
//!
//! Records arrive in any order and some more than once (delivery is at least once; several
//! files, rotated logs, two collectors). Each phone's state is therefore folded by sequence
//! number, not by arrival: for every fact (the policy it runs, each app's finding, its clock,
//! its mode) the record with the highest sequence number wins, which gives the same answer
//! whatever the order and however often a record repeats. Lines that are not records are counted
//! and the first few shown, never fatal: a log file holds other programs' lines too.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::SCHEMA;
use crate::report::esc;
use crate::time::Timestamp;

/// A fact and the sequence number of the record that said it.
#[derive(Clone, Debug)]
struct Latest<T> {
    seq: u64,
    value: Option<T>,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest {
            seq: 0,
            value: None,
        }
    }
}

impl<T> Latest<T> {
    /// Takes `value` if `seq` is newer than what is held.
    fn offer(&mut self, seq: u64, value: Option<T>) {
        if seq >= self.seq {
            self.seq = seq;
            self.value = value;
        }
    }

    fn merge(&mut self, other: Latest<T>) {
        if other.seq >= self.seq {
            *self = other;
        }
    }
}

/// An app in violation on one phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FleetViolation {
    /// The package.
    pub package: String,
    /// What the phone shows it as.
    pub label: Option<String>,
    /// The rule.
    pub rule: Option<String>,
    /// The action due.
    pub action: Option<String>,
    /// Whether the agent could take it.
    pub taken: bool,
    /// Since when.
    pub since: Timestamp,
}

#[derive(Clone, Debug, Default)]
struct Phone {
    organisation: Option<String>,
    last_time: Option<Timestamp>,
    last_seq: u64,
    agent: Latest<String>,
    policy: Latest<u64>,
    refused: Latest<(Timestamp, String)>,
    clock: Latest<String>,
    mode: Latest<(String, Option<String>)>,
    /// The heartbeat's count of violations, to notice findings whose records are missing.
    counted: Latest<u64>,
    findings: HashMap<String, Latest<FleetViolation>>,
    /// Whether each package's block is in place, by the newest enforcement record: a violation
    /// opened in monitor mode is blocked later, when enforcement starts.
    blocked: HashMap<String, Latest<bool>>,
    /// Sequence numbers that arrived under two different record ids: more than one phone sends
    /// this device id (a configuration copied from one phone to the next).
    clashes: u64,
}

impl Phone {
    fn merge(&mut self, other: Phone) {
        if self.organisation.is_none() {
            self.organisation = other.organisation;
        }
        self.last_time = self.last_time.max(other.last_time);
        self.last_seq = self.last_seq.max(other.last_seq);
        self.clashes += other.clashes;
        self.agent.merge(other.agent);
        self.policy.merge(other.policy);
        self.refused.merge(other.refused);
        self.clock.merge(other.clock);
        self.mode.merge(other.mode);
        self.counted.merge(other.counted);
        for (package, f) in other.findings {
            self.findings.entry(package).or_default().merge(f);
        }
        for (package, b) in other.blocked {
            self.blocked.entry(package).or_default().merge(b);
        }
    }
}

/// The part of a record the fleet report reads (the rest is skipped unparsed).
#[derive(Deserialize)]
struct Line<'a> {
    schema: &'a str,
    id: &'a str,
    seq: u64,
    time: &'a str,
    kind: &'a str,
    #[serde(borrow)]
    device: std::borrow::Cow<'a, str>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default, borrow)]
    agent: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    policy: Option<PolicyLine>,
    #[serde(default)]
    data: Data,
}

#[derive(Deserialize)]
struct PolicyLine {
    version: u64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Data {
    package: Option<String>,
    label: Option<String>,
    rule: Option<String>,
    outcome: Option<String>,
    action: Option<String>,
    taken: Option<bool>,
    reason: Option<String>,
    problem: Option<String>,
    clock_problem: Option<String>,
    mode: Option<String>,
    management: Option<String>,
    violations: Option<u64>,
    step: Option<String>,
    result: Option<String>,
}

/// Text with every control character (a line break, a tab, the unit separator) as a space.
fn one_line(text: String) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        text
    }
}

impl Data {
    fn clean(&mut self) {
        for field in [
            &mut self.package,
            &mut self.label,
            &mut self.rule,
            &mut self.outcome,
            &mut self.action,
            &mut self.reason,
            &mut self.problem,
            &mut self.clock_problem,
            &mut self.mode,
            &mut self.management,
            &mut self.step,
            &mut self.result,
        ] {
            *field = field.take().map(one_line);
        }
    }
}

/// A line that was not a record, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedLine {
    /// Which file and line.
    pub place: String,
    /// Why.
    pub reason: String,
}

/// What the records say, folded; [`Fleet::view`] answers the administrator's questions.
#[derive(Debug, Default)]
pub struct Fleet {
    phones: HashMap<String, Phone>,
    /// Each phone's sequence numbers read, with a hash of the record's id: the same id again is
    /// a repeat; another id under the same number is a second phone using the same device id.
    seen: HashMap<(String, u64), u64>,
    /// Lines read.
    pub lines: u64,
    /// Records read (a repeated one counts once).
    pub records: u64,
    /// Records read more than once.
    pub duplicates: u64,
    /// Lines that were not records: how many.
    pub skipped: u64,
    /// The first of them.
    pub skipped_first: Vec<SkippedLine>,
}

/// How many skipped lines are shown.
const SKIPPED_SHOWN: usize = 20;

impl Fleet {
    /// Reads one line of a record file: a record (as rsyslog writes `%msg%`, with or without the
    /// byte-order mark, or a whole RFC 5424 line), or an OTLP JSON export (an OpenTelemetry
    /// Collector's file exporter) holding records as log bodies. `place` names it in messages.
    pub fn read_line(&mut self, line: &str, place: impl FnOnce() -> String) {
        self.lines += 1;
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            return;
        }
        if line.starts_with("{\"resourceLogs\"") {
            return self.read_otlp(line, place);
        }
        // A whole syslog line: the record is its message, after the byte-order mark.
        let json = match line.find("\u{feff}{").map(|i| i + 3).or_else(|| {
            (!line.starts_with('{'))
                .then(|| line.find(" {").map(|i| i + 1))
                .flatten()
        }) {
            Some(i) => line.get(i..).unwrap_or(line),
            None => line,
        };
        if let Err(reason) = self.read_record(json) {
            self.skip(place(), reason);
        }
    }

    fn read_otlp(&mut self, line: &str, place: impl FnOnce() -> String) {
        let bodies: Result<Vec<String>, String> = serde_json::from_str::<serde_json::Value>(line)
            .map_err(|e| format!("not JSON: {e}"))
            .map(|v| {
                let list = |v: &serde_json::Value, key: &str| -> Vec<serde_json::Value> {
                    v.get(key)
                        .and_then(serde_json::Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                };
                list(&v, "resourceLogs")
                    .iter()
                    .flat_map(|r| list(r, "scopeLogs"))
                    .flat_map(|s| list(&s, "logRecords"))
                    .filter_map(|l| {
                        l.pointer("/body/stringValue")
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_string)
                    })
                    .collect()
            });
        match bodies {
            Ok(bodies) => {
                let mut problems = Vec::new();
                for b in bodies {
                    if let Err(e) = self.read_record(&b) {
                        problems.push(e);
                    }
                }
                if let Some(first) = problems.first() {
                    self.skip(
                        place(),
                        format!("{} log record(s) are not records: {first}", problems.len()),
                    );
                }
            }
            Err(e) => self.skip(place(), e),
        }
    }

    fn skip(&mut self, place: String, reason: String) {
        self.skipped += 1;
        if self.skipped_first.len() < SKIPPED_SHOWN {
            self.skipped_first.push(SkippedLine {
                place,
                reason: reason.chars().take(200).collect(),
            });
        }
    }

    fn read_record(&mut self, json: &str) -> Result<(), String> {
        let r: Line<'_> = serde_json::from_str(json).map_err(|e| {
            if json.starts_with('{') {
                format!("not a compliance record ({e})")
            } else {
                "not a compliance record (no JSON object)".to_string()
            }
        })?;
        if r.schema != SCHEMA {
            return Err(format!(
                "schema `{}`, not `{SCHEMA}`",
                r.schema.chars().take(60).collect::<String>()
            ));
        }
        let time = Timestamp::parse(r.time).map_err(|e| format!("time: {e}"))?;
        // Every text a record carries is shown to people, one fact a line: a control character
        // (a label's line break, the key's separator) becomes a space before anything reads it.
        let mut r = r;
        r.data.clean();
        r.organisation = r.organisation.map(one_line);
        let device = one_line(r.device.to_string());
        let key = match &r.organisation {
            Some(o) => format!("{o}\u{1f}{device}"),
            None => format!("\u{1f}{device}"),
        };
        let id = id_hash(r.id);
        let clash = match self.seen.insert((key.clone(), r.seq), id) {
            Some(before) if before == id => {
                self.duplicates += 1;
                return Ok(());
            }
            Some(_) => true,
            None => false,
        };
        self.records += 1;
        let phone = self.phones.entry(key).or_default();
        if clash {
            phone.clashes += 1;
        }
        fold(phone, r, time);
        Ok(())
    }

    /// Adds what another reader read (the files are read in parallel).
    pub fn merge(&mut self, other: Fleet) {
        self.lines += other.lines;
        self.skipped += other.skipped;
        for s in other.skipped_first {
            if self.skipped_first.len() < SKIPPED_SHOWN {
                self.skipped_first.push(s);
            }
        }
        for (place, id) in other.seen {
            match self.seen.insert(place.clone(), id) {
                None => self.records += 1,
                Some(before) if before == id => self.duplicates += 1,
                Some(_) => {
                    self.records += 1;
                    if let Some(p) = self.phones.get_mut(&place.0) {
                        p.clashes += 1;
                    }
                }
            }
        }
        self.duplicates += other.duplicates;
        for (key, phone) in other.phones {
            match self.phones.get_mut(&key) {
                Some(p) => p.merge(phone),
                None => {
                    self.phones.insert(key, phone);
                }
            }
        }
    }

    /// The administrator's view of the fleet as of `now`.
    pub fn view(&self, options: &FleetOptions) -> FleetView {
        let newest_policy = options
            .policy_version
            .or_else(|| self.phones.values().filter_map(|p| p.policy.value).max());
        let silent_secs = i64::from(options.silent_after.max(1)) * super::HEARTBEAT_SECS;
        // Records per phone, once each: from what was seen, so a record repeated across files
        // read by different threads is not counted twice.
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for (key, _) in self.seen.keys() {
            *counts.entry(key.as_str()).or_default() += 1;
        }
        let mut phones: Vec<PhoneLine> = self
            .phones
            .iter()
            .map(|(key, p)| {
                let device = key.split_once('\u{1f}').map_or(key.as_str(), |(_, d)| d);
                let mut violations: Vec<FleetViolation> = p
                    .findings
                    .iter()
                    .filter_map(|(package, f)| {
                        let mut v = f.value.clone()?;
                        if let Some(b) = p.blocked.get(package).filter(|b| b.seq > f.seq) {
                            v.taken = b.value.unwrap_or(v.taken);
                        }
                        Some(v)
                    })
                    .collect();
                violations.sort_by(|a, b| a.package.cmp(&b.package));
                let silent_for = p
                    .last_time
                    .map(|t| options.now.since(t))
                    .filter(|s| *s > silent_secs);
                PhoneLine {
                    device: device.to_string(),
                    organisation: p.organisation.clone(),
                    last_record: p.last_time,
                    silent_days: silent_for.map(|s| s / 86_400),
                    records: counts.get(key.as_str()).copied().unwrap_or(0),
                    agent: p.agent.value.clone(),
                    policy_version: p.policy.value,
                    old_policy: matches!((p.policy.value, newest_policy), (Some(v), Some(n)) if v < n)
                        || p.policy.value.is_none(),
                    refused: p.refused.value.clone().map(|(at, reason)| Refusal { at, reason }),
                    clock_problem: p.clock.value.clone(),
                    mode: p.mode.value.as_ref().map(|m| m.0.clone()),
                    management: p.mode.value.as_ref().and_then(|m| m.1.clone()),
                    unaccounted: p
                        .counted
                        .value
                        .filter(|c| *c as usize > violations.len())
                        .map(|c| c - violations.len() as u64),
                    violations,
                    shared_id: p.clashes,
                }
            })
            .collect();
        phones.sort_by(|a, b| (&a.organisation, &a.device).cmp(&(&b.organisation, &b.device)));
        let mut apps: BTreeMap<String, AppLine> = BTreeMap::new();
        for p in &phones {
            for v in &p.violations {
                let line = apps.entry(v.package.clone()).or_insert_with(|| AppLine {
                    package: v.package.clone(),
                    label: v.label.clone(),
                    phones: 0,
                    blocked: 0,
                    rules: Vec::new(),
                });
                line.phones += 1;
                if v.taken {
                    line.blocked += 1;
                }
                if let Some(r) = &v.rule
                    && !line.rules.contains(r)
                {
                    line.rules.push(r.clone());
                }
            }
        }
        let mut apps: Vec<AppLine> = apps.into_values().collect();
        apps.sort_by(|a, b| b.phones.cmp(&a.phones).then(a.package.cmp(&b.package)));
        FleetView {
            judged_at: options.now,
            newest_policy,
            silent_after_days: i64::from(options.silent_after.max(1)),
            phones_total: phones.len(),
            lines: self.lines,
            records: self.records,
            duplicates: self.duplicates,
            skipped: self.skipped,
            skipped_first: self.skipped_first.clone(),
            apps,
            phones,
        }
    }
}

fn fold(phone: &mut Phone, r: Line<'_>, time: Timestamp) {
    let seq = r.seq;
    phone.last_seq = phone.last_seq.max(seq);
    phone.last_time = phone.last_time.max(Some(time));
    if phone.organisation.is_none() {
        phone.organisation = r.organisation;
    }
    if let Some(a) = r.agent {
        phone.agent.offer(seq, Some(a.into_owned()));
    }
    if let Some(p) = &r.policy {
        phone.policy.offer(seq, Some(p.version));
    }
    let d = r.data;
    match r.kind {
        "finding.opened" => {
            if let Some(package) = d.package {
                let violation = (d.outcome.as_deref() == Some("denied")).then(|| FleetViolation {
                    package: package.clone(),
                    label: d.label,
                    rule: d.rule,
                    action: d.action,
                    taken: d.taken.unwrap_or(false),
                    since: time,
                });
                phone
                    .findings
                    .entry(package)
                    .or_default()
                    .offer(seq, violation);
            }
        }
        "enforcement" if d.result.as_deref() == Some("ok") => {
            let placed = match d.step.as_deref() {
                Some("suspend" | "hide" | "uninstall") => Some(true),
                Some("unsuspend" | "unhide") => Some(false),
                _ => None,
            };
            if let (Some(package), Some(placed)) = (d.package, placed) {
                phone
                    .blocked
                    .entry(package)
                    .or_default()
                    .offer(seq, Some(placed));
            }
        }
        "finding.resolved" => {
            if let Some(package) = d.package {
                phone.findings.entry(package).or_default().offer(seq, None);
            }
        }
        "policy.refused" => phone
            .refused
            .offer(seq, Some((time, d.reason.unwrap_or_default()))),
        "policy.activated" => phone.refused.offer(seq, None),
        "clock.problem" => phone.clock.offer(seq, d.problem),
        "agent.mode" => phone.mode.offer(seq, d.mode.map(|m| (m, d.management))),
        "heartbeat" => {
            phone.clock.offer(seq, d.clock_problem);
            if let Some(m) = d.mode {
                phone.mode.offer(seq, Some((m, d.management)));
            }
            phone.counted.offer(seq, d.violations);
        }
        _ => {}
    }
}

/// FNV-1a of a record id: enough to tell a repeat from another record under the same number.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What the view is judged against.
#[derive(Clone, Debug)]
pub struct FleetOptions {
    /// The time silence is judged at.
    pub now: Timestamp,
    /// Heartbeats (days) without a record before a phone counts as silent.
    pub silent_after: u32,
    /// The policy version phones should run (default: the newest any phone reports).
    pub policy_version: Option<u64>,
}

/// A policy a phone refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// When.
    pub at: Timestamp,
    /// Why.
    pub reason: String,
}

/// One phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneLine {
    /// Its device id.
    pub device: String,
    /// Its organisation.
    pub organisation: Option<String>,
    /// Its newest record.
    pub last_record: Option<Timestamp>,
    /// Days since then, when it counts as silent.
    pub silent_days: Option<i64>,
    /// Records read from it.
    pub records: u64,
    /// The agent version it last reported.
    pub agent: Option<String>,
    /// The policy version it last reported.
    pub policy_version: Option<u64>,
    /// Whether that is older than the newest (or it reports none).
    pub old_policy: bool,
    /// A refused policy, unless one was activated since.
    pub refused: Option<Refusal>,
    /// Its clock problem, if its last word was one.
    pub clock_problem: Option<String>,
    /// Monitor or enforce.
    pub mode: Option<String>,
    /// Device owner, profile owner, delegate or unmanaged.
    pub management: Option<String>,
    /// Violations its heartbeat counts beyond those these records name.
    pub unaccounted: Option<u64>,
    /// Its open violations.
    pub violations: Vec<FleetViolation>,
    /// Sequence numbers it sent twice under different record ids: more than one phone uses this
    /// device id, and what the report says of it mixes them.
    pub shared_id: u64,
}

/// One forbidden app across the fleet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppLine {
    /// The package.
    pub package: String,
    /// Its label.
    pub label: Option<String>,
    /// Phones with it in violation.
    pub phones: usize,
    /// Of those, where the action was taken.
    pub blocked: usize,
    /// The rules that forbid it.
    pub rules: Vec<String>,
}

/// The fleet report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FleetView {
    /// As of when.
    pub judged_at: Timestamp,
    /// The policy version phones should run.
    pub newest_policy: Option<u64>,
    /// Days without a record before a phone is silent.
    pub silent_after_days: i64,
    /// Phones seen.
    pub phones_total: usize,
    /// Lines read.
    pub lines: u64,
    /// Distinct records.
    pub records: u64,
    /// Records seen again.
    pub duplicates: u64,
    /// Lines that were not records.
    pub skipped: u64,
    /// The first of them.
    pub skipped_first: Vec<SkippedLine>,
    /// Each forbidden app, most phones first.
    pub apps: Vec<AppLine>,
    /// Every phone.
    pub phones: Vec<PhoneLine>,
}

impl FleetView {
    fn with_violations(&self) -> impl Iterator<Item = &PhoneLine> {
        self.phones
            .iter()
            .filter(|p| !p.violations.is_empty() || p.unaccounted.is_some())
    }

    /// The report as text.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Fleet report as of {}: {} phone(s), {} record(s) from {} line(s) ({} repeated, {} not records)",
            self.judged_at,
            self.phones_total,
            self.records,
            self.lines,
            self.duplicates,
            self.skipped
        );
        let with: Vec<&PhoneLine> = self.with_violations().collect();
        let _ = writeln!(o, "\nPhones with violations: {}", with.len());
        for p in &with {
            let apps: Vec<String> = p
                .violations
                .iter()
                .map(|v| {
                    format!(
                        "{}{} ({}{})",
                        v.package,
                        v.label
                            .as_ref()
                            .map(|l| format!(" \"{l}\""))
                            .unwrap_or_default(),
                        v.rule.as_deref().unwrap_or("default"),
                        if v.taken { ", blocked" } else { "" }
                    )
                })
                .collect();
            let mut what = apps.join(", ");
            if let Some(n) = p.unaccounted {
                if !what.is_empty() {
                    what.push_str("; ");
                }
                what.push_str(&format!("{n} more named in no record read here"));
            }
            let _ = writeln!(o, "  {}: {what}", p.device);
        }
        let _ = writeln!(o, "\nForbidden apps:");
        if self.apps.is_empty() {
            let _ = writeln!(o, "  none");
        }
        for a in &self.apps {
            let _ = writeln!(
                o,
                "  {}{}: {} phone(s), blocked on {}; rule {}",
                a.package,
                a.label
                    .as_ref()
                    .map(|l| format!(" \"{l}\""))
                    .unwrap_or_default(),
                a.phones,
                a.blocked,
                a.rules.join(", ")
            );
        }
        let old: Vec<&PhoneLine> = self.phones.iter().filter(|p| p.old_policy).collect();
        let _ = writeln!(
            o,
            "\nOn an older policy than version {}: {}",
            self.newest_policy
                .map_or("?".to_string(), |v| v.to_string()),
            old.len()
        );
        for p in old {
            let _ = writeln!(
                o,
                "  {}: {}",
                p.device,
                p.policy_version
                    .map_or("no policy".to_string(), |v| format!("version {v}"))
            );
        }
        let refused: Vec<&PhoneLine> = self.phones.iter().filter(|p| p.refused.is_some()).collect();
        let _ = writeln!(o, "\nRefused a policy: {}", refused.len());
        for p in refused {
            if let Some(r) = &p.refused {
                let _ = writeln!(o, "  {}: at {}: {}", p.device, r.at, r.reason);
            }
        }
        let silent: Vec<&PhoneLine> = self
            .phones
            .iter()
            .filter(|p| p.silent_days.is_some())
            .collect();
        let _ = writeln!(
            o,
            "\nSilent for more than {} heartbeat(s): {}",
            self.silent_after_days,
            silent.len()
        );
        for p in silent {
            let _ = writeln!(
                o,
                "  {}: last record {} ({} days ago)",
                p.device,
                p.last_record.map_or("never".to_string(), |t| t.to_string()),
                p.silent_days.unwrap_or(0)
            );
        }
        let clock: Vec<&PhoneLine> = self
            .phones
            .iter()
            .filter(|p| p.clock_problem.is_some())
            .collect();
        let _ = writeln!(o, "\nWith a clock problem: {}", clock.len());
        for p in clock {
            let _ = writeln!(
                o,
                "  {}: {}",
                p.device,
                p.clock_problem.as_deref().unwrap_or("")
            );
        }
        let shared: Vec<&PhoneLine> = self.phones.iter().filter(|p| p.shared_id > 0).collect();
        if !shared.is_empty() {
            let _ = writeln!(
                o,
                "\nDevice ids sent by more than one phone (give each phone its own device_id): {}",
                shared.len()
            );
            for p in shared {
                let _ = writeln!(
                    o,
                    "  {}: {} sequence number(s) under two record ids; what is said of it mixes the phones",
                    p.device, p.shared_id
                );
            }
        }
        if !self.skipped_first.is_empty() {
            let _ = writeln!(
                o,
                "\nLines that are not records ({}), the first:",
                self.skipped
            );
            for s in &self.skipped_first {
                let _ = writeln!(o, "  {}: {}", s.place, s.reason);
            }
        }
        o
    }

    /// The report as a standalone HTML page (no script, no outside resource; prints on A4).
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Appwacht fleet report</title>\
             <style>body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222;font-size:11pt}}\
             table{{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1.5em}}\
             td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}}\
             th{{background:#f3f3f3}}.violation{{color:#a4161a}}.muted{{color:#666}}\
             @media print{{body{{margin:0;font-size:9pt}}@page{{size:A4 portrait;margin:12mm}}}}</style></head><body>"
        );
        let _ = writeln!(o, "<h1>Appwacht fleet report</h1>");
        let _ = writeln!(
            o,
            "<p>As of {}: <b>{}</b> phone(s), {} record(s) from {} line(s) ({} repeated, {} not records).</p>",
            esc(&self.judged_at.to_string()),
            self.phones_total,
            self.records,
            self.lines,
            self.duplicates,
            self.skipped
        );
        let with: Vec<&PhoneLine> = self.with_violations().collect();
        let _ = writeln!(
            o,
            "<h2 id=\"violations\">Phones with violations ({})</h2>",
            with.len()
        );
        if !with.is_empty() {
            let _ = writeln!(
                o,
                "<table><tr><th>Phone</th><th>App</th><th>Rule</th><th>Action</th><th>Since</th></tr>"
            );
            for p in &with {
                for v in &p.violations {
                    let _ = writeln!(
                        o,
                        "<tr class=\"violation\"><td>{}</td><td>{}{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                        esc(&p.device),
                        esc(&v.package),
                        v.label
                            .as_ref()
                            .map(|l| format!(" <span class=\"muted\">({})</span>", esc(l)))
                            .unwrap_or_default(),
                        esc(v.rule.as_deref().unwrap_or("default")),
                        esc(v.action.as_deref().unwrap_or("report")),
                        if v.taken { " (taken)" } else { "" },
                        esc(&v.since.to_string())
                    );
                }
                if let Some(n) = p.unaccounted {
                    let _ = writeln!(
                        o,
                        "<tr class=\"violation\"><td>{}</td><td colspan=\"4\">{n} more, named in no record read here</td></tr>",
                        esc(&p.device)
                    );
                }
            }
            let _ = writeln!(o, "</table>");
        }
        let _ = writeln!(
            o,
            "<h2 id=\"apps\">Forbidden apps ({})</h2>",
            self.apps.len()
        );
        if !self.apps.is_empty() {
            let _ = writeln!(
                o,
                "<table><tr><th>App</th><th>Phones</th><th>Blocked on</th><th>Rules</th></tr>"
            );
            for a in &self.apps {
                let _ = writeln!(
                    o,
                    "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&a.package),
                    a.label
                        .as_ref()
                        .map(|l| format!(" <span class=\"muted\">({})</span>", esc(l)))
                        .unwrap_or_default(),
                    a.phones,
                    a.blocked,
                    esc(&a.rules.join(", "))
                );
            }
            let _ = writeln!(o, "</table>");
        }
        let section = |o: &mut String, id: &str, title: String, rows: Vec<(String, String)>| {
            let _ = writeln!(o, "<h2 id=\"{id}\">{} ({})</h2>", esc(&title), rows.len());
            if !rows.is_empty() {
                let _ = writeln!(o, "<table><tr><th>Phone</th><th>What</th></tr>");
                for (d, w) in rows {
                    let _ = writeln!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(&d), esc(&w));
                }
                let _ = writeln!(o, "</table>");
            }
        };
        section(
            &mut o,
            "old-policy",
            format!(
                "On an older policy than version {}",
                self.newest_policy
                    .map_or("?".to_string(), |v| v.to_string())
            ),
            self.phones
                .iter()
                .filter(|p| p.old_policy)
                .map(|p| {
                    (
                        p.device.clone(),
                        p.policy_version
                            .map_or("no policy".to_string(), |v| format!("version {v}")),
                    )
                })
                .collect(),
        );
        section(
            &mut o,
            "refused",
            "Refused a policy".into(),
            self.phones
                .iter()
                .filter_map(|p| {
                    p.refused
                        .as_ref()
                        .map(|r| (p.device.clone(), format!("{}: {}", r.at, r.reason)))
                })
                .collect(),
        );
        section(
            &mut o,
            "silent",
            format!(
                "Silent for more than {} heartbeat(s)",
                self.silent_after_days
            ),
            self.phones
                .iter()
                .filter(|p| p.silent_days.is_some())
                .map(|p| {
                    (
                        p.device.clone(),
                        format!(
                            "last record {} ({} days ago)",
                            p.last_record.map_or("never".to_string(), |t| t.to_string()),
                            p.silent_days.unwrap_or(0)
                        ),
                    )
                })
                .collect(),
        );
        section(
            &mut o,
            "clock",
            "With a clock problem".into(),
            self.phones
                .iter()
                .filter_map(|p| {
                    p.clock_problem
                        .as_ref()
                        .map(|c| (p.device.clone(), c.clone()))
                })
                .collect(),
        );
        section(
            &mut o,
            "shared-id",
            "Device ids sent by more than one phone".into(),
            self.phones
                .iter()
                .filter(|p| p.shared_id > 0)
                .map(|p| {
                    (
                        p.device.clone(),
                        format!(
                            "{} sequence number(s) under two record ids: give each phone its own device_id",
                            p.shared_id
                        ),
                    )
                })
                .collect(),
        );
        let _ = writeln!(o, "</body></html>");
        o
    }
}
