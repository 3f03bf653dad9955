//! The time the agent judges by, and when the phone's clock cannot be believed.
//!
//! The phone's clock belongs to whoever holds the phone. Set back, it would revive an expired
//! exception or lift a block that had escalated; set forward, it would skip a grace period; set
//! years ahead during one sync, it would make every later document look expired. So a scan judges
//! by the later of the clock and the time floor (signed times and the last scan: time never runs
//! backwards for enforcement), and a clock far from the signed times is a *clock problem*: it is
//! reported, irreversible steps wait, and the time floor does not follow it.

use crate::time::Timestamp;

/// How far past every signed time (the newest issue time, or the active policy's expiry if later)
/// the clock may run before it is a clock problem. A policy is re-signed before it expires, so a
/// correct clock passes this only when the organisation has stopped publishing.
pub(crate) const AHEAD_MARGIN_SECS: i64 = 7 * 24 * 3600;

/// How far behind what the device has already seen the clock may be before it is reported.
pub(crate) const BEHIND_MARGIN_SECS: i64 = 24 * 3600;

/// The time a scan judges by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JudgedTime {
    /// The later of the clock and the floor.
    pub now: Timestamp,
    /// How far this scan may move the time floor: `now`, but never beyond the newest signed time
    /// or the active policy's expiry.
    pub floor_time: Timestamp,
    /// A clock problem, in one sentence.
    pub problem: Option<String>,
    /// The clock runs far ahead of every signed time: irreversible steps wait.
    pub ahead: bool,
}

/// Judges the clock against the floor, the newest signed time and the active policy's expiry.
pub(crate) fn judge(
    clock: Timestamp,
    floor: Timestamp,
    signed: Timestamp,
    policy_expires: Option<Timestamp>,
) -> JudgedTime {
    let now = clock.max(floor);
    let horizon = policy_expires.map_or(signed, |e| e.max(signed));
    let limit = Timestamp::from_unix(horizon.unix().saturating_add(AHEAD_MARGIN_SECS));
    let known = signed.unix() > 0;
    let ahead = known && clock > limit;
    let problem = if ahead {
        Some(format!(
            "the phone's clock ({clock}) is {} days past every signed time (newest {signed}{}): the clock is wrong or the policy has not been renewed; uninstalls wait until this is resolved",
            clock.since(horizon) / 86_400,
            policy_expires.map_or(String::new(), |e| format!(", policy valid until {e}")),
        ))
    } else if floor.since(clock) > BEHIND_MARGIN_SECS {
        Some(format!(
            "the phone's clock ({clock}) is {} days behind what this device has already seen; judging by {floor}",
            floor.since(clock) / 86_400
        ))
    } else {
        None
    };
    JudgedTime {
        now,
        // Never beyond a signed time: a floor pushed past the active policy's expiry would make
        // the organisation's next policy look expired.
        floor_time: if known {
            now.min(horizon).max(floor)
        } else {
            now
        },
        problem,
        ahead,
    }
}

/// Whether a policy expiring at `expires` is stale: judged, like everything else, by the later of
/// the clock and the time floor, so a clock set back cannot make an expired policy look fresh.
pub(crate) fn is_stale(expires: Option<Timestamp>, clock: Timestamp, floor: Timestamp) -> bool {
    expires.is_some_and(|e| e <= clock.max(floor))
}
