//! Just enough DER to read what an APK's signatures carry: X.509 certificates (their subject and
//! public key) and PKCS #7 SignedData (JAR signatures). Every read is checked: a truncated or
//! mangled structure is an error naming what was expected, never a panic.

/// One TLV: its tag, its contents, and the whole encoding (tag and length included).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) contents: &'a [u8],
    pub(crate) whole: &'a [u8],
}

/// A cursor over a sequence of TLVs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Der<'a> {
    rest: &'a [u8],
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const OID: u8 = 0x06;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;

impl<'a> Der<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Der<'a> {
        Der { rest: data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next TLV, whatever its tag.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>, String> {
        let data = self.rest;
        let (&tag, after) = data
            .split_first()
            .ok_or("ends where a value was expected")?;
        let (&first, mut after) = after.split_first().ok_or("ends inside a length")?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err("an unsupported length encoding".into());
            }
            let (bytes, rest) = after.split_at_checked(n).ok_or("ends inside a length")?;
            after = rest;
            bytes.iter().fold(0usize, |l, b| (l << 8) | usize::from(*b))
        };
        let header = data.len() - after.len();
        let contents = after
            .get(..len)
            .ok_or("a length past the end of the data")?;
        let whole = data
            .get(..header + len)
            .ok_or("a length past the end of the data")?;
        self.rest = after.get(len..).unwrap_or_default();
        Ok(Tlv {
            tag,
            contents,
            whole,
        })
    }

    /// The next TLV, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>, String> {
        let t = self.any().map_err(|e| format!("{what}: {e}"))?;
        if t.tag != tag {
            return Err(format!(
                "{what}: expected tag {tag:#04x}, found {:#04x}",
                t.tag
            ));
        }
        Ok(t)
    }

    /// The next TLV if it carries `tag`; nothing moves otherwise.
    pub(crate) fn optional(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let mut probe = *self;
        match probe.any() {
            Ok(t) if t.tag == tag => {
                *self = probe;
                Some(t)
            }
            _ => None,
        }
    }

    /// The contents of a constructed value as a cursor.
    pub(crate) fn inner(t: &Tlv<'a>) -> Der<'a> {
        Der::new(t.contents)
    }
}

/// An object identifier in dotted form.
pub(crate) fn oid_text(contents: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut value = 0u64;
    for (i, b) in contents.iter().enumerate() {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if parts.is_empty() && i < contents.len() {
                let (a, b) = if value < 80 {
                    (value / 40, value % 40)
                } else {
                    (2, value - 80)
                };
                parts.push(a);
                parts.push(b);
            } else {
                parts.push(value);
            }
            value = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}
