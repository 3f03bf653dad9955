//! Signing keys: Ed25519 and ECDSA P-256, public keys as SubjectPublicKeyInfo, private keys as
//! PKCS#8, both as PEM. Verification and signing go through `ring`.

use std::fmt;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use crate::digest::sha256_hex;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows.
const ED25519_SPKI_PREFIX: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// The DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte uncompressed point follows.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The key algorithms a policy may be signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum KeyType {
    /// Ed25519 (RFC 8032).
    #[serde(rename = "ed25519")]
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256 (what most HSMs and cloud KMSs sign with).
    #[serde(rename = "ecdsa-p256")]
    EcdsaP256,
}

impl KeyType {
    /// Parses `ed25519` or `p256` (also `ecdsa-p256`).
    pub fn parse(text: &str) -> Option<KeyType> {
        match text {
            "ed25519" => Some(KeyType::Ed25519),
            "p256" | "ecdsa-p256" => Some(KeyType::EcdsaP256),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::EcdsaP256 => "ecdsa-p256",
        })
    }
}

/// A public key, kept as its SubjectPublicKeyInfo DER.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    kind: KeyType,
    spki: Vec<u8>,
}

/// Why a key could not be read, made or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// DER that is not a public key of a supported kind.
    #[error("not an Ed25519 or uncompressed ECDSA P-256 SubjectPublicKeyInfo")]
    UnsupportedPublicKey,
    /// DER that is not a private key of a supported kind.
    #[error("not a PKCS#8 Ed25519 or ECDSA P-256 private key")]
    UnsupportedPrivateKey,
    /// Text that is neither a PEM public key nor base64 of one.
    #[error("neither a PEM public key nor base64 of one")]
    NotAPublicKey,
    /// Text that is not a PEM private key.
    #[error("not a PEM private key (-----BEGIN PRIVATE KEY-----)")]
    NotAPrivateKey,
    /// A public key where signing needs the private one.
    #[error("this is a public key; signing needs the private key")]
    PublicInsteadOfPrivate,
    /// A PEM block without its end line.
    #[error("the PEM block has no `-----END {label}-----` line")]
    PemUnterminated {
        /// The block's label (`PUBLIC KEY`, `CERTIFICATE`…).
        label: String,
    },
    /// A PEM block whose body is not base64.
    #[error("the PEM block is not valid base64")]
    PemNotBase64,
    /// The system's random generator failed (generating a key or an ECDSA nonce).
    #[error("the system random generator failed")]
    Random,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut id = self.key_id();
        id.truncate(16);
        write!(f, "PublicKey({} {id})", self.kind)
    }
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo DER, accepting only Ed25519 and uncompressed P-256 keys.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let kind = if der.len() == ED25519_SPKI_PREFIX.len() + 32
            && der.starts_with(ED25519_SPKI_PREFIX)
        {
            KeyType::Ed25519
        } else if der.len() == P256_SPKI_PREFIX.len() + 65
            && der.starts_with(P256_SPKI_PREFIX)
            && der.get(P256_SPKI_PREFIX.len()) == Some(&4)
        {
            KeyType::EcdsaP256
        } else {
            return Err(KeyError::UnsupportedPublicKey);
        };
        Ok(PublicKey {
            kind,
            spki: der.to_vec(),
        })
    }

    /// A public key from its raw form: 32 bytes for Ed25519, a 65-byte uncompressed point for P-256.
    pub fn from_raw(kind: KeyType, raw: &[u8]) -> Result<PublicKey, KeyError> {
        let prefix = match kind {
            KeyType::Ed25519 => ED25519_SPKI_PREFIX,
            KeyType::EcdsaP256 => P256_SPKI_PREFIX,
        };
        PublicKey::from_spki_der(&[prefix, raw].concat())
    }

    /// Reads a PEM `PUBLIC KEY` block or base64 of the DER.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let der = match pem_decode(text, "PUBLIC KEY") {
            Some(der) => der?,
            None => decode_base64(text.trim()).ok_or(KeyError::NotAPublicKey)?,
        };
        PublicKey::from_spki_der(&der)
    }

    /// The algorithm.
    pub fn kind(&self) -> KeyType {
        self.kind
    }

    /// The SubjectPublicKeyInfo DER.
    pub(crate) fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The key's id: lower-case hex SHA-256 of its SubjectPublicKeyInfo DER.
    pub fn key_id(&self) -> String {
        sha256_hex(&self.spki)
    }

    /// Base64 of the SubjectPublicKeyInfo DER, as root documents carry keys.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.spki)
    }

    /// PEM `PUBLIC KEY`.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki)
    }

    fn raw(&self) -> &[u8] {
        // The prefix was checked when the key was read, so these never fall back.
        let prefix = match self.kind {
            KeyType::Ed25519 => ED25519_SPKI_PREFIX.len(),
            KeyType::EcdsaP256 => P256_SPKI_PREFIX.len(),
        };
        self.spki.get(prefix..).unwrap_or_default()
    }

    /// Whether `sig` is this key's signature over `message`. ECDSA signatures may be DER (what
    /// securesystemslib and cosign emit) or the raw 64-byte r||s (what the DSSE example uses).
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self.kind {
            KeyType::Ed25519 => UnparsedPublicKey::new(&signature::ED25519, self.raw())
                .verify(message, sig)
                .is_ok(),
            KeyType::EcdsaP256 => {
                let der = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, self.raw());
                let fixed = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, self.raw());
                der.verify(message, sig).is_ok()
                    || (sig.len() == 64 && fixed.verify(message, sig).is_ok())
            }
        }
    }
}

