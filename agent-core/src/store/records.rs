//! The record queue: each compliance record is written inside the transaction of what it records
//! (so a kill either keeps both or neither), bounded by severity, read in sequence order, and
//! acknowledged per sink. A record leaves the queue once every configured sink has accepted it.

use rusqlite::{OptionalExtension, params};

use super::{Store, keys, retention};
use crate::Error;
use crate::records::{HEARTBEAT_SECS, Kind, PolicyRef, Record, SCHEMA, Severity, SinkState};
use crate::time::Timestamp;

/// What a full queue gave up, by severity, since the agent was installed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Dropped {
    /// Heartbeats and summaries.
    pub routine: u64,
    /// Other events.
    pub notice: u64,
    /// Violations (only once nothing else was left to give up).
    pub violation: u64,
}

impl Dropped {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.routine + self.notice + self.violation
    }
}

/// Writes one record in the caller's transaction, with the context it is written in: the device
/// id the last scan named and the active policy (read by SQLite in the same statement).
pub(crate) fn record(
    tx: &rusqlite::Transaction<'_>,
    now: Timestamp,
    kind: Kind,
    data: &serde_json::Value,
) -> rusqlite::Result<()> {
    // Prepared once per connection (the statement cache): the install path writes several.
    tx.prepare_cached(
        "INSERT INTO records (uid, at, kind, class, device, organisation, policy_version, policy_sha256, agent, data)
         SELECT ?1, ?2, ?3, ?4, COALESCE((SELECT value FROM state WHERE key = ?5), ''),
                p.organisation, p.version, p.sha256, ?6, ?7
         FROM (SELECT 1) LEFT JOIN policy_history p
           ON p.id = (SELECT CAST(value AS INTEGER) FROM state WHERE key = ?8)",
    )?
    .execute(params![
        crate::records::new_uuid(),
        now.unix(),
        kind.as_str(),
        kind.severity().class(),
        keys::DEVICE_ID,
        env!("CARGO_PKG_VERSION"),
        data.to_string(),
        keys::ACTIVE_POLICY,
    ])?;
    Ok(())
}

