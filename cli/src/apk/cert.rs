//! X.509 signing certificates as an APK carries them: the digests a policy names (SHA-256 and
//! SHA-1 of the DER), the subject as people read it, and the public key the signatures are
//! checked with.

use serde::Serialize;

use super::der::{BIT_STRING, Der, INTEGER, OID, SEQUENCE, SET, oid_text};

/// A public key's kind, for picking the verification algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum KeyKind {
    Rsa,
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    Dsa,
    Other,
}

/// A SubjectPublicKeyInfo, read.
#[derive(Clone, Debug)]
pub(crate) struct PublicKey {
    pub(crate) kind: KeyKind,
    /// What ring verifies with: RSAPublicKey DER for RSA, the uncompressed point for EC.
    pub(crate) key: Vec<u8>,
    /// Key size in bits (RSA: the modulus; EC: the curve).
    pub(crate) bits: usize,
    /// The whole SubjectPublicKeyInfo DER.
    pub(crate) spki: Vec<u8>,
}

/// One certificate.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Certificate {
    /// SHA-256 of the DER: what a policy's `certificates` names.
    pub(crate) sha256: agent_core::CertDigest,
    /// SHA-1 of the DER: what indicator feeds and `keytool` print.
    pub(crate) sha1: agent_core::CertSha1,
    /// The subject, most significant part first (as apksigner prints it).
    pub(crate) subject: String,
    /// The key's algorithm.
    pub(crate) key: KeyKind,
    /// Its size in bits.
    pub(crate) key_bits: usize,
    #[serde(skip)]
    pub(crate) public_key: Option<PublicKey>,
}

/// Reads a certificate; a part that does not parse leaves its field empty rather than failing,
/// because the digests (what a policy matches) need only the bytes.
pub(crate) fn certificate(der: &[u8]) -> Certificate {
    let (subject, public_key) = match parse(der) {
        Ok(x) => x,
        Err(e) => (format!("(unreadable: {e})"), None),
    };
    Certificate {
        sha256: agent_core::CertDigest::of_der(der),
        sha1: agent_core::CertSha1::of_der(der),
        subject,
        key: public_key.as_ref().map_or(KeyKind::Other, |k| k.kind),
        key_bits: public_key.as_ref().map_or(0, |k| k.bits),
        public_key,
    }
}

fn parse(der: &[u8]) -> Result<(String, Option<PublicKey>), String> {
    let mut top = Der::new(der);
    let cert = top.expect(SEQUENCE, "certificate")?;
    let mut c = Der::inner(&cert);
    let tbs = c.expect(SEQUENCE, "tbsCertificate")?;
    let mut t = Der::inner(&tbs);
    let _version = t.optional(0xa0);
    t.expect(INTEGER, "serial number")?;
    t.expect(SEQUENCE, "signature algorithm")?;
    t.expect(SEQUENCE, "issuer")?;
    t.expect(SEQUENCE, "validity")?;
    let subject = t.expect(SEQUENCE, "subject")?;
    let spki = t.expect(SEQUENCE, "subjectPublicKeyInfo")?;
    Ok((name(subject.contents), public_key(spki.whole).ok()))
}

/// A distinguished name, RFC 2253 order (the last RDN first), as apksigner prints it.
fn name(contents: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut rdns = Der::new(contents);
    while let Ok(set) = rdns.expect(SET, "RDN") {
        let mut atvs = Der::inner(&set);
        while let Ok(atv) = atvs.expect(SEQUENCE, "attribute") {
            let mut a = Der::inner(&atv);
            let (Ok(oid), Ok(value)) = (a.expect(OID, "attribute type"), a.any()) else {
                continue;
            };
            let key = match oid_text(oid.contents).as_str() {
                "2.5.4.3" => "CN".to_string(),
                "2.5.4.6" => "C".into(),
                "2.5.4.7" => "L".into(),
                "2.5.4.8" => "ST".into(),
                "2.5.4.10" => "O".into(),
                "2.5.4.11" => "OU".into(),
                "1.2.840.113549.1.9.1" => "EMAILADDRESS".into(),
                other => other.to_string(),
            };
            let text = match value.tag {
                // BMPString: UTF-16BE.
                0x1e => {
                    let units: Vec<u16> = value
                        .contents
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16_lossy(&units)
                }
                _ => String::from_utf8_lossy(value.contents).into_owned(),
            };
            parts.push(format!("{key}={text}"));
        }
    }
    parts.reverse();
    parts.join(", ")
}

/// A SubjectPublicKeyInfo (DER) read for verification.
pub(crate) fn public_key(spki: &[u8]) -> Result<PublicKey, String> {
    let mut top = Der::new(spki);
    let seq = top.expect(SEQUENCE, "subjectPublicKeyInfo")?;
    let mut s = Der::inner(&seq);
    let alg = s.expect(SEQUENCE, "key algorithm")?;
    let bits = s.expect(BIT_STRING, "public key")?;
    let key = bits
        .contents
        .split_first()
        .map(|(_, k)| k.to_vec())
        .ok_or("an empty public key")?;
    let mut a = Der::inner(&alg);
    let oid = oid_text(a.expect(OID, "key algorithm")?.contents);
    let params = a.any().ok();
    let (kind, size) = match oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            let mut k = Der::new(&key);
            let seq = k.expect(SEQUENCE, "RSA key")?;
            let modulus = Der::inner(&seq).expect(INTEGER, "RSA modulus")?;
            let n = modulus.contents;
            let leading = n.iter().take_while(|b| **b == 0).count();
            let significant = n.get(leading..).unwrap_or_default();
            let bits = significant.first().map_or(0, |b| {
                (significant.len() - 1) * 8 + (8 - b.leading_zeros() as usize)
            });
            (KeyKind::Rsa, bits)
        }
        "1.2.840.10045.2.1" => match params.map(|p| oid_text(p.contents)).as_deref() {
            Some("1.2.840.10045.3.1.7") => (KeyKind::EcP256, 256),
            Some("1.3.132.0.34") => (KeyKind::EcP384, 384),
            _ => (KeyKind::Other, 0),
        },
        "1.2.840.10040.4.1" => (KeyKind::Dsa, 0),
        _ => (KeyKind::Other, 0),
    };
    Ok(PublicKey {
        kind,
        key,
        bits: size,
        spki: spki.to_vec(),
    })
}
