//! The update: follow the root chain, fetch the policy conditionally, verify, and store the exact
//! bytes with the new floors in one transaction. On any failure the last good policy stays in
//! force and the reason is recorded.
//!
//! "Now" is fixed once at the start of the update, and never earlier than the time floor, so a
//! clock set back revives nothing. An unchanged policy costs one conditional request (a 304); the
//! root chain is walked whenever a new policy arrives, and at least daily.

use serde::Serialize;

use super::TrustError;
use super::config::DeviceConfig;
use super::root::{Root, verify_initial, verify_policy, verify_successor};
use super::transport::{Response, Transport, TransportError};
use crate::Error;
use crate::store::{SignedPolicy, Store, SyncCommit, TrustState};
use crate::time::Timestamp;

/// Largest root document accepted.
pub const ROOT_CAP: u64 = 64 * 1024;
/// Largest policy envelope accepted.
pub const POLICY_CAP: u64 = 4 * 1024 * 1024;
/// Most new roots accepted in one update.
pub(crate) const MAX_ROOT_HOPS: usize = 32;
/// How often the root chain is checked even when the policy has not changed.
const ROOT_CHECK_SECS: i64 = 24 * 3600;
/// Walk the chain early when the trusted root expires within this.
const ROOT_RENEW_SECS: i64 = 7 * 24 * 3600;
/// How far ahead of the device's time a policy's `issued_at` may be (clock skew).
const FUTURE_SKEW_SECS: i64 = 24 * 3600;

/// A root version and its exact bytes.
type RootBytes = (u64, Vec<u8>);
/// Each mirror (or step) that failed, why, and what kind of failure it was.
type MirrorFailures = Vec<(String, String, Class)>;

/// What kind of failure one mirror's attempt was.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Network,
    Untrusted,
}

/// How a failed sync failed, for callers that act differently on each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncFailure {
    /// Every mirror was unreachable, timed out or answered with an HTTP error.
    Network,
    /// A mirror answered, but with something that is not trusted (signature, rollback, expiry...).
    Untrusted,
    /// The root pinned at enrolment (or the stored one) is not usable: the configuration is wrong.
    PinnedRoot,
}

/// The label of a failure of the trusted root itself.
const TRUSTED_ROOT: &str = "trusted root";

/// What happened to the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum PolicyChange {
    /// The server said 304: nothing new.
    Unchanged,
    /// A policy of the active version arrived: a no-op.
    SameVersion {
        /// The version.
        version: u64,
    },
    /// A newer policy is now active.
    Updated {
        /// The version before, if any.
        from: Option<u64>,
        /// The version now.
        to: u64,
    },
}

/// What a successful sync did.
#[derive(Clone, Debug, Serialize)]
pub struct SyncReport {
    /// The mirror that served it.
    pub mirror: String,
    /// The update's "now".
    pub now: Timestamp,
    /// The trusted root's version afterwards.
    pub root_version: u64,
    /// Root versions newly trusted.
    pub new_roots: Vec<u64>,
    /// The policy change.
    pub policy: PolicyChange,
    /// HTTP requests made (all mirrors).
    pub requests: u32,
    /// Body bytes received (all mirrors).
    pub bytes: u64,
    /// Mirrors tried before, and why each failed.
    pub failed_mirrors: Vec<(String, String)>,
}

/// Counts requests and bytes for the report.
struct Counting<'a> {
    inner: &'a mut dyn Transport,
    requests: u32,
    bytes: u64,
}

impl Counting<'_> {
    fn get(&mut self, url: &str, etag: Option<&str>, cap: u64) -> Result<Response, TrustError> {
        self.requests += 1;
        let r = self
            .inner
            .get(url, etag, cap)
            .map_err(TrustError::Transport)?;
        self.bytes += r.body.len() as u64;
        Ok(r)
    }
}

