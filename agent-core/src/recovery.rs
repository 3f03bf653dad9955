//! A damaged compliance store fails closed and heals.
//!
//! At each accepted sync the store writes the trust it holds — every trusted root, the active
//! policy's envelope exactly as received, and the floors — to a file beside the database,
//! atomically (written aside, synced, renamed). When the database fails SQLite's integrity check
//! at open, it is moved aside (kept for the helpdesk, with its WAL), a fresh one is created, and
//! the trust is restored from that file after verifying it again exactly as a sync would: the
//! first root against its own keys, each next root against the one before, the policy against
//! the newest. Nothing of the damaged database's enforcement record is taken over, so the agent
//! owns no block and lifts none: blocks already on the device stay until its record shows it owns
//! them again or an administrator acts.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::time::Timestamp;
use crate::trust::root::{verify_initial, verify_policy, verify_successor};

/// What the last-good file holds.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LastGood {
    /// Format version of this file.
    pub format: u32,
    /// Every trusted root's envelope (base64 of the exact bytes), ascending by version.
    pub roots: Vec<String>,
    /// The active policy's envelope, exactly as received (base64), if one was synced.
    pub envelope: Option<String>,
    /// Where the policy came from.
    pub source: String,
    /// The policy-version floor.
    pub policy_floor: u64,
    /// The newest signed time accepted.
    pub signed_time: i64,
    /// Every policy key id that signed an accepted policy.
    pub signers: Vec<String>,
}

/// The last-good file beside a database.
pub(crate) fn last_good_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".last-good.json");
    db.with_file_name(name)
}

/// Writes the file atomically: a reader sees the old or the new content, never a mix.
pub(crate) fn write_last_good(db: &Path, last: &LastGood) -> Result<(), String> {
    let dest = last_good_path(db);
    let mut tmp_name = dest.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = dest.with_file_name(tmp_name);
    let body = serde_json::to_vec(last).map_err(|e| e.to_string())?;
    let mut f = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    f.write_all(&body)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    // The rename is durable once the directory is synced (best effort: not every system allows
    // opening a directory).
    if let Some(dir) = dest.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Moves a damaged database and its WAL and shared-memory files aside, returning the new name
/// of the database. The WAL must go with it: left behind, it would be replayed into the new one.
pub(crate) fn move_aside(db: &Path, now: Timestamp) -> Result<PathBuf, String> {
    let suffix = format!(".damaged-{}", now.unix());
    let with = |p: &Path, extra: &str| {
        let mut n = p.file_name().unwrap_or_default().to_os_string();
        n.push(extra);
        p.with_file_name(n)
    };
    let moved = with(db, &suffix);
    std::fs::rename(db, &moved).map_err(|e| format!("cannot move {} aside: {e}", db.display()))?;
    for side in ["-wal", "-shm"] {
        let from = with(db, side);
        if from.exists() {
            let to = with(&moved, side);
            std::fs::rename(&from, &to)
                .map_err(|e| format!("cannot move {} aside: {e}", from.display()))?;
        }
    }
    Ok(moved)
}

/// A restored trust: verified again from the file.
pub(crate) struct Restored {
    pub roots: Vec<(u64, Vec<u8>)>,
    pub policy: Option<RestoredPolicy>,
    pub policy_floor: u64,
    pub signed_time: i64,
    pub signers: Vec<String>,
}

pub(crate) struct RestoredPolicy {
    pub payload: Vec<u8>,
    pub envelope: Vec<u8>,
    pub version: u64,
    pub organisation: String,
    pub signers: Vec<String>,
    pub source: String,
}

/// Reads and verifies the last-good file; `Ok(None)` when there is none.
pub(crate) fn read_last_good(db: &Path) -> Result<Option<Restored>, Error> {
    let path = last_good_path(db);
    let bad = |reason: String| Error::StoreContents {
        path: path.display().to_string(),
        reason,
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot read it: {e}"))),
    };
    let last: LastGood =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("it does not parse: {e}")))?;
    let decode = |b64: &str| {
        STANDARD
            .decode(b64)
            .map_err(|e| bad(format!("it holds bad base64: {e}")))
    };
    let mut roots = Vec::new();
    let mut newest = None;
    for b64 in &last.roots {
        let raw = decode(b64)?;
        let root = match &newest {
            None => {
                let claimed = crate::trust::dsse::Envelope::parse(&raw)
                    .and_then(|e| e.payload_bytes())
                    .map_err(|e| bad(e.to_string()))?;
                let organisation = serde_json::from_slice::<serde_json::Value>(&claimed)
                    .ok()
                    .and_then(|v| v.get("organisation")?.as_str().map(str::to_string))
                    .unwrap_or_default();
                verify_initial(&raw, &organisation)
            }
            Some(prev) => verify_successor(prev, &raw),
        }
        .map_err(|e| bad(format!("a root in it does not verify: {e}")))?;
        roots.push((root.version, raw));
        newest = Some(root);
    }
    let policy = match (&last.envelope, &newest) {
        (Some(b64), Some(root)) => {
            let envelope = decode(b64)?;
            let v = verify_policy(root, &envelope)
                .map_err(|e| bad(format!("its policy does not verify: {e}")))?;
            Some(RestoredPolicy {
                version: v.policy.version,
                organisation: v.policy.organisation.clone(),
                payload: v.payload,
                signers: v.signers,
                envelope,
                source: last.source.clone(),
            })
        }
        (Some(_), None) => return Err(bad("it holds a policy but no root".into())),
        (None, _) => None,
    };
    Ok(Some(Restored {
        roots,
        policy_floor: last
            .policy_floor
            .max(policy.as_ref().map_or(0, |p| p.version)),
        policy,
        signed_time: last.signed_time,
        signers: last.signers,
    }))
}

/// Whether SQLite says the database is damaged (as opposed to busy, locked or unreadable).
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
