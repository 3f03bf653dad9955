//! Digests of signing certificates, the identity Android gives for an app's publisher: SHA-256, and
//! SHA-1 as indicator feeds name them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The SHA-256 of a DER signing certificate (what `SigningInfo` yields and `apksigner` prints).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertDigest(pub [u8; 32]);

/// `N` bytes from `2N` hex digits, `:` between bytes allowed; `what` names the digest in errors.
fn hex_digits<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    // Character by character, never by byte index: a digest with `é` in it is an error, not
    // a panic.
    let digits: Vec<u8> = text
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            format!(
                "`{text}` is not a {what} certificate digest: it holds a character that is not hex"
            )
        })?;
    if digits.len() != 2 * N {
        return Err(format!(
            "`{text}` is not a {what} certificate digest: expected {} hex digits, found {}",
            2 * N,
            digits.len()
        ));
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        if let [hi, lo] = pair {
            *byte = hi << 4 | lo;
        }
    }
    Ok(out)
}

/// The SHA-1 of a DER signing certificate: what indicator feeds (stalkerware-indicators, older
/// threat reports) and `keytool -list` name certificates by. Good for recognising a certificate,
/// not for vouching for one: SHA-1 collisions can be made (chosen-prefix, "SHA-1 is a Shambles",
/// 2020), so an allow by SHA-1 is warned about (see `policy::careless`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertSha1(pub [u8; 20]);

/// A certificate as a policy names it: by SHA-256 (64 hex digits) or by SHA-1 (40). Written as the
/// bare hex either way; the length says which, so a document that only uses SHA-256 reads as it
/// always did.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CertFingerprint {
    /// The SHA-256 of the DER certificate.
    Sha256(CertDigest),
    /// The SHA-1 of the DER certificate.
    Sha1(CertSha1),
}

impl CertFingerprint {
    /// Parses a SHA-256 or SHA-1 digest, told apart by the number of hex digits.
    pub fn parse(text: &str) -> Result<Self, String> {
        let digits = text.chars().filter(|c| *c != ':').count();
        if digits == 40 {
            CertSha1::parse(text).map(CertFingerprint::Sha1)
        } else {
            CertDigest::parse(text)
                .map(CertFingerprint::Sha256)
                .map_err(|e| {
                    if digits == 64 {
                        e
                    } else {
                        format!(
                            "`{text}` is not a certificate digest: expected 64 hex digits (SHA-256) or 40 (SHA-1), found {digits}"
                        )
                    }
                })
        }
    }

    /// The name of the digest algorithm, as reasons and reports say it.
    pub fn algorithm(&self) -> &'static str {
        match self {
            CertFingerprint::Sha256(_) => "SHA-256",
            CertFingerprint::Sha1(_) => "SHA-1",
        }
    }

    /// Both fingerprints of one DER certificate.
    pub fn both_of_der(der: &[u8]) -> [CertFingerprint; 2] {
        [
            CertFingerprint::Sha256(CertDigest::of_der(der)),
            CertFingerprint::Sha1(CertSha1::of_der(der)),
        ]
    }
}

impl From<CertDigest> for CertFingerprint {
    fn from(d: CertDigest) -> Self {
        CertFingerprint::Sha256(d)
    }
}

impl From<CertSha1> for CertFingerprint {
    fn from(d: CertSha1) -> Self {
        CertFingerprint::Sha1(d)
    }
}

/// Lower-case hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Lower-case hex SHA-256 of any bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// A digest type's parsing and computing, lower-case hex for people and documents, `Name(hex)` for
/// debugging, and the same hex in serde (parsed back with `parse`, so every spelling it accepts is
/// accepted).
macro_rules! hex_digest {
    ($t:ident, $bytes:literal, $name:literal, $algorithm:expr) => {
        impl $t {
            #[doc = concat!("Parses ", stringify!($bytes), " bytes as hex digits (", $name, "), upper or lower case, with or")]
            /// without `:` between bytes (as `keytool` prints them), so administrators can paste what
            /// their tool shows.
            pub fn parse(text: &str) -> Result<Self, String> {
                hex_digits::<$bytes>(text, $name).map($t)
            }

            #[doc = concat!("The ", $name, " of `der`.")]
            pub fn of_der(der: &[u8]) -> Self {
                let d = ring::digest::digest($algorithm, der);
                let mut out = [0u8; $bytes];
                out.copy_from_slice(d.as_ref());
                $t(out)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex(&self.0))
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($t))
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $t::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_digest!(CertDigest, 32, "SHA-256", &ring::digest::SHA256);
hex_digest!(
    CertSha1,
    20,
    "SHA-1",
    &ring::digest::SHA1_FOR_LEGACY_USE_ONLY
);

impl fmt::Display for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertFingerprint::Sha256(d) => d.fmt(f),
            CertFingerprint::Sha1(d) => d.fmt(f),
        }
    }
}

impl fmt::Debug for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertFingerprint::Sha256(d) => d.fmt(f),
            CertFingerprint::Sha1(d) => d.fmt(f),
        }
    }
}

impl Serialize for CertFingerprint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertFingerprint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CertFingerprint::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How `keytool` prints a digest: upper case, a colon between bytes.
    fn keytool(hex: &str) -> String {
        hex.to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(":")
    }

    #[test]
    fn accepts_keytool_and_apksigner_spellings() {
        let plain = "9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba";
        assert_eq!(
            CertDigest::parse(plain).unwrap(),
            CertDigest::parse(&keytool(plain)).unwrap()
        );
        assert_eq!(CertDigest::parse(plain).unwrap().to_string(), plain);
    }

    #[test]
    fn rejects_short_and_non_hex_digests() {
        assert!(CertDigest::parse("abcd").unwrap_err().contains("found 4"));
        let bad = "zz41803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba";
        assert!(CertDigest::parse(bad).unwrap_err().contains("not hex"));
    }

    #[test]
    fn fingerprints_are_told_apart_by_length() {
        let der = b"not a certificate, but bytes all the same";
        let [sha256, sha1] = CertFingerprint::both_of_der(der);
        assert_eq!(CertFingerprint::parse(&sha256.to_string()).unwrap(), sha256);
        assert_eq!(CertFingerprint::parse(&sha1.to_string()).unwrap(), sha1);
        assert_eq!(sha1.algorithm(), "SHA-1");
        // `keytool -list` prints the SHA-1 upper case with colons.
        assert_eq!(
            CertFingerprint::parse(&keytool(&sha1.to_string())).unwrap(),
            sha1
        );
        let odd = CertFingerprint::parse("abcdef").unwrap_err();
        assert!(
            odd.contains("64 hex digits (SHA-256) or 40 (SHA-1), found 6"),
            "{odd}"
        );
        assert!(
            CertFingerprint::parse(&"é".repeat(40))
                .unwrap_err()
                .contains("not hex")
        );
    }
}
