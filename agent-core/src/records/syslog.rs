//! Records as syslog messages: RFC 5424 (the message), with RFC 6587/5425 octet counting (the
//! frame a TLS transport carries). The record itself is the message, as one line of JSON, so what
//! rsyslog writes with `%msg%` is what `appwacht fleet` reads.

use super::{Record, Severity};

/// The private enterprise number in the structured data's id (`appwacht@32473`). 32473 is the
/// number RFC 5612 reserves for examples and documentation: Appwacht has none of its own, and a
/// receiver filters on the name before the `@`.
pub const SYSLOG_ENTERPRISE: u32 = 32473;

/// Facility 13, "log audit" (RFC 5424 §6.2.1): a compliance record is an audit record.
const FACILITY: u8 = 13;

/// One record as an RFC 5424 message: `<PRI>1 TIME HOST appwacht - KIND [appwacht@32473 …] JSON`.
/// The host field is the device id, the message id the record's kind.
pub fn syslog_message(record: &Record) -> String {
    let severity = match record.severity {
        Severity::Violation => 4, // warning
        Severity::Notice => 5,    // notice
        Severity::Routine => 6,   // informational
    };
    let pri = u16::from(FACILITY) * 8 + severity;
    let host = header_field(&record.device, 255);
    let msgid = header_field(&record.kind, 32);
    let mut sd = format!(
        "[appwacht@{SYSLOG_ENTERPRISE} id=\"{}\" seq=\"{}\" severity=\"{}\"",
        param(&record.id),
        record.seq,
        record.severity.as_str()
    );
    if let Some(org) = &record.organisation {
        sd.push_str(&format!(" organisation=\"{}\"", param(org)));
    }
    if let Some(p) = &record.policy {
        sd.push_str(&format!(" policy=\"{}\"", p.version));
    }
    sd.push(']');
    // MSG-UTF8 starts with a byte-order mark (RFC 5424 §6.4); rsyslog keeps it in `%msg%`, and the
    // fleet report skips it.
    format!(
        "<{pri}>1 {} {host} appwacht - {msgid} {sd} \u{feff}{}",
        record.time,
        record.to_json()
    )
}

/// A message framed for a stream: its length in octets, a space, the message (RFC 6587 §3.4.1,
/// the framing RFC 5425 §4.3 requires over TLS).
pub fn syslog_frame(record: &Record) -> Vec<u8> {
    let message = syslog_message(record);
    let mut frame = format!("{} ", message.len()).into_bytes();
    frame.extend_from_slice(message.as_bytes());
    frame
}

/// A header field: printable US-ASCII only (RFC 5424 §6), cut to `max`, `-` when empty.
fn header_field(text: &str, max: usize) -> String {
    let field: String = text
        .chars()
        .filter(|c| ('!'..='~').contains(c))
        .take(max)
        .collect();
    if field.is_empty() {
        "-".to_string()
    } else {
        field
    }
}

/// A structured-data value: `"`, `\` and `]` escaped (RFC 5424 §6.3.3).
fn param(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// The host and port of a `syslog+tls://host[:port]` address (RFC 5425's port 6514 when none is
/// given). Only TLS is accepted: records name people's phones and apps.
pub fn syslog_address(url: &str) -> Result<(String, u16), String> {
    let Some(rest) = url
        .strip_prefix("syslog+tls://")
        .or_else(|| url.strip_prefix("tls://"))
    else {
        return Err(format!(
            "`{}` is not a syslog+tls://host:port address (records are sent over TLS only)",
            url.chars().take(80).collect::<String>()
        ));
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => {
            let port = p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{p}` is not a port number"))?;
            (h, port)
        }
        _ => (rest, 6514),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains('/') {
        return Err(format!("`{url}` names no host"));
    }
    Ok((host.to_string(), port))
}