/// Keeps the queue within its limit: gives up routine records first, then notices, violations
/// only when nothing else is left, oldest first within each; counts what it gave up.
pub(crate) fn bound(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let limit: i64 = tx
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM state WHERE key = ?1",
            params![keys::RECORD_LIMIT],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(retention::RECORDS);
    // The sequence range bounds the count from above and costs nothing (rowid min and max); the
    // exact count is taken only when the range says the queue might be full.
    let span: i64 = tx.query_row(
        "SELECT COALESCE(MAX(seq) - MIN(seq) + 1, 0) FROM records",
        [],
        |r| r.get(0),
    )?;
    if span <= limit {
        return Ok(());
    }
    let count: i64 = tx.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
    let over = count - limit;
    if over <= 0 {
        return Ok(());
    }
    let by_class: Vec<(i64, i64)> = tx
        .prepare(
            "SELECT class, COUNT(*) FROM (SELECT class FROM records ORDER BY class, seq LIMIT ?1) GROUP BY class",
        )?
        .query_map(params![over], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute(
        "DELETE FROM records WHERE seq IN (SELECT seq FROM records ORDER BY class, seq LIMIT ?1)",
        params![over],
    )?;
    for (class, n) in by_class {
        tx.execute(
            "INSERT INTO state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?2",
            params![keys::dropped(Severity::from_class(class).as_str()), n],
        )?;
    }
    Ok(())
}

impl Store {
    /// Records waiting, from sequence number `after` on (oldest first, at most `limit`).
    pub fn records(&self, after: u64, limit: usize) -> Result<Vec<Record>, Error> {
        let device = self.state(keys::DEVICE_ID)?.unwrap_or_default();
        let rows = self.query(
            "SELECT seq, uid, at, kind, class, device, organisation, policy_version, policy_sha256, agent, data
             FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            params![after as i64, limit as i64],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(seq, uid, at, kind, class, dev, organisation, version, sha, agent, data)| {
                    Record {
                        schema: SCHEMA.to_string(),
                        id: uid,
                        seq: seq as u64,
                        time: Timestamp::from_unix(at),
                        kind,
                        severity: Severity::from_class(class),
                        // A record written before the first scan named the device gets its name now.
                        device: if dev.is_empty() { device.clone() } else { dev },
                        organisation,
                        agent,
                        policy: version.zip(sha).map(|(v, sha256)| PolicyRef {
                            version: v as u64,
                            sha256,
                        }),
                        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                    }
                },
            )
            .collect())
    }

    /// How many records wait in the queue.
    pub fn records_waiting(&self) -> Result<usize, Error> {
        self.conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|s| self.err(s))
    }

    /// What a full queue gave up since the agent was installed.
    pub fn records_dropped(&self) -> Result<Dropped, Error> {
        let n = |s: Severity| self.state_u64(&keys::dropped(s.as_str()));
        Ok(Dropped {
            routine: n(Severity::Routine)?,
            notice: n(Severity::Notice)?,
            violation: n(Severity::Violation)?,
        })
    }

    /// Sets how many records the queue holds at most (the device configuration's
    /// `record_queue_limit`); a smaller limit takes effect at the next write.
    pub fn set_record_limit(&mut self, limit: u64) -> Result<(), Error> {
        if self.state(keys::RECORD_LIMIT)?.as_deref() != Some(limit.to_string().as_str()) {
            self.set_state(keys::RECORD_LIMIT, &limit.to_string())?;
        }
        Ok(())
    }

    /// Each sink's delivery state, by name (sinks never tried are absent).
    pub fn deliveries(&self) -> Result<Vec<SinkState>, Error> {
        self.query(
            "SELECT sink, acked, attempts, retry_at, last_error, last_ok, delivered FROM deliveries ORDER BY sink",
            [],
            |r| {
                Ok(SinkState {
                    sink: r.get(0)?,
                    acked: r.get::<_, i64>(1)? as u64,
                    attempts: r.get::<_, i64>(2)? as u32,
                    retry_at: Timestamp::from_unix(r.get(3)?),
                    last_error: r.get(4)?,
                    last_ok: r.get::<_, Option<i64>>(5)?.map(Timestamp::from_unix),
                    delivered: r.get::<_, i64>(6)? as u64,
                })
            },
        )
    }

    pub(crate) fn delivery(&self, sink: &str) -> Result<SinkState, Error> {
        Ok(self
            .deliveries()?
            .into_iter()
            .find(|s| s.sink == sink)
            .unwrap_or_else(|| SinkState::new(sink)))
    }

    /// A sink accepted every record up to `acked`.
    pub(crate) fn delivery_ok(
        &mut self,
        sink: &str,
        acked: u64,
        count: u64,
        now: Timestamp,
    ) -> Result<(), Error> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO deliveries (sink, acked, attempts, retry_at, last_error, last_ok, delivered)
                 VALUES (?1, ?2, 0, 0, NULL, ?3, ?4)
                 ON CONFLICT (sink) DO UPDATE SET acked = MAX(acked, excluded.acked), attempts = 0, retry_at = 0,
                   last_error = NULL, last_ok = excluded.last_ok, delivered = delivered + excluded.delivered",
                params![sink, acked as i64, now.unix(), count as i64],
            )?;
            Ok(())
        })
    }

    /// A sink failed: what it said, and when to try it again.
    pub(crate) fn delivery_failed(
        &mut self,
        sink: &str,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), Error> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO deliveries (sink, acked, attempts, retry_at, last_error) VALUES (?1, 0, 1, ?2, ?3)
                 ON CONFLICT (sink) DO UPDATE SET attempts = attempts + 1, retry_at = excluded.retry_at,
                   last_error = excluded.last_error",
                params![sink, retry_at.unix(), error],
            )?;
            Ok(())
        })
    }

    /// Deletes the records every sink in `sinks` has accepted, and forgets sinks no longer
    /// configured. With no sink configured nothing is deleted: the queue keeps what it can.
    pub(crate) fn prune_delivered(&mut self, sinks: &[&str]) -> Result<usize, Error> {
        if sinks.is_empty() {
            return Ok(0);
        }
        let states = self.deliveries()?;
        let floor = sinks
            .iter()
            .map(|s| {
                states
                    .iter()
                    .find(|st| st.sink == *s)
                    .map_or(0, |st| st.acked)
            })
            .min()
            .unwrap_or(0);
        let marks = vec!["?"; sinks.len()].join(", ");
        self.write(|tx| {
            tx.execute(
                &format!("DELETE FROM deliveries WHERE sink NOT IN ({marks})"),
                rusqlite::params_from_iter(sinks.iter()),
            )?;
            tx.execute("DELETE FROM records WHERE seq <= ?1", params![floor as i64])
        })
    }

    /// Writes a heartbeat when none was written for a day (or the clock went back past the last
    /// one); returns whether it did. Called by every delivery (the app delivers after every
    /// periodic job, sinks configured or not), so a phone whose agent lives says so at least daily,
    /// and a silent one stands out.
    pub fn heartbeat_if_due(&mut self, now: Timestamp) -> Result<bool, Error> {
        let last = self
            .state(keys::LAST_HEARTBEAT)?
            .and_then(|v| v.parse::<i64>().ok());
        let due = last.is_none_or(|l| {
            let since = now.unix() - l;
            !(-3600..HEARTBEAT_SECS).contains(&since)
        });
        if !due {
            return Ok(false);
        }
        let findings = self.findings()?;
        let violations = findings
            .iter()
            .filter(|f| f.decision.outcome == crate::Outcome::Denied)
            .count();
        let dropped = self.records_dropped()?;
        let waiting = self.records_waiting()?;
        let last_scan = self.recent_scans(1)?.into_iter().next();
        let powers = self.last_device()?.and_then(|d| d.powers);
        let data = serde_json::json!({
            "every_seconds": HEARTBEAT_SECS,
            "violations": violations,
            "findings": findings.len(),
            "blocks": self.owned_blocks()?.len(),
            "last_scan": last_scan.as_ref().map(|s| s.started_at),
            "mode": last_scan.as_ref().map(|s| s.mode.clone()),
            "management": powers.as_ref().map(|p| p.management),
            "waiting": waiting,
            "dropped": dropped,
            "clock_problem": self.clock_problem()?,
        });
        self.write(|tx| {
            record(tx, now, Kind::Heartbeat, &data)?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::LAST_HEARTBEAT, now.unix().to_string()],
            )?;
            bound(tx)
        })?;
        Ok(true)
    }
}
