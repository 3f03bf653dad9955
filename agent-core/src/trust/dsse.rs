//! DSSE v1 envelopes: `{"payload", "payloadType", "signatures": [{"keyid", "sig"}]}`, signatures over
//! `PAE(type, body)`. The payload type binds the document kind, so a root can never be read as a
//! policy or the other way round. A key id is only a hint for which key to try first.

use std::collections::HashSet;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::TrustError;
use super::keys::{PrivateKey, PublicKey, decode_base64};

/// The payload type of a policy document.
pub const POLICY_TYPE: &str = "application/vnd.appwacht.policy+json";
/// The payload type of a root document.
pub const ROOT_TYPE: &str = "application/vnd.appwacht.root+json";

/// Signatures beyond this many are not even looked at (a document is signed by a handful of keys).
const MAX_SIGNATURES: usize = 64;

/// A DSSE envelope as it travels. Unknown fields are ignored, as the spec asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the payload.
    pub payload: String,
    /// The payload type.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature in an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// A hint at the signing key (never a security decision).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// Base64 of the signature.
    pub sig: String,
}

/// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// What a successful verification yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The payload bytes, exactly as signed.
    pub payload: Vec<u8>,
    /// Key ids (SHA-256 of the SPKI) of the distinct keys whose signatures verified.
    pub signers: Vec<String>,
}

impl Envelope {
    /// An unsigned envelope around `payload`.
    pub fn new(payload_type: &str, payload: &[u8]) -> Envelope {
        Envelope {
            payload: base64::engine::general_purpose::STANDARD.encode(payload),
            payload_type: payload_type.to_string(),
            signatures: Vec::new(),
        }
    }

    /// Parses an envelope's JSON.
    pub fn parse(bytes: &[u8]) -> Result<Envelope, TrustError> {
        serde_json::from_slice(bytes)
            .map_err(|e| TrustError::Envelope(format!("not a DSSE envelope: {e}")))
    }

    /// The envelope as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// The payload bytes (not yet verified!).
    pub fn payload_bytes(&self) -> Result<Vec<u8>, TrustError> {
        decode_base64(&self.payload)
            .ok_or_else(|| TrustError::Envelope("the payload is not base64".into()))
    }

    /// Adds a signature by `key` (replacing an earlier one by the same key).
    pub fn sign(&mut self, key: &PrivateKey) -> Result<(), TrustError> {
        let body = self.payload_bytes()?;
        let sig = key
            .sign(&pae(&self.payload_type, &body))
            .map_err(TrustError::Key)?;
        let keyid = key.public().key_id();
        self.signatures.retain(|s| s.keyid != keyid);
        self.signatures.push(EnvelopeSignature {
            keyid,
            sig: base64::engine::general_purpose::STANDARD.encode(sig),
        });
        Ok(())
    }

    /// Verifies that at least `threshold` **distinct** keys among `keys` signed the envelope, and
    /// that its payload type is `expected_type`. Returns the payload exactly as signed.
    pub fn verify(
        &self,
        expected_type: &str,
        keys: &[PublicKey],
        threshold: usize,
        role: &str,
    ) -> Result<Verified, TrustError> {
        if self.payload_type != expected_type {
            return Err(TrustError::PayloadType {
                expected: expected_type.to_string(),
                found: self.payload_type.clone(),
            });
        }
        if threshold == 0 {
            return Err(TrustError::Envelope(format!(
                "the {role} threshold is 0, which would trust anything"
            )));
        }
        let body = self.payload_bytes()?;
        let message = pae(&self.payload_type, &body);
        // Distinct keys: the same key listed under two ids counts once.
        let mut distinct: Vec<&PublicKey> = Vec::new();
        for k in keys {
            if !distinct.contains(&k) {
                distinct.push(k);
            }
        }
        let mut accepted: HashSet<&[u8]> = HashSet::new();
        let mut signers = Vec::new();
        for s in self.signatures.iter().take(MAX_SIGNATURES) {
            let Some(sig) = decode_base64(&s.sig) else {
                continue;
            };
            // Try the hinted key first, then every other key not yet counted.
            let mut order: Vec<&&PublicKey> =
                distinct.iter().filter(|k| k.key_id() == s.keyid).collect();
            order.extend(distinct.iter().filter(|k| k.key_id() != s.keyid));
            if let Some(k) = order
                .into_iter()
                .find(|k| !accepted.contains(k.spki_der()) && k.verify(&message, &sig))
            {
                accepted.insert(k.spki_der());
                signers.push(k.key_id());
            }
        }
        if accepted.len() < threshold {
            return Err(TrustError::Threshold {
                role: role.to_string(),
                found: accepted.len(),
                needed: threshold,
            });
        }
        Ok(Verified {
            payload: body,
            signers,
        })
    }
}
