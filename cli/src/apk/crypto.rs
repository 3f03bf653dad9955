//! Signature checks with ring. What ring cannot check is said, never passed: DSA (old v1
//! signatures and a few v2 ones), ECDSA with SHA-512, ECDSA with SHA-1 (old v1), and RSA keys
//! under 1024 bits.

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use super::cert::{KeyKind, PublicKey};

/// A hash a signature is made over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

/// How a signature is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
    Dsa(Hash),
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Valid,
    Invalid,
    /// Not checked, and why.
    Unsupported(String),
}

impl Check {
    /// How a report says it.
    pub(crate) fn text(&self) -> String {
        match self {
            Check::Valid => "valid".to_string(),
            Check::Invalid => "INVALID".to_string(),
            Check::Unsupported(why) => format!("not checked: {why}"),
        }
    }
}

fn algorithm(
    scheme: Scheme,
    key: &PublicKey,
) -> Result<&'static dyn VerificationAlgorithm, String> {
    Ok(match (scheme, key.kind) {
        (Scheme::RsaPkcs1(h), KeyKind::Rsa) => match h {
            Hash::Sha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            Hash::Sha512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        },
        (Scheme::RsaPss(Hash::Sha256), KeyKind::Rsa) => &signature::RSA_PSS_2048_8192_SHA256,
        (Scheme::RsaPss(Hash::Sha512), KeyKind::Rsa) => &signature::RSA_PSS_2048_8192_SHA512,
        (Scheme::Ecdsa(Hash::Sha256), KeyKind::EcP256) => &signature::ECDSA_P256_SHA256_ASN1,
        (Scheme::Ecdsa(Hash::Sha256), KeyKind::EcP384) => &signature::ECDSA_P384_SHA256_ASN1,
        (Scheme::Dsa(_), _) | (_, KeyKind::Dsa) => {
            return Err("DSA signatures are not verified (ring has no DSA)".into());
        }
        (Scheme::Ecdsa(h), _) => {
            return Err(format!(
                "ECDSA with {h:?} is not verified (ring has no such algorithm)"
            ));
        }
        (s, k) => return Err(format!("a {k:?} key cannot make a {s:?} signature")),
    })
}

/// Checks `signature` over `message` with `key`.
pub(crate) fn verify(scheme: Scheme, key: &PublicKey, message: &[u8], sig: &[u8]) -> Check {
    if key.kind == KeyKind::Rsa && key.bits < 1024 {
        return Check::Unsupported(format!("a {}-bit RSA key is not verified", key.bits));
    }
    match algorithm(scheme, key) {
        Ok(alg) => match UnparsedPublicKey::new(alg, &key.key).verify(message, sig) {
            Ok(()) => Check::Valid,
            Err(_) => Check::Invalid,
        },
        Err(why) => Check::Unsupported(why),
    }
}