enum Pair {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
}

/// A private signing key, kept as PKCS#8 DER.
pub struct PrivateKey {
    pkcs8: Vec<u8>,
    pair: Pair,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?})", self.public)
    }
}

impl PrivateKey {
    /// A new random key.
    pub fn generate(kind: KeyType) -> Result<PrivateKey, KeyError> {
        let rng = SystemRandom::new();
        let doc = match kind {
            KeyType::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng),
            KeyType::EcdsaP256 => {
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            }
        }
        .map_err(|_| KeyError::Random)?;
        PrivateKey::from_pkcs8_der(doc.as_ref())
    }

    /// Reads PKCS#8 DER (v1 or v2) of an Ed25519 or P-256 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            let public = PublicKey::from_raw(KeyType::Ed25519, pair.public_key().as_ref())?;
            return Ok(PrivateKey {
                pkcs8: der.to_vec(),
                pair: Pair::Ed(pair),
                public,
            });
        }
        let rng = SystemRandom::new();
        if let Ok(pair) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
        {
            let public = PublicKey::from_raw(KeyType::EcdsaP256, pair.public_key().as_ref())?;
            return Ok(PrivateKey {
                pkcs8: der.to_vec(),
                pair: Pair::Ec(pair),
                public,
            });
        }
        Err(KeyError::UnsupportedPrivateKey)
    }

    /// Reads a PEM `PRIVATE KEY` block.
    pub fn parse(text: &str) -> Result<PrivateKey, KeyError> {
        match pem_decode(text, "PRIVATE KEY") {
            Some(der) => PrivateKey::from_pkcs8_der(&der?),
            None if text.contains("PUBLIC KEY") => Err(KeyError::PublicInsteadOfPrivate),
            None => Err(KeyError::NotAPrivateKey),
        }
    }

    /// PEM `PRIVATE KEY`.
    pub fn to_pem(&self) -> String {
        pem_encode("PRIVATE KEY", &self.pkcs8)
    }

    /// The public half.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `message` (ECDSA signatures are DER).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.pair {
            Pair::Ed(p) => Ok(p.sign(message).as_ref().to_vec()),
            Pair::Ec(p) => p
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                // ring's ECDSA signing fails only when the random generator does (its nonce).
                .map_err(|_| KeyError::Random),
        }
    }
}

/// Decodes standard or URL-safe base64, padded or not (DSSE verifiers must accept all of them).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(text).ok())
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside the first PEM block with this label: `None` if there is no such block.
pub(crate) fn pem_decode(text: &str, label: &str) -> Option<Result<Vec<u8>, KeyError>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let (_, after) = text.split_once(&begin)?;
    let Some((inside, _)) = after.split_once(&end) else {
        return Some(Err(KeyError::PemUnterminated {
            label: label.to_string(),
        }));
    };
    let body: String = inside.chars().filter(|c| !c.is_whitespace()).collect();
    Some(decode_base64(&body).ok_or(KeyError::PemNotBase64))
}
