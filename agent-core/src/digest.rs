//! SHA-256 digests of signing certificates, the identity Android gives for an app's publisher.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The SHA-256 of a DER signing certificate (what `SigningInfo` yields and `apksigner` prints).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertDigest(pub [u8; 32]);

impl CertDigest {
    /// Parses 64 hex digits, upper or lower case, with or without `:` between bytes (as `keytool`
    /// prints them), so administrators can paste what their tool shows.
    pub fn parse(text: &str) -> Result<Self, String> {
        // Character by character, never by byte index: a digest with `é` in it is an error, not
        // a panic.
        let digits: Vec<u8> = text
            .chars()
            .filter(|c| *c != ':')
            .map(|c| c.to_digit(16).map(|d| d as u8))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                format!("`{text}` is not a SHA-256 certificate digest: it holds a character that is not hex")
            })?;
        if digits.len() != 64 {
            return Err(format!(
                "`{text}` is not a SHA-256 certificate digest: expected 64 hex digits, found {}",
                digits.len()
            ));
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            if let [hi, lo] = pair {
                *byte = hi << 4 | lo;
            }
        }
        Ok(CertDigest(out))
    }

    /// The SHA-256 of `der`.
    pub fn of_der(der: &[u8]) -> Self {
        let d = ring::digest::digest(&ring::digest::SHA256, der);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        CertDigest(out)
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

impl fmt::Display for CertDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for CertDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertDigest({self})")
    }
}

impl Serialize for CertDigest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CertDigest::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_keytool_and_apksigner_spellings() {
        let plain = "9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba";
        let keytool = plain
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(
            CertDigest::parse(plain).unwrap(),
            CertDigest::parse(&keytool).unwrap()
        );
        assert_eq!(CertDigest::parse(plain).unwrap().to_string(), plain);
    }

    #[test]
    fn rejects_short_and_non_hex_digests() {
        assert!(CertDigest::parse("abcd").unwrap_err().contains("found 4"));
        let bad = "zz41803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba";
        assert!(CertDigest::parse(bad).unwrap_err().contains("not hex"));
    }
}