/// Runs one update against the configured mirrors, in order. `clock` is the device's clock.
pub fn sync(
    store: &mut Store,
    config: &DeviceConfig,
    transport: &mut dyn Transport,
    clock: Timestamp,
) -> Result<SyncReport, Error> {
    // The sync reads the store once, here, and writes once, at the end.
    let state = store.trust_state()?;
    let now = clock.max(state.time_floor);
    let mut net = Counting {
        inner: transport,
        requests: 0,
        bytes: 0,
    };
    // Roots verified by an attempt that failed later (the longest walk), kept so a chain longer
    // than one update can walk is finished by the next sync instead of failing for ever.
    let mut progress: Vec<RootBytes> = Vec::new();
    let outcome = trusted_root(&state, config).and_then(|(trusted, bootstrap)| {
        let mut failed = Vec::new();
        for mirror in &config.policy_urls {
            let mut walked = Vec::new();
            let result = attempt(
                &state,
                config,
                &mut net,
                &trusted,
                bootstrap.as_ref(),
                mirror,
                now,
                &mut walked,
            );
            if walked.len() > progress.len() {
                progress = walked;
            }
            match result {
                Ok((commit, report)) => return Ok((commit, report, failed)),
                Err(e) => {
                    log::warn!("sync from {mirror} failed: {e}");
                    let class = match e {
                        TrustError::Transport(_) => Class::Network,
                        _ => Class::Untrusted,
                    };
                    failed.push((mirror.clone(), e.to_string(), class));
                }
            }
        }
        Err(failed)
    });
    match outcome {
        Ok((
            Attempted {
                commit_roots,
                policy,
                floor,
                time_floor,
                etag,
                root_checked,
            },
            mut report,
            failed,
        )) => {
            let signed = policy.as_ref().map(|p| SignedPolicy {
                payload: &p.payload,
                envelope: &p.envelope,
                version: p.version,
                organisation: &config.organisation,
                signers: &p.signers,
                source: &p.source,
            });
            store.commit_sync(&SyncCommit {
                now,
                roots: &commit_roots,
                policy: signed,
                policy_floor: floor,
                time_floor,
                etag: etag.as_ref().map(|(u, t)| (u.as_str(), t.as_str())),
                root_checked,
            })?;
            report.failed_mirrors = failed.into_iter().map(|(m, e, _)| (m, e)).collect();
            report.requests = net.requests;
            report.bytes = net.bytes;
            Ok(report)
        }
        Err(failed) => {
            let reason = failed
                .iter()
                .map(|(m, e, _)| format!("{m}: {e}"))
                .collect::<Vec<_>>()
                .join("; ");
            let kind = if failed.iter().any(|(m, ..)| m == TRUSTED_ROOT) {
                SyncFailure::PinnedRoot
            } else if failed.iter().all(|(.., class)| *class == Class::Network) {
                SyncFailure::Network
            } else {
                SyncFailure::Untrusted
            };
            // On the first sync the walk starts with the pinned root itself: keep it only with
            // what was verified after it.
            let first_sync = state.trusted_root.is_none();
            if progress.len() > usize::from(first_sync) {
                store.keep_roots(&progress, now)?;
            }
            store.record_sync_failure(now, &reason, kind != SyncFailure::Network)?;
            Err(Error::Sync {
                reason,
                kind,
                has_policy: state.active.is_some(),
            })
        }
    }
}

/// The root the device trusts now: the newest stored one, or the pinned one on the first sync
/// (returned as bytes to store once the sync succeeds).
fn trusted_root(
    state: &TrustState,
    config: &DeviceConfig,
) -> Result<(Root, Option<RootBytes>), MirrorFailures> {
    let fail = |e: String| vec![(TRUSTED_ROOT.to_string(), e, Class::Untrusted)];
    match &state.trusted_root {
        Some((_, bytes)) => {
            // Stored only after verification; re-checked against its own keys all the same.
            let root =
                verify_initial(bytes, &config.organisation).map_err(|e| fail(e.to_string()))?;
            Ok((root, None))
        }
        None => {
            let bytes = config.pinned_root.to_json();
            let root = verify_initial(&bytes, &config.organisation)
                .map_err(|e| fail(format!("the pinned root: {e}")))?;
            Ok((root.clone(), Some((root.version, bytes))))
        }
    }
}

