//! Policies and trust: the policy history with exact bytes, the active policy compiled once per
//! activation, trusted roots, the floors, a sync's commit, and the last-good file.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::records::{bound, record};
use super::{Store, keys, retention};
use crate::Error;
use crate::digest::sha256_hex;
use crate::hardening::{Setting, SettingState};
use crate::policy::Policy;
use crate::records::Kind;
use crate::time::Timestamp;

/// A signed policy to store: the envelope exactly as received and its verified payload.
pub(crate) struct SignedPolicy<'a> {
    /// The verified payload (the policy document's bytes as signed).
    pub payload: &'a [u8],
    /// The envelope exactly as received.
    pub envelope: &'a [u8],
    /// Its version.
    pub version: u64,
    /// Its organisation.
    pub organisation: &'a str,
    /// Key ids that signed it.
    pub signers: &'a [String],
    /// Where it came from.
    pub source: &'a str,
}

/// Everything one successful sync changes, written in one transaction.
pub(crate) struct SyncCommit<'a> {
    /// The update's single "now".
    pub now: Timestamp,
    /// Newly trusted roots: (version, exact bytes), ascending.
    pub roots: &'a [(u64, Vec<u8>)],
    /// A new policy, if one was accepted.
    pub policy: Option<SignedPolicy<'a>>,
    /// The policy-version floor after this sync.
    pub policy_floor: u64,
    /// Raises the time floor (the latest accepted `issued_at`).
    pub time_floor: Option<Timestamp>,
    /// The entity tag of the policy URL, to send next time.
    pub etag: Option<(&'a str, &'a str)>,
    /// Whether the root chain was checked during this sync.
    pub root_checked: bool,
}

/// A policy as the store holds it.
#[derive(Clone, Debug)]
pub struct StoredPolicy {
    /// Row id in the history.
    pub id: i64,
    /// The exact bytes received (what was signed), never a re-serialisation.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub sha256: String,
    /// Where it came from (a file path or URL).
    pub source: String,
    /// When it was stored.
    pub received_at: Timestamp,
    /// The parsed document.
    pub policy: Policy,
}

