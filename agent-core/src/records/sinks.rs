//! The real sinks (feature `https`): OpenTelemetry logs over HTTPS with `ureq`, and syslog over
//! TLS with `rustls`, both trusting what sync trusts (the pinned `ca_certificates`, else the
//! public roots), with the same timeouts, and an optional client certificate or bearer token.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use super::deliver::{Sink, SinkError};
use super::{Record, otlp_json, syslog_address, syslog_frame};
use crate::time::Span;
use crate::trust::DeviceConfig;

/// The sinks a configuration names (none when it names none). An error names the key.
pub fn sinks(config: &DeviceConfig) -> Result<Vec<Box<dyn Sink>>, String> {
    let mut out: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(url) = &config.records.syslog_url {
        out.push(Box::new(
            SyslogTls::new(url, config).map_err(|e| format!("syslog_url: {e}"))?,
        ));
    }
    if let Some(url) = &config.records.otlp_logs_url {
        out.push(Box::new(
            OtlpHttp::new(url, config).map_err(|e| format!("otlp_logs_url: {e}"))?,
        ));
    }
    Ok(out)
}

/// The client certificate chain and key from `records_client_certificate`, checked to belong
/// together (a mismatch is an error here, not a failure at the first handshake).
fn client_identity(
    config: &DeviceConfig,
) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, String> {
    let Some(pem) = &config.records.client_certificate else {
        return Ok(None);
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err("records_client_certificate holds no PEM certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| "records_client_certificate holds no PEM private key".to_string())?;
    // rustls checks that the key signs for the certificate.
    client_config(config, Some((chain.clone(), key.clone_key())))?;
    Ok(Some((chain, key)))
}

fn roots(config: &DeviceConfig) -> Result<rustls::RootCertStore, String> {
    let mut store = rustls::RootCertStore::empty();
    match &config.ca_certificates {
        Some(pem) => {
            let certs: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(pem.as_bytes())
                    .filter_map(Result::ok)
                    .collect();
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err("ca_certificates holds no usable PEM certificate".into());
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(store)
}

fn client_config(
    config: &DeviceConfig,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    // Whom to trust is sync's choice: the pinned CA; else, on the phone, the platform's verifier
    // (the system store with the CAs an EMM installed); else the public roots.
    #[cfg(feature = "platform-verifier")]
    let builder = if config.ca_certificates.is_none() {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(
                rustls_platform_verifier::Verifier::new(provider).map_err(|e| e.to_string())?,
            ))
    } else {
        builder.with_root_certificates(roots(config)?)
    };
    #[cfg(not(feature = "platform-verifier"))]
    let builder = {
        let _ = provider;
        builder.with_root_certificates(roots(config)?)
    };
    let tls = match identity {
        Some((chain, key)) => builder.with_client_auth_cert(chain, key).map_err(|e| {
            format!("records_client_certificate: the key does not fit the certificate ({e})")
        })?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(tls))
}

fn timeout(config: &DeviceConfig) -> Duration {
    Duration::from_secs(config.request_timeout.secs().max(1) as u64)
}

/// OpenTelemetry logs over HTTP (OTLP/HTTP, JSON encoding) to a collector's `/v1/logs`.
pub struct OtlpHttp {
    url: String,
    agent: ureq::Agent,
    token: Option<String>,
}

impl OtlpHttp {
    /// A sink posting to `url`: HTTPS (plain HTTP only to loopback with `allow_http_loopback`).
    pub fn new(url: &str, config: &DeviceConfig) -> Result<OtlpHttp, String> {
        use ureq::tls::{Certificate, ClientCert, PrivateKey};
        let mut client_cert = None;
        if client_identity(config)?.is_some()
            && let Some(pem) = &config.records.client_certificate
        {
            let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem.as_bytes())
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            let key =
                PrivateKey::from_pem(pem.as_bytes()).map_err(|e| format!("client key: {e}"))?;
            client_cert = Some(ClientCert::new_with_certs(&chain, key));
        }
        let agent = crate::trust::transport::agent(config, client_cert)?;
        Ok(OtlpHttp {
            url: url.to_string(),
            agent,
            token: config.records.token.clone(),
        })
    }
}

impl Sink for OtlpHttp {
    fn name(&self) -> &str {
        &self.url
    }

    fn send(&mut self, records: &[Record]) -> Result<(), SinkError> {
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response =
            request
                .send(otlp_json(records).as_bytes())
                .map_err(|e| SinkError::Retry {
                    reason: format!("{}: {e}", self.url),
                    after: None,
                })?;
        let status = response.status().as_u16();
        let after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(Span::from_secs);
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default();
        match status {
            200..=299 => {
                // A partial success names records the collector rejected for good; the OTLP
                // specification says not to send them again.
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body)
                    && let Some(p) = v.get("partialSuccess")
                    && p.get("rejectedLogRecords").is_some()
                {
                    log::warn!("{}: the collector rejected some records: {p}", self.url);
                }
                Ok(())
            }
            // Retryable per the OTLP/HTTP specification.
            429 | 502 | 503 | 504 => Err(SinkError::Retry {
                reason: format!("{}: HTTP {status}", self.url),
                after,
            }),
            500..=599 => Err(SinkError::Retry {
                reason: format!("{}: HTTP {status}", self.url),
                after: None,
            }),
            _ => Err(SinkError::Refused {
                reason: format!(
                    "{}: HTTP {status} {}",
                    self.url,
                    body.chars().take(200).collect::<String>()
                ),
            }),
        }
    }
}

/// Syslog over TLS (RFC 5425): RFC 5424 messages, octet-counted, to the organisation's log
/// server. What it promises: a batch counts as accepted once it was written, the TLS session
/// closed with `close_notify`, and the server closed its side in turn — so the server's TCP
/// stack had read every byte before it. It cannot promise the server wrote them to disk: syslog
/// has no acknowledgement (RELP has; see docs/FLEET.md).
pub struct SyslogTls {
    url: String,
    host: String,
    port: u16,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl SyslogTls {
    /// A sink for `syslog+tls://host[:port]`.
    pub fn new(url: &str, config: &DeviceConfig) -> Result<SyslogTls, String> {
        let (host, port) = syslog_address(url)?;
        let tls = client_config(config, client_identity(config)?)?;
        Ok(SyslogTls {
            url: url.to_string(),
            host,
            port,
            tls,
            timeout: timeout(config),
        })
    }

    fn session(&self, records: &[Record]) -> Result<(), String> {
        let deadline = Instant::now() + self.timeout;
        let left = || {
            deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        };
        let addrs: Vec<_> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?
            .collect();
        let mut tcp = None;
        let mut last = String::from("no address");
        for a in &addrs {
            match TcpStream::connect_timeout(a, left().min(Duration::from_secs(10))) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = format!("{a}: {e}"),
            }
        }
        let mut tcp = tcp.ok_or(last)?;
        let name = ServerName::try_from(self.host.clone())
            .map_err(|_| format!("`{}` is not a server name", self.host))?;
        let mut conn = rustls::ClientConnection::new(self.tls.clone(), name)
            .map_err(|e| format!("TLS: {e}"))?;
        let io = |e: std::io::Error| {
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                "timed out".to_string()
            } else {
                e.to_string()
            }
        };
        tcp.set_write_timeout(Some(left())).map_err(io)?;
        tcp.set_read_timeout(Some(left())).map_err(io)?;
        let mut stream = rustls::Stream::new(&mut conn, &mut tcp);
        for r in records {
            stream.write_all(&syslog_frame(r)).map_err(io)?;
        }
        stream.flush().map_err(io)?;
        // Close our side and wait for the server to close its own: it has then read everything.
        stream.conn.send_close_notify();
        while stream.conn.wants_write() {
            stream.conn.write_tls(stream.sock).map_err(io)?;
        }
        let _ = stream.sock.shutdown(std::net::Shutdown::Write);
        let mut buf = [0u8; 512];
        loop {
            stream.sock.set_read_timeout(Some(left())).map_err(io)?;
            match stream.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                // A server that closes without its own close_notify has still read all of it.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return Err("the server reset the connection before closing it".into());
                }
                Err(e) => return Err(io(e)),
            }
        }
    }
}

impl Sink for SyslogTls {
    fn name(&self) -> &str {
        &self.url
    }

    fn batch_size(&self) -> usize {
        500
    }

    fn send(&mut self, records: &[Record]) -> Result<(), SinkError> {
        self.session(records).map_err(|reason| SinkError::Retry {
            reason: format!("{}: {reason}", self.url),
            after: None,
        })
    }
}