struct AcceptedPolicy {
    payload: Vec<u8>,
    envelope: Vec<u8>,
    version: u64,
    signers: Vec<String>,
    source: String,
}

struct Attempted {
    commit_roots: Vec<(u64, Vec<u8>)>,
    policy: Option<AcceptedPolicy>,
    floor: u64,
    time_floor: Option<Timestamp>,
    etag: Option<(String, String)>,
    root_checked: bool,
}

#[allow(clippy::too_many_arguments)]
fn attempt(
    state: &TrustState,
    config: &DeviceConfig,
    net: &mut Counting<'_>,
    trusted: &Root,
    bootstrap: Option<&(u64, Vec<u8>)>,
    mirror: &str,
    now: Timestamp,
    walked: &mut Vec<RootBytes>,
) -> Result<(Attempted, SyncReport), TrustError> {
    let base = mirror.trim_end_matches('/');
    let policy_url = format!("{base}/policy.json");
    // The active policy is known by version and hash, without parsing the document: a damaged
    // active policy must not stand in the way of a newly verified one.
    let active = &state.active;
    let etag = match (active, bootstrap) {
        (Some(_), None) => state.etags.get(&policy_url).cloned(),
        _ => None,
    };

    let mut response = net.get(&policy_url, etag.as_deref(), super::sync::POLICY_CAP)?;
    expect_status(&policy_url, &response, &[200, 304])?;

    // The root chain: whenever something new arrives, on the first sync, and at least daily.
    let last_check = state.last_root_check;
    let root_due = bootstrap.is_some()
        || response.status == 200
        || now.since(last_check) >= ROOT_CHECK_SECS
        || trusted.expires.since(now) < ROOT_RENEW_SECS;
    walked.extend(bootstrap.cloned());
    let mut newest = trusted.clone();
    let mut signed_time: Option<Timestamp> = None;
    if root_due {
        let mut hops = 0;
        while let Some(next) = newest.version.checked_add(1) {
            let url = format!("{base}/root/{next}.root.json");
            let r = net.get(&url, None, ROOT_CAP)?;
            // Object stores and CDNs (S3, CloudFront, Azure Blob) answer 403 for a key that does
            // not exist: both mean "no newer root". Anything else fails as before.
            if r.status == 404 || r.status == 403 {
                break;
            }
            expect_status(&url, &r, &[200])?;
            hops += 1;
            if hops > MAX_ROOT_HOPS {
                return Err(TrustError::HopLimit(MAX_ROOT_HOPS));
            }
            newest = verify_successor(&newest, &r.body)?;
            if let Some(t) = newest.issued_at {
                signed_time = Some(signed_time.map_or(t, |s| s.max(t)));
            }
            // Kept as it is verified: a failure further on loses nothing of the walk.
            walked.push((newest.version, r.body));
        }
    }
    let chain = walked.clone();
    if newest.expires <= now {
        return Err(TrustError::Expired {
            what: "root",
            at: newest.expires,
        });
    }
    let rotated = newest.version != trusted.version;
    // The floor may be lowered only when no key that signed an accepted policy is trusted any
    // more (the fast-forward recovery from a stolen key). While one of them remains, a mirror could
    // serve the new root with an older policy that key signed: a rollback.
    let stored_floor = state.policy_floor;
    // Judged against what was accepted, not against the root trusted before this sync, so the
    // decision is the same whether the new root arrived now or was kept by an earlier sync.
    let accepted = &state.accepted_signers;
    let keys_replaced = !accepted.is_empty() && !newest.trusts_any_policy_key(accepted);
    let floor = if keys_replaced {
        newest.policy_version_floor
    } else {
        stored_floor
    };

    // A new root changes what the stored policy is judged by: fetch it again, unconditionally.
    if response.status == 304 && rotated {
        response = net.get(&policy_url, None, POLICY_CAP)?;
        expect_status(&policy_url, &response, &[200])?;
    }
    let new_etag = response.etag.clone().map(|t| (policy_url.clone(), t));
    let mut report = SyncReport {
        mirror: mirror.to_string(),
        now,
        root_version: newest.version,
        new_roots: chain
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| *v != trusted.version)
            .collect(),
        policy: PolicyChange::Unchanged,
        requests: 0,
        bytes: 0,
        failed_mirrors: Vec::new(),
    };
    let mut attempted = Attempted {
        commit_roots: chain,
        policy: None,
        floor,
        time_floor: signed_time.map(|t| t.min(now)),
        etag: new_etag,
        root_checked: root_due,
    };
    if response.status == 304 {
        return Ok((attempted, report));
    }

    let verified = verify_policy(&newest, &response.body)?;
    let p = &verified.policy;
    if p.organisation != config.organisation {
        return Err(TrustError::Organisation {
            what: "policy",
            expected: config.organisation.clone(),
            found: p.organisation.clone(),
        });
    }
    if !p.groups.is_empty() && !p.groups.iter().any(|g| config.groups.contains(g)) {
        return Err(TrustError::NotForThisDevice {
            groups: p.groups.join(", "),
        });
    }
    let active_version = active.as_ref().map(|(v, _)| *v);
    if active_version == Some(p.version) && !keys_replaced {
        // The same version with other content is an administrator's mistake (or a key holder
        // trying to slip something in under a known number): never silent.
        let same = state.active_payload.as_deref() == Some(verified.payload.as_slice());
        if !same {
            return Err(TrustError::SameVersionOtherContent(p.version));
        }
        // The active document again: nothing to accept, so nothing to judge. (Its expiry is
        // reported as staleness; failing here would turn a clock pushed ahead into a failed sync
        // for a document that is already in force.)
        report.policy = PolicyChange::SameVersion { version: p.version };
        return Ok((attempted, report));
    }
    let Some(expires) = p.expires else {
        return Err(TrustError::Policy(
            "a signed policy must say when it expires".into(),
        ));
    };
    if expires <= now {
        return Err(TrustError::Expired {
            what: "policy",
            at: expires,
        });
    }
    if let Some(issued) = p.issued_at {
        if issued.since(now) > FUTURE_SKEW_SECS {
            return Err(TrustError::FromTheFuture(issued));
        }
        let issued = issued.min(now);
        attempted.time_floor = Some(attempted.time_floor.map_or(issued, |t| t.max(issued)));
    }
    if p.version < floor {
        return Err(TrustError::Rollback {
            found: p.version,
            floor,
        });
    }
    attempted.floor = floor.max(p.version);
    report.policy = PolicyChange::Updated {
        from: active_version,
        to: p.version,
    };
    attempted.policy = Some(AcceptedPolicy {
        payload: verified.payload.clone(),
        envelope: response.body,
        version: p.version,
        signers: verified.signers.clone(),
        source: policy_url,
    });
    Ok((attempted, report))
}

/// When to try the next sync: after a success, one `sync_interval` later; after `n` failures in a
/// row, after 1 minute × 2ⁿ⁻¹ (capped at the interval), spread by ±20% so a fleet that lost its
/// server together does not come back together. `jitter` is a number in [0, 1) from the caller
/// (random on a device, fixed in tests).
pub fn next_sync(
    store: &Store,
    config: &DeviceConfig,
    now: Timestamp,
    jitter: f64,
) -> Result<Timestamp, Error> {
    let interval = config.sync_interval.secs().max(60);
    let failures = store.sync_failures()?.min(30) as u32;
    let base = if failures == 0 {
        interval
    } else {
        (60i64 << (failures - 1).min(20)).min(interval)
    };
    let spread = (base as f64 * 0.2 * (2.0 * jitter.clamp(0.0, 1.0) - 1.0)) as i64;
    Ok(Timestamp::from_unix(now.unix() + (base + spread).max(30)))
}

fn expect_status(url: &str, r: &Response, allowed: &[u16]) -> Result<(), TrustError> {
    if allowed.contains(&r.status) {
        Ok(())
    } else {
        Err(TrustError::Transport(TransportError::Status {
            url: url.to_string(),
            status: r.status,
        }))
    }
}