impl Store {
    /// Validates and stores a policy document and makes it the active one, in one transaction.
    /// Returns `false` when these exact bytes are already active. A lower version than the active
    /// one, or different bytes under the same version, is refused: nothing stored is downgraded.
    pub fn activate_policy(
        &mut self,
        bytes: &[u8],
        source: &str,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let policy = Policy::from_json(bytes)?;
        let sha = sha256_hex(bytes);
        let previous = self.active_version()?.map(|(v, _)| v);
        if let Some(active) = self.active_policy()? {
            if active.sha256 == sha {
                return Ok(false);
            }
            if policy.version <= active.policy.version {
                return Err(Error::NotNewer {
                    version: policy.version,
                    source_name: source.to_string(),
                    active: active.policy.version,
                    active_source: active.source,
                });
            }
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO policy_history (version, organisation, sha256, source, received_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![policy.version as i64, policy.organisation, sha, source, now.unix(), bytes],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::ACTIVE_POLICY, id.to_string()],
            )?;
            tx.execute(
                "DELETE FROM policy_history WHERE id <> ?1 AND id NOT IN (SELECT id FROM policy_history ORDER BY id DESC LIMIT ?2)",
                params![id, retention::POLICIES + 1],
            )?;
            record(
                tx,
                now,
                Kind::PolicyActivated,
                &serde_json::json!({"version": policy.version, "previous": previous, "sha256": sha, "source": source, "signed": false}),
            )?;
            bound(tx)
        })?;
        Ok(true)
    }

    /// The active policy, if any.
    pub fn active_policy(&self) -> Result<Option<StoredPolicy>, Error> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT p.id, p.bytes, p.sha256, p.source, p.received_at FROM policy_history p {}", keys::ACTIVE_JOIN),
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(|s| self.err(s))?;
        let Some((id, bytes, sha256, source, received_at)) = row else {
            return Ok(None);
        };
        let policy = Policy::from_json(&bytes).map_err(|e| Error::StoreContents {
            path: self.path.clone(),
            reason: format!("the active policy no longer parses: {e}"),
        })?;
        Ok(Some(StoredPolicy {
            id,
            bytes,
            sha256,
            source,
            received_at: Timestamp::from_unix(received_at),
            policy,
        }))
    }

    /// The active policy made ready for evaluation, compiled once per activation; `None` when no
    /// policy is active.
    pub(crate) fn active_engine(
        &mut self,
    ) -> Result<Option<std::sync::Arc<crate::engine::Engine>>, Error> {
        let id: Option<i64> = self
            .state(keys::ACTIVE_POLICY)?
            .map(|v| {
                v.parse().map_err(|_| Error::StoreContents {
                    path: self.path.clone(),
                    reason: format!("the stored `active_policy` is `{v}`, not a row id"),
                })
            })
            .transpose()?;
        let Some(id) = id else {
            return Ok(None);
        };
        if let Some((cached, engine)) = &self.compiled
            && *cached == id
        {
            return Ok(Some(std::sync::Arc::clone(engine)));
        }
        let Some(active) = self.active_policy()? else {
            return Ok(None);
        };
        let engine = std::sync::Arc::new(crate::engine::Engine::new(active.policy));
        self.compiled = Some((active.id, std::sync::Arc::clone(&engine)));
        Ok(Some(engine))
    }

    /// Everything a sync reads of the store, read once at its start in one read transaction (a
    /// consistent view; the sync then works from it and writes once, at the end).
    pub(crate) fn trust_state(&self) -> Result<TrustState, Error> {
        let tx = self.conn.unchecked_transaction().map_err(|s| self.err(s))?;
        let etags = self
            .query(
                "SELECT key, value FROM state WHERE key LIKE 'etag:%'",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix("etag:").map(|url| (url.to_string(), v)))
            .collect();
        let state = TrustState {
            time_floor: self.time_floor()?,
            trusted_root: self.trusted_root()?,
            active: self.active_version()?,
            active_payload: self.active_payload()?,
            policy_floor: self.policy_floor()?,
            accepted_signers: self.accepted_policy_signers()?,
            last_root_check: self.last_root_check()?,
            etags,
        };
        tx.finish().map_err(|s| self.err(s))?;
        Ok(state)
    }

    /// The active policy's version and bytes' hash, read without parsing the document, so a
    /// damaged active policy cannot stand in the way of a newly verified one.
    pub fn active_version(&self) -> Result<Option<(u64, String)>, Error> {
        self.conn
            .query_row(
                &format!(
                    "SELECT p.version, p.sha256 FROM policy_history p {}",
                    keys::ACTIVE_JOIN
                ),
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// The active policy's payload bytes (as signed), without parsing them.
    pub(crate) fn active_payload(&self) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_row(
                &format!("SELECT p.bytes FROM policy_history p {}", keys::ACTIVE_JOIN),
                [],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// Key ids that signed the active policy (empty for a policy loaded from a file).
    pub(crate) fn active_signers(&self) -> Result<Vec<String>, Error> {
        let text: Option<String> = self
            .conn
            .query_row(
                &format!(
                    "SELECT p.signers FROM policy_history p {}",
                    keys::ACTIVE_JOIN
                ),
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|s| self.err(s))?
            .flatten();
        Ok(text.map(|t| key_ids(&t).collect()).unwrap_or_default())
    }

    /// The newest trusted root's exact bytes, with its version.
    pub fn trusted_root(&self) -> Result<Option<(u64, Vec<u8>)>, Error> {
        self.conn
            .query_row(
                "SELECT version, bytes FROM roots ORDER BY version DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// The time floor: no update or scan judges against an earlier time than this. It advances
    /// only from times the agent can stand behind: the issue times of accepted (signed) policies
    /// and roots, and the time the last scan judged by (itself never beyond the newest signed time
    /// or the active policy's expiry). A device clock reading at a sync is used for that sync
    /// and forgotten, so one sync with the clock years ahead cannot freeze the device.
    pub fn time_floor(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix(
            self.state_i64(keys::SIGNED_TIME)?
                .max(self.state_i64(keys::LAST_SCAN)?),
        ))
    }

    /// The newest signed time the device has accepted (issue time of a policy or root).
    pub(crate) fn signed_time(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix(self.state_i64(keys::SIGNED_TIME)?))
    }

    /// Every policy key id that signed a policy this device accepted. A root rotation may lower
    /// the version floor only when none of them is trusted any more.
    pub(crate) fn accepted_policy_signers(&self) -> Result<HashSet<String>, Error> {
        let mut out: HashSet<String> =
            key_ids(&self.state(keys::POLICY_SIGNERS)?.unwrap_or_default()).collect();
        for row in self.query(
            "SELECT signers FROM policy_history WHERE signers IS NOT NULL",
            [],
            |r| r.get::<_, String>(0),
        )? {
            out.extend(key_ids(&row));
        }
        Ok(out)
    }

    /// Records a successful sync: new roots, the new policy (made active), floors, the entity tag
    /// and the sync time, all in one transaction. A sync that changed nothing writes only its time.
    pub(crate) fn commit_sync(&mut self, c: &SyncCommit<'_>) -> Result<(), Error> {
        let previous = self.active_version()?.map(|(v, _)| v);
        self.write(|tx| {
            let set = |k: &str, v: String| {
                tx.execute(
                    "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                    params![k, v],
                )
            };
            for (version, bytes) in c.roots {
                tx.execute(
                    "INSERT INTO roots (version, bytes, received_at) VALUES (?1, ?2, ?3)",
                    params![*version as i64, bytes, c.now.unix()],
                )?;
            }
            if let Some(p) = &c.policy {
                tx.execute(
                    "INSERT INTO policy_history (version, organisation, sha256, source, received_at, bytes, envelope, signers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![p.version as i64, p.organisation, sha256_hex(p.envelope), p.source, c.now.unix(), p.payload, p.envelope, p.signers.join(",")],
                )?;
                let id = tx.last_insert_rowid();
                set(keys::ACTIVE_POLICY, id.to_string())?;
                tx.execute(
                    "DELETE FROM policy_history WHERE id <> ?1 AND id NOT IN (SELECT id FROM policy_history ORDER BY id DESC LIMIT ?2)",
                    params![id, retention::POLICIES + 1],
                )?;
                record(
                    tx,
                    c.now,
                    Kind::PolicyActivated,
                    &serde_json::json!({
                        "version": p.version, "previous": previous, "sha256": sha256_hex(p.envelope),
                        "source": p.source, "signed": true, "signers": p.signers,
                    }),
                )?;
                bound(tx)?;
            }
            let stored = |key: &str| -> rusqlite::Result<Option<String>> {
                tx.query_row(
                    "SELECT value FROM state WHERE key = ?1",
                    params![key],
                    |r| r.get::<_, String>(0),
                )
                .optional()
            };
            if stored(keys::POLICY_FLOOR)? != Some(c.policy_floor.to_string()) {
                set(keys::POLICY_FLOOR, c.policy_floor.to_string())?;
            }
            if let Some(p) = &c.policy {
                let mut signers: Vec<String> =
                    key_ids(&stored(keys::POLICY_SIGNERS)?.unwrap_or_default()).collect();
                for id in p.signers {
                    if !signers.contains(id) {
                        signers.push(id.clone());
                    }
                }
                set(keys::POLICY_SIGNERS, signers.join(","))?;
            }
            if let Some(t) = c.time_floor {
                let old = stored(keys::SIGNED_TIME)?.and_then(|v| v.parse::<i64>().ok());
                if old.is_none_or(|o| o < t.unix()) {
                    set(keys::SIGNED_TIME, t.unix().to_string())?;
                }
            }
            if let Some((url, tag)) = c.etag {
                let key = keys::etag(url);
                let old: Option<String> = tx
                    .query_row(
                        "SELECT value FROM state WHERE key = ?1",
                        params![key],
                        |r| r.get(0),
                    )
                    .optional()?;
                if old.as_deref() != Some(tag) {
                    set(&key, tag.to_string())?;
                }
            }
            if c.root_checked {
                set(keys::LAST_ROOT_CHECK, c.now.unix().to_string())?;
            }
            set(keys::LAST_SYNC_OK, c.now.unix().to_string())?;
            tx.execute(
                "DELETE FROM state WHERE key IN (?1, ?2)",
                params![keys::LAST_SYNC_ERROR, keys::SYNC_FAILURES],
            )?;
            Ok(())
        })?;
        if c.policy.is_some() || !c.roots.is_empty() {
            self.write_last_good()?;
        }
        Ok(())
    }

    /// Keeps roots verified by a sync that did not finish (a chain longer than one update walks),
    /// so the next sync continues from the newest instead of starting over. Nothing else changes.
    pub(crate) fn keep_roots(
        &mut self,
        roots: &[(u64, Vec<u8>)],
        now: Timestamp,
    ) -> Result<(), Error> {
        self.write(|tx| {
            for (version, bytes) in roots {
                tx.execute(
                    "INSERT OR IGNORE INTO roots (version, bytes, received_at) VALUES (?1, ?2, ?3)",
                    params![*version as i64, bytes, now.unix()],
                )?;
            }
            Ok(())
        })?;
        self.write_last_good()
    }

    /// Records a failed sync: what went wrong, and when it was tried, with its compliance record
    /// (`policy.refused` when something offered was refused, else `sync.failed`). Nothing else
    /// changes.
    pub(crate) fn record_sync_failure(
        &mut self,
        now: Timestamp,
        reason: &str,
        refused: bool,
    ) -> Result<(), Error> {
        let failures = self.sync_failures()? + 1;
        self.write(|tx| {
            record(
                tx,
                now,
                if refused {
                    Kind::PolicyRefused
                } else {
                    Kind::SyncFailed
                },
                &serde_json::json!({"reason": reason, "failures_in_a_row": failures}),
            )?;
            bound(tx)?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::LAST_SYNC_ERROR, format!("{now}: {reason}")],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::LAST_SYNC_ATTEMPT, now.unix().to_string()],
            )?;
            tx.execute(
                "INSERT INTO state (key, value) VALUES (?1, '1')
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                params![keys::SYNC_FAILURES],
            )?;
            Ok(())
        })
    }

    /// The policy-version floor.
    pub fn policy_floor(&self) -> Result<u64, Error> {
        self.state_u64(keys::POLICY_FLOOR)
    }

    /// The last sync error (with its time), if the last attempt failed.
    pub fn last_sync_error(&self) -> Result<Option<String>, Error> {
        self.state(keys::LAST_SYNC_ERROR)
    }

    /// Failed syncs in a row.
    pub fn sync_failures(&self) -> Result<u64, Error> {
        self.state_u64(keys::SYNC_FAILURES)
    }

    /// When the root chain was last walked.
    pub(crate) fn last_root_check(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix(self.state_i64(keys::LAST_ROOT_CHECK)?))
    }

    /// The entity tag last received for a policy URL.
    pub fn etag(&self, url: &str) -> Result<Option<String>, Error> {
        self.state(&keys::etag(url))
    }

    /// When the last sync succeeded.
    pub(crate) fn last_sync_ok(&self) -> Result<Option<Timestamp>, Error> {
        Ok(self
            .state(keys::LAST_SYNC_OK)?
            .and_then(|v| v.parse().ok())
            .map(Timestamp::from_unix))
    }

    /// Versions in the policy history, newest first: (version, sha256, source, received).
    pub fn policy_history(&self) -> Result<Vec<(u64, String, String, Timestamp)>, Error> {
        self.query(
            "SELECT version, sha256, source, received_at FROM policy_history ORDER BY id DESC",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get(1)?,
                    r.get(2)?,
                    Timestamp::from_unix(r.get(3)?),
                ))
            },
        )
    }

    /// Writes the last-good file beside the database (nothing for a store in memory).
    pub(super) fn write_last_good(&self) -> Result<(), Error> {
        if self.path == ":memory:" {
            return Ok(());
        }
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let roots = self.query("SELECT bytes FROM roots ORDER BY version", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })?;
        let active: Option<(Option<Vec<u8>>, String)> = self
            .conn
            .query_row(
                &format!(
                    "SELECT p.envelope, p.source FROM policy_history p {}",
                    keys::ACTIVE_JOIN
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))?;
        let mut signers: Vec<String> = self.accepted_policy_signers()?.into_iter().collect();
        signers.sort();
        let last = crate::recovery::LastGood {
            format: 1,
            roots: roots.iter().map(|r| b64(r)).collect(),
            envelope: active.as_ref().and_then(|(e, _)| e.as_deref().map(b64)),
            source: active.map(|(_, s)| s).unwrap_or_default(),
            policy_floor: self.state_u64(keys::POLICY_FLOOR)?,
            signed_time: self.signed_time()?.unix(),
            signers,
        };
        crate::recovery::write_last_good(Path::new(&self.path), &last).map_err(|reason| {
            Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the last-good file could not be written: {reason}"),
            }
        })
    }

    /// Restores roots, the policy and the floors from the last-good file into this (fresh)
    /// store. `Ok(false)` when there is no file.
    pub(super) fn restore_last_good(&mut self, now: Timestamp) -> Result<bool, Error> {
        let Some(r) = crate::recovery::read_last_good(Path::new(&self.path))? else {
            return Ok(false);
        };
        let policy = r.policy.as_ref().map(|p| SignedPolicy {
            payload: &p.payload,
            envelope: &p.envelope,
            version: p.version,
            organisation: &p.organisation,
            signers: &p.signers,
            source: &p.source,
        });
        self.commit_sync(&SyncCommit {
            now,
            roots: &r.roots,
            policy,
            policy_floor: r.policy_floor,
            time_floor: Some(Timestamp::from_unix(r.signed_time)),
            etag: None,
            root_checked: false,
        })?;
        if !r.signers.is_empty() {
            let mut all: Vec<String> = self.accepted_policy_signers()?.into_iter().collect();
            all.extend(r.signers);
            all.sort();
            all.dedup();
            self.set_state(keys::POLICY_SIGNERS, &all.join(","))?;
        }
        // The restore is not a sync: status must not show one.
        self.conn
            .execute(
                "DELETE FROM state WHERE key = ?1",
                params![keys::LAST_SYNC_OK],
            )
            .map_err(|s| self.err(s))?;
        Ok(true)
    }

    /// The note left when a damaged database was moved aside at open, if one was.
    pub fn recovered(&self) -> Result<Option<String>, Error> {
        self.state(keys::RECOVERED)
    }

    /// The clock problem the last scan saw, if any.
    pub fn clock_problem(&self) -> Result<Option<String>, Error> {
        self.state(keys::CLOCK_PROBLEM)
    }
    /// The hardening settings as the phone last reported them, and which the agent turned on.
    pub fn device_settings(&self) -> Result<(Vec<SettingState>, Vec<Setting>), Error> {
        match self.state(keys::DEVICE_SETTINGS)? {
            None => Ok((Vec::new(), Vec::new())),
            Some(text) => serde_json::from_str(&text).map_err(|e| Error::StoreContents {
                path: self.path().to_string(),
                reason: format!("the stored device settings do not parse: {e}"),
            }),
        }
    }

    /// Records what the phone reported after the agent applied the policy's settings, and which
    /// settings are now the agent's (on, and turned on by it).
    pub fn record_device_settings(
        &mut self,
        states: &[SettingState],
        ours: &[Setting],
    ) -> Result<(), Error> {
        let text = serde_json::to_string(&(states, ours)).map_err(|e| Error::StoreContents {
            path: self.path().to_string(),
            reason: format!("the device settings do not serialise: {e}"),
        })?;
        self.set_state(keys::DEVICE_SETTINGS, &text)
    }
}

/// The key ids of a comma-separated list as the store keeps them.
fn key_ids(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// What a sync needs to know of the device's trust, read once (see [`Store::trust_state`]).
#[derive(Clone, Debug)]
pub(crate) struct TrustState {
    /// No time earlier than this is judged by.
    pub(crate) time_floor: Timestamp,
    /// The newest trusted root (version, exact bytes), if a sync ever succeeded.
    pub(crate) trusted_root: Option<(u64, Vec<u8>)>,
    /// The active policy's version (and the hash of what was stored).
    pub(crate) active: Option<(u64, String)>,
    /// The active policy's payload as signed (compared, never parsed, by the sync).
    pub(crate) active_payload: Option<Vec<u8>>,
    /// The policy-version floor.
    pub(crate) policy_floor: u64,
    /// Every policy key id that signed an accepted policy.
    pub(crate) accepted_signers: HashSet<String>,
    /// When the root chain was last walked.
    pub(crate) last_root_check: Timestamp,
    /// The entity tag last received, by policy URL.
    pub(crate) etags: HashMap<String, String>,
}
