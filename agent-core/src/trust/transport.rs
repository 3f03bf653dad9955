//! Fetching the published files: a trait so tests can swap the network, and the real one over
//! `ureq` with every timeout set, a byte cap enforced while streaming, HTTPS only, no redirects.
//!
//! Whom the transport trusts, in order: the organisation's pinned CA (`ca_certificates`) when the
//! configuration has one, and nothing else; otherwise, in the phone build (feature
//! `platform-verifier`), the platform's own verifier, which on Android is the system trust store
//! with the CAs an EMM installed; otherwise the roots compiled into the library (webpki-roots).

#[cfg(feature = "https")]
use std::time::Duration;

#[cfg(feature = "https")]
use super::config::DeviceConfig;

/// One response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// HTTP status (200, 304, 404…).
    pub status: u16,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The body (empty for 304).
    pub body: Vec<u8>,
}

/// Why a URL gave no usable response. Every variant names the URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No answer: refused, not resolved, the TLS handshake or the certificate check failed.
    #[error("{url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What the network layer said.
        reason: String,
    },
    /// An answer too slow: a timeout (connect, response, body, per read or the whole request).
    #[error("{url}: timed out ({reason})")]
    TimedOut {
        /// The URL.
        url: String,
        /// Which timeout.
        reason: String,
    },
    /// A body over the cap (cut off while streaming).
    #[error("{url}: the body is larger than the cap of {cap} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        cap: u64,
    },
    /// A redirect, which is not followed.
    #[error("{url}: redirected ({status}) to {to}; redirects are not followed")]
    Redirected {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The `Location`.
        to: String,
    },
    /// An HTTP status the step does not accept.
    #[error("{url}: the server answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
}

/// Gets a URL, conditionally on an entity tag, reading at most `cap` bytes of body.
pub trait Transport {
    /// The response, or why there is none.
    fn get(
        &mut self,
        url: &str,
        if_none_match: Option<&str>,
        cap: u64,
    ) -> Result<Response, TransportError>;
}

/// HTTPS over `ureq` (feature `https`).
#[cfg(feature = "https")]
pub struct HttpTransport {
    agent: ureq::Agent,
}

#[cfg(feature = "https")]
impl HttpTransport {
    /// A transport configured from the device configuration.
    pub fn new(config: &DeviceConfig) -> Result<HttpTransport, String> {
        Ok(HttpTransport {
            agent: agent(config, None)?,
        })
    }
}

/// The HTTPS client sync and the OTLP sink share: whom to trust (see the module note), every
/// timeout from `request_timeout`, no redirects, HTTPS only (loopback HTTP behind the switch), and
/// the client certificate a record sink may present.
#[cfg(feature = "https")]
pub(crate) fn agent(
    config: &DeviceConfig,
    client_cert: Option<ureq::tls::ClientCert>,
) -> Result<ureq::Agent, String> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let total = Duration::from_secs(config.request_timeout.secs().max(1) as u64);
    let connect = total.min(Duration::from_secs(10));
    let mut tls = TlsConfig::builder().client_cert(client_cert);
    if let Some(pem) = &config.ca_certificates {
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem.as_bytes())
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err("ca_certificates holds no PEM certificate".into());
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    } else {
        tls = tls.root_certs(default_roots());
    }
    Ok(ureq::Agent::config_builder()
        .https_only(!config.allow_http_loopback)
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(total))
        .timeout_resolve(Some(connect))
        .timeout_connect(Some(connect))
        .timeout_send_request(Some(connect))
        .timeout_recv_response(Some(total))
        .timeout_recv_body(Some(total))
        .timeout_per_read(Some(total))
        .user_agent(concat!("appwacht/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls.build())
        .build()
        .new_agent())
}

#[cfg(feature = "https")]
fn network_error(url: &str, e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::Timeout(which) => TransportError::TimedOut {
            url: url.to_string(),
            reason: which.to_string(),
        },
        other => {
            let mut reason = other.to_string();
            // rustls names it `UnknownIssuer`: the server's CA is not one this device trusts.
            if reason.contains("UnknownIssuer") || reason.to_lowercase().contains("unknown issuer")
            {
                reason.push_str(
                    " (the server's certificate is not signed by a CA this device trusts: give the organisation's CA as `ca_certificates` in the configuration)",
                );
            }
            TransportError::Unreachable {
                url: url.to_string(),
                reason,
            }
        }
    }
}

/// Whom to trust without a pinned CA. `RootCerts::PlatformVerifier` without ureq's
/// `platform-verifier` feature panics at the first request, so the choice is made at compile time.
#[cfg(feature = "platform-verifier")]
fn default_roots() -> ureq::tls::RootCerts {
    ureq::tls::RootCerts::PlatformVerifier
}

#[cfg(all(feature = "https", not(feature = "platform-verifier")))]
fn default_roots() -> ureq::tls::RootCerts {
    ureq::tls::RootCerts::WebPki
}

#[cfg(feature = "https")]
impl Transport for HttpTransport {
    fn get(
        &mut self,
        url: &str,
        if_none_match: Option<&str>,
        cap: u64,
    ) -> Result<Response, TransportError> {
        let mut request = self.agent.get(url);
        if let Some(tag) = if_none_match {
            request = request.header("If-None-Match", tag);
        }
        let mut response = request.call().map_err(|e| network_error(url, e))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) && status != 304 {
            let to = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("elsewhere");
            return Err(TransportError::Redirected {
                url: url.to_string(),
                status,
                to: to.to_string(),
            });
        }
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = if status == 200 {
            response
                .body_mut()
                .with_config()
                .limit(cap)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(cap) => TransportError::TooLarge {
                        url: url.to_string(),
                        cap,
                    },
                    other => network_error(url, other),
                })?
        } else {
            Vec::new()
        };
        Ok(Response { status, etag, body })
    }
}
