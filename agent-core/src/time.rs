//! Points in time and spans, as the policy and the store need them.
//!
//! Time is whole seconds since the Unix epoch, UTC. On the wire it is RFC 3339; a bare date in an
//! authored policy (`2027-06-30`) means the *end* of that day in UTC, because an administrator who
//! writes "expires 30 June" expects the exception to hold on 30 June.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// The system clock, now.
    pub fn now() -> Self {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Parses RFC 3339 (any offset), or a bare `YYYY-MM-DD` meaning the end of that day in UTC.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(Timestamp(t.unix_timestamp()));
        }
        let date_format = time::macros::format_description!("[year]-[month]-[day]");
        match Date::parse(text, &date_format) {
            Ok(d) => Ok(Timestamp(
                d.midnight().assume_utc().unix_timestamp() + 86_400 - 1,
            )),
            Err(_) => Err(format!(
                "`{text}` is not a time: write RFC 3339 (2027-06-30T17:00:00Z) or a date (2027-06-30)"
            )),
        }
    }

    /// This time plus a span (saturating: a far-future expiry must not wrap around).
    pub fn plus(self, span: Span) -> Self {
        Timestamp(self.0.saturating_add(span.0))
    }

    /// Seconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> i64 {
        // Saturating: times come from outside (inventories, dumps), and no input may panic.
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
        {
            Some(s) => f.write_str(&s),
            None => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimestampVisitor)
    }
}

/// Takes a string, or a TOML date-time (which the `toml` crate hands over as a one-entry map), so
/// that administrators may write `expires = 2027-06-30` without quotes.
struct TimestampVisitor;

impl<'de> serde::de::Visitor<'de> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time or a date")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse(v).map_err(E::custom)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Timestamp, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, text)) => Timestamp::parse(&text).map_err(serde::de::Error::custom),
            None => Err(serde::de::Error::custom("expected a time")),
        }
    }
}

/// A length of time, in whole seconds, written `90m`, `72h`, `14d` or `2w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(i64);

impl Span {
    /// A span of `secs` seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Span(secs)
    }

    /// The span in seconds.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// Parses `<number><unit>` with unit `s`, `m`, `h`, `d` or `w`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad =
            || format!("`{text}` is not a span: write a number and a unit, as in 72h, 14d or 2w");
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let n: i64 = number.parse().map_err(|_| bad())?;
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(bad()),
        };
        n.checked_mul(unit_secs).map(Span).ok_or_else(bad)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s != 0 && s % 604_800 == 0 {
            write!(f, "{}w", s / 604_800)
        } else if s != 0 && s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s % 3_600 == 0 {
            write!(f, "{}h", s / 3_600)
        } else if s != 0 && s % 60 == 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_bare_dates() {
        let z = Timestamp::parse("2026-11-22T12:00:00Z").unwrap();
        let plus2 = Timestamp::parse("2026-11-22T14:00:00+02:00").unwrap();
        assert_eq!(z, plus2);
        let end_of_day = Timestamp::parse("2026-11-22").unwrap();
        assert_eq!(end_of_day.to_string(), "2026-11-22T23:59:59Z");
        assert!(Timestamp::parse("22/11/2026").is_err());
    }

    #[test]
    fn spans_round_trip() {
        for text in ["72h", "14d", "2w", "90m", "45s", "25h"] {
            let span = Span::parse(text).unwrap();
            assert_eq!(Span::parse(&span.to_string()).unwrap(), span);
        }
        assert_eq!(Span::parse("72h").unwrap().to_string(), "3d");
        assert_eq!(Span::parse("72h").unwrap().secs(), 259_200);
        assert!(Span::parse("3 days").is_err());
        assert!(Span::parse("h").is_err());
    }
}
