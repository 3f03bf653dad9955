//! Delivery: every configured sink gets every record, in sequence order, at least once.
//!
//! A sink's acknowledgement is written only after the sink accepted the batch, so a kill between
//! the two sends the batch again (the receiver de-duplicates by the record's `id`); a record
//! leaves the queue once every configured sink has acknowledged it. A failing sink waits with
//! exponential backoff and jitter (and the receiver's `Retry-After`); it never holds up another
//! sink, and delivery never runs inside a scan: no network wait can delay a scan or a block.

use serde::Serialize;

use super::Record;
use crate::Error;
use crate::store::Store;
use crate::time::{Span, Timestamp};

/// The first retry after a failure waits about this long; each further failure doubles it.
const FIRST_RETRY_SECS: i64 = 30;
/// The longest wait between tries (also after a refusal, which is never given up).
const LONGEST_RETRY_SECS: i64 = 3600;
/// The most one run sends to one sink, in batches: a long backlog drains over several runs.
const BATCHES_PER_RUN: usize = 50;

/// A receiver of compliance records.
pub trait Sink {
    /// Its stable name (the URL): how far it has acknowledged is kept under it.
    fn name(&self) -> &str;
    /// The most records it takes in one call.
    fn batch_size(&self) -> usize {
        200
    }
    /// Delivers `records` (in sequence order). `Ok` means the receiver accepted all of them.
    fn send(&mut self, records: &[Record]) -> Result<(), SinkError>;
}

/// Why a sink did not accept a batch.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// Worth trying again: no connection, a timeout, HTTP 429 or 5xx. `after` is what the receiver
    /// asked for (`Retry-After`).
    #[error("{reason}")]
    Retry {
        /// What went wrong.
        reason: String,
        /// How long the receiver asked to wait.
        after: Option<Span>,
    },
    /// The receiver refuses the batch itself (another HTTP 4xx). The records are kept and tried
    /// again at the longest interval: a receiver misconfigured today must not lose them.
    #[error("refused: {reason}")]
    Refused {
        /// What the receiver said.
        reason: String,
    },
}

/// How one sink's delivery stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SinkState {
    /// The sink's name (URL).
    pub sink: String,
    /// Every record up to this sequence number was accepted.
    pub acked: u64,
    /// Failed tries since the last success.
    pub attempts: u32,
    /// Not tried again before this time.
    pub retry_at: Timestamp,
    /// What the last failure said.
    pub last_error: Option<String>,
    /// When it last accepted something.
    pub last_ok: Option<Timestamp>,
    /// Records it accepted in all.
    pub delivered: u64,
}

impl SinkState {
    pub(crate) fn new(sink: &str) -> SinkState {
        SinkState {
            sink: sink.to_string(),
            acked: 0,
            attempts: 0,
            retry_at: Timestamp::from_unix(0),
            last_error: None,
            last_ok: None,
            delivered: 0,
        }
    }
}

/// What one sink got in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SinkOutcome {
    /// The sink's name.
    pub sink: String,
    /// Records it accepted in this run.
    pub delivered: u64,
    /// Why it stopped early, if it failed.
    pub error: Option<String>,
    /// Set when it was not tried: its backoff runs until then.
    pub waiting_until: Option<Timestamp>,
}

/// What one delivery run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Each sink's outcome.
    pub sinks: Vec<SinkOutcome>,
    /// Whether a heartbeat was written first.
    pub heartbeat: bool,
    /// Records every sink had accepted, removed from the queue.
    pub removed: usize,
    /// Records still waiting.
    pub waiting: usize,
}

/// How long to wait after the `attempts`-th failure in a row: 30 s doubled each time up to an
/// hour, the upper half of it chosen by `jitter` in [0, 1) (so phones that lost the receiver
/// together do not all come back in the same second), never less than the receiver asked.
pub(crate) fn retry_delay(attempts: u32, jitter: f64, asked: Option<Span>) -> i64 {
    let base = (FIRST_RETRY_SECS << attempts.saturating_sub(1).min(10)).min(LONGEST_RETRY_SECS);
    let spread = (base as f64 / 2.0 * jitter.clamp(0.0, 1.0)) as i64;
    let chosen = base / 2 + spread;
    chosen.max(asked.map_or(0, |a| a.secs().clamp(0, 6 * LONGEST_RETRY_SECS)))
}

/// A number in [0, 1) from the system's random generator, for [`deliver`]'s `jitter` (0.5 if
/// the generator fails: the backoff is then merely not spread).
pub fn jitter() -> f64 {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 4];
    match ring::rand::SystemRandom::new().fill(&mut b) {
        Ok(()) => f64::from(u32::from_be_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

/// Delivers what waits to every sink in `sinks`, writing a heartbeat first when one is due.
/// `jitter` is a number in [0, 1) (random on a device, fixed in tests). Each sink gets its
/// records from where it last acknowledged; a record leaves the queue when all have it.
pub fn deliver(
    store: &mut Store,
    sinks: &mut [Box<dyn Sink + '_>],
    now: Timestamp,
    jitter: f64,
) -> Result<Delivery, Error> {
    let heartbeat = store.heartbeat_if_due(now)?;
    let mut outcomes = Vec::with_capacity(sinks.len());
    for sink in sinks.iter_mut() {
        let name = sink.name().to_string();
        let state = store.delivery(&name)?;
        // A retry time further ahead than any wait this code sets means the clock went back:
        // the sink is tried now rather than in a year.
        let wait = state.retry_at.unix() - now.unix();
        if wait > 0 && wait <= 6 * LONGEST_RETRY_SECS {
            outcomes.push(SinkOutcome {
                sink: name,
                delivered: 0,
                error: None,
                waiting_until: Some(state.retry_at),
            });
            continue;
        }
        let mut acked = state.acked;
        // Failures in a row: a batch accepted in this run ends the row.
        let mut attempts = state.attempts;
        let mut delivered = 0u64;
        let mut error = None;
        for _ in 0..BATCHES_PER_RUN {
            let batch = store.records(acked, sink.batch_size().max(1))?;
            let Some(last) = batch.last().map(|r| r.seq) else {
                break;
            };
            match sink.send(&batch) {
                Ok(()) => {
                    store.delivery_ok(&name, last, batch.len() as u64, now)?;
                    acked = last;
                    attempts = 0;
                    delivered += batch.len() as u64;
                }
                Err(e) => {
                    let (asked, longest) = match &e {
                        SinkError::Retry { after, .. } => (*after, false),
                        SinkError::Refused { .. } => (None, true),
                    };
                    let delay = if longest {
                        LONGEST_RETRY_SECS
                    } else {
                        retry_delay(attempts + 1, jitter, asked)
                    };
                    log::warn!("delivering records to {name} failed: {e}; next try in {delay} s");
                    store.delivery_failed(
                        &name,
                        &e.to_string(),
                        now.plus(Span::from_secs(delay)),
                    )?;
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        outcomes.push(SinkOutcome {
            sink: name,
            delivered,
            error,
            waiting_until: None,
        });
    }
    let names: Vec<&str> = sinks.iter().map(|s| s.name()).collect();
    let removed = store.prune_delivered(&names)?;
    Ok(Delivery {
        sinks: outcomes,
        heartbeat,
        removed,
        waiting: store.records_waiting()?,
    })
}
