//! Records as OpenTelemetry logs: the OTLP/HTTP JSON encoding of an `ExportLogsServiceRequest`
//! (opentelemetry-proto `collector/logs/v1/logs_service.proto`, JSON mapping per the OTLP
//! specification: lowerCamelCase field names, 64-bit integers as strings, enums as numbers).
//!
//! Each record is one log record: its body is the record as JSON (what a collector's file
//! exporter keeps, and `appwacht fleet` reads), its attributes the fields a SIEM query filters on.

use serde_json::{Value, json};

use super::{Record, Severity};

fn text(key: &str, value: &str) -> Value {
    json!({"key": key, "value": {"stringValue": value}})
}

fn int(key: &str, value: i64) -> Value {
    json!({"key": key, "value": {"intValue": value.to_string()}})
}

/// The request body for `records` (one resource per device, in the order given).
pub fn otlp_json(records: &[Record]) -> String {
    let mut by_device: Vec<(&str, Vec<&Record>)> = Vec::new();
    for r in records {
        match by_device.iter_mut().find(|(d, _)| *d == r.device) {
            Some((_, list)) => list.push(r),
            None => by_device.push((r.device.as_str(), vec![r])),
        }
    }
    let resource_logs: Vec<Value> = by_device
        .into_iter()
        .map(|(device, list)| {
            let mut attributes = vec![
                text("service.name", "appwacht"),
                text("service.version", env!("CARGO_PKG_VERSION")),
                text("device.id", device),
            ];
            if let Some(org) = list.first().and_then(|r| r.organisation.as_deref()) {
                attributes.push(text("appwacht.organisation", org));
            }
            let log_records: Vec<Value> = list.iter().map(|r| log_record(r)).collect();
            json!({
                "resource": {"attributes": attributes},
                "scopeLogs": [{
                    "scope": {"name": "appwacht.compliance", "version": super::SCHEMA},
                    "logRecords": log_records,
                }],
            })
        })
        .collect();
    json!({"resourceLogs": resource_logs}).to_string()
}

fn log_record(r: &Record) -> Value {
    // SeverityNumber: INFO 9, INFO2 10, WARN 13 (logs data model).
    let (number, word) = match r.severity {
        Severity::Routine => (9, "INFO"),
        Severity::Notice => (10, "INFO2"),
        Severity::Violation => (13, "WARN"),
    };
    let nanos = (r.time.unix().max(0) as u128 * 1_000_000_000).to_string();
    let mut attributes = vec![
        text("appwacht.kind", &r.kind),
        text("appwacht.id", &r.id),
        int("appwacht.seq", r.seq as i64),
        text("appwacht.severity", r.severity.as_str()),
    ];
    if let Some(p) = &r.policy {
        attributes.push(int("appwacht.policy.version", p.version as i64));
    }
    if let Some(package) = r.data.get("package").and_then(Value::as_str) {
        attributes.push(text("appwacht.package", package));
    }
    if let Some(rule) = r.data.get("rule").and_then(Value::as_str) {
        attributes.push(text("appwacht.rule", rule));
    }
    json!({
        "timeUnixNano": nanos,
        "observedTimeUnixNano": nanos,
        "severityNumber": number,
        "severityText": word,
        "body": {"stringValue": r.to_json()},
        "attributes": attributes,
    })
}
