//! The APK Signing Block and the schemes in it: APK Signature Scheme v2 (id 0x7109871a), v3
//! (0xf05368c0) and v3.1 (0x1b93ad61), as source.android.com/docs/security/features/apksigning
//! describes them and AOSP's apksig (`ApkSigningBlockUtils`, `V2SchemeVerifier`,
//! `V3SchemeVerifier`, `SigningCertificateLineage`) checks them.
//!
//! The content digest is computed in one pass over the file, for every hash any signer needs,
//! in 1 MiB chunks: the ZIP entries before the block, the central directory, and the end of
//! central directory with its offset pointing at the block.

use std::io::{Read, Seek, SeekFrom};

use ring::digest;
use serde::Serialize;

use super::cert::{Certificate, certificate, public_key};
use super::crypto::{Check, Hash, Scheme, verify};

const V2: u32 = 0x7109_871a;
const V3: u32 = 0xf053_68c0;
const V31: u32 = 0x1b93_ad61;
const PROOF_OF_ROTATION: u32 = 0x3ba0_6f8c;
const MAGIC: &[u8; 16] = b"APK Sig Block 42";
const CHUNK: usize = 1 << 20;
/// No real signing block is near this; a larger claim is a damaged or hostile file.
const MAX_BLOCK: u64 = 64 << 20;

/// Where the ZIP's parts are.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub(crate) cd_offset: u64,
    pub(crate) eocd_offset: u64,
    pub(crate) eocd: Vec<u8>,
}

/// Finds the end of central directory (the last 64 KiB + 22 bytes hold it).
pub(crate) fn layout<F: Read + Seek>(file: &mut F) -> Result<Layout, String> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    if len < 22 {
        return Err("too short to be a ZIP file".into());
    }
    let tail_len = len.min(22 + 0xffff);
    file.seek(SeekFrom::Start(len - tail_len))
        .map_err(|e| e.to_string())?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail).map_err(|e| e.to_string())?;
    let mut at = tail.len().checked_sub(22).ok_or("too short")?;
    loop {
        if tail.get(at..at + 4) == Some(&[0x50, 0x4b, 0x05, 0x06]) {
            let comment = u16le(&tail, at + 20)? as usize;
            if at + 22 + comment == tail.len() {
                break;
            }
        }
        at = at
            .checked_sub(1)
            .ok_or("no end of central directory: not a ZIP file (or a damaged one)")?;
    }
    let eocd = tail.get(at..).unwrap_or_default().to_vec();
    let cd_offset = u64::from(u32le(&eocd, 16)?);
    let cd_size = u64::from(u32le(&eocd, 12)?);
    let eocd_offset = len - tail_len + at as u64;
    if cd_offset == 0xffff_ffff {
        return Err("a ZIP64 archive: APK signatures v2 and later cannot be carried by one".into());
    }
    if cd_offset + cd_size != eocd_offset {
        return Err(format!(
            "the central directory ({cd_size} bytes at {cd_offset}) does not end where the end record starts ({eocd_offset}): a truncated or damaged file"
        ));
    }
    Ok(Layout {
        cd_offset,
        eocd_offset,
        eocd,
    })
}

fn u16le(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
        .ok_or_else(|| "ends inside a number".to_string())
}

fn u32le(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| "ends inside a number".to_string())
}

/// A little-endian reader of length-prefixed values.
struct Lp<'a>(&'a [u8]);

impl<'a> Lp<'a> {
    fn u32(&mut self) -> Result<u32, String> {
        let v = u32le(self.0, 0)?;
        self.0 = self.0.get(4..).unwrap_or_default();
        Ok(v)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u32()? as usize;
        let v = self
            .0
            .get(..n)
            .ok_or_else(|| format!("a length of {n} past the end of the block"))?;
        self.0 = self.0.get(n..).unwrap_or_default();
        Ok(v)
    }

    fn list(&mut self) -> Result<Vec<&'a [u8]>, String> {
        let mut inner = Lp(self.bytes()?);
        let mut out = Vec::new();
        while !inner.0.is_empty() {
            out.push(inner.bytes()?);
        }
        Ok(out)
    }
}

/// The signing block's ID-value pairs.
pub(crate) type Pairs = Vec<(u32, Vec<u8>)>;

/// The signing block's offset and its ID-value pairs, or none when the APK has no block.
pub(crate) fn signing_block<F: Read + Seek>(
    file: &mut F,
    layout: &Layout,
) -> Result<Option<(u64, Pairs)>, String> {
    if layout.cd_offset < 32 {
        return Ok(None);
    }
    let mut footer = [0u8; 24];
    file.seek(SeekFrom::Start(layout.cd_offset - 24))
        .map_err(|e| e.to_string())?;
    file.read_exact(&mut footer).map_err(|e| e.to_string())?;
    if &footer[8..] != MAGIC {
        return Ok(None);
    }
    let size = u64::from_le_bytes(footer[..8].try_into().unwrap_or_default());
    if size > MAX_BLOCK || size + 8 > layout.cd_offset || size < 24 {
        return Err(format!(
            "the APK Signing Block claims {size} bytes: damaged"
        ));
    }
    let start = layout.cd_offset - size - 8;
    file.seek(SeekFrom::Start(start))
        .map_err(|e| e.to_string())?;
    let mut block = vec![0u8; (size + 8) as usize];
    file.read_exact(&mut block).map_err(|e| e.to_string())?;
    if block.get(..8) != Some(&footer[..8]) {
        return Err("the APK Signing Block's two sizes differ: damaged".into());
    }
    let mut pairs = Vec::new();
    let mut rest = block.get(8..block.len() - 24).unwrap_or_default();
    while !rest.is_empty() {
        let len = rest
            .get(..8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or("the APK Signing Block ends inside a pair")?;
        let pair = rest
            .get(8..8 + len as usize)
            .filter(|p| p.len() >= 4)
            .ok_or("an APK Signing Block pair runs past the block")?;
        pairs.push((u32le(pair, 0)?, pair.get(4..).unwrap_or_default().to_vec()));
        rest = rest.get(8 + len as usize..).unwrap_or_default();
    }
    Ok(Some((start, pairs)))
}

/// What an algorithm id means: the signature, and the content digest's hash (none for the
/// verity variants, whose digest is a Merkle tree root this tool does not compute).
fn algorithm(id: u32) -> Option<(Scheme, Option<Hash>)> {
    Some(match id {
        0x0101 => (Scheme::RsaPss(Hash::Sha256), Some(Hash::Sha256)),
        0x0102 => (Scheme::RsaPss(Hash::Sha512), Some(Hash::Sha512)),
        0x0103 => (Scheme::RsaPkcs1(Hash::Sha256), Some(Hash::Sha256)),
        0x0104 => (Scheme::RsaPkcs1(Hash::Sha512), Some(Hash::Sha512)),
        0x0201 => (Scheme::Ecdsa(Hash::Sha256), Some(Hash::Sha256)),
        0x0202 => (Scheme::Ecdsa(Hash::Sha512), Some(Hash::Sha512)),
        0x0301 => (Scheme::Dsa(Hash::Sha256), Some(Hash::Sha256)),
        0x0421 => (Scheme::RsaPkcs1(Hash::Sha256), None),
        0x0423 => (Scheme::Ecdsa(Hash::Sha256), None),
        0x0425 => (Scheme::Dsa(Hash::Sha256), None),
        _ => return None,
    })
}

/// One past signer in a v3 lineage, and what it may still do.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct LineageEntry {
    pub(crate) certificate: Certificate,
    /// The capabilities granted to it (apksig's `SignerCapabilities`).
    pub(crate) capabilities: Vec<&'static str>,
}

/// One signer of one scheme.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Signer {
    pub(crate) certificates: Vec<Certificate>,
    /// The platform versions it is for (v3 and v3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sdk: Option<(u32, u32)>,
    /// Each signature's algorithm and what its check said.
    pub(crate) signatures: Vec<String>,
    /// How many of them verify.
    pub(crate) valid_signatures: usize,
    /// What the digest comparison said.
    pub(crate) digests: String,
    /// Whether every content digest it claims (v2/v3), or the manifest (v1), matches the file.
    pub(crate) digests_match: bool,
    /// The key rotation history, oldest first (v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) lineage: Option<Vec<LineageEntry>>,
    /// What is wrong; empty when it verifies.
    pub(crate) problems: Vec<String>,
    /// What could not be checked (an algorithm ring lacks).
    pub(crate) unchecked: Vec<String>,
}

/// A scheme found in the block, its signers parsed, before the digests are compared.
pub(crate) struct Parsed {
    pub(crate) name: &'static str,
    pub(crate) signers: Vec<Signer>,
    /// For each signer, the content digests it claims: (hash, value).
    claimed: Vec<Vec<(Hash, Vec<u8>)>>,
}

fn capabilities(flags: u32) -> Vec<&'static str> {
    [
        (1, "installed_data"),
        (2, "shared_uid"),
        (4, "permission"),
        (8, "rollback"),
        (16, "auth"),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, name)| name)
    .collect()
}

/// One link of a rotation history, as stored.
struct Link {
    cert: Vec<u8>,
    /// The algorithm the previous key signs this link with (named inside the signed part).
    signed_algorithm: u32,
    flags: u32,
    /// The algorithm this key signs the next link with.
    algorithm: u32,
    signature: Vec<u8>,
    signed: Vec<u8>,
}

/// A v3 proof-of-rotation attribute: the lineage, each link checked with the previous key.
fn lineage(value: &[u8], problems: &mut Vec<String>) -> Vec<LineageEntry> {
    let mut out: Vec<LineageEntry> = Vec::new();
    let mut lp = Lp(value);
    if lp.u32().is_err() {
        problems.push("the key rotation history is empty".into());
        return out;
    }
    let mut previous: Option<(Certificate, u32)> = None;
    while !lp.0.is_empty() {
        let node = (|| -> Result<Link, String> {
            let mut n = Lp(lp.bytes()?);
            let signed = n.bytes()?;
            let flags = n.u32()?;
            let algorithm = n.u32()?;
            let signature = n.bytes()?.to_vec();
            let mut s = Lp(signed);
            let cert = s.bytes()?.to_vec();
            let signed_algorithm = s.u32()?;
            Ok(Link {
                cert,
                signed_algorithm,
                flags,
                algorithm,
                signature,
                signed: signed.to_vec(),
            })
        })();
        let Ok(Link {
            cert,
            signed_algorithm,
            flags,
            algorithm,
            signature,
            signed,
        }) = node
        else {
            problems.push("the key rotation history does not parse".into());
            return out;
        };
        let c = certificate(&cert);
        if let Some((prev, prev_algorithm)) = &previous {
            // Each link is signed by the key before it, with the algorithm that key named.
            let check = match (algorithm_of(signed_algorithm), &prev.public_key) {
                (Some(scheme), Some(key)) if signed_algorithm == *prev_algorithm => {
                    verify(scheme, key, &signed, &signature)
                }
                _ => Check::Invalid,
            };
            match check {
                Check::Valid => {}
                Check::Invalid => problems.push(format!(
                    "the rotation from {} to {} is not signed by the older key",
                    prev.sha256, c.sha256
                )),
                Check::Unsupported(why) => problems.push(format!("a rotation link: {why}")),
            }
        }
        previous = Some((c.clone(), algorithm));
        out.push(LineageEntry {
            certificate: c,
            capabilities: capabilities(flags),
        });
    }
    out
}

fn algorithm_of(id: u32) -> Option<Scheme> {
    algorithm(id).map(|(s, _)| s)
}

/// Parses one scheme's block and checks each signer's signatures (not yet its digests).
pub(crate) fn parse(id: u32, value: &[u8]) -> Option<Result<Parsed, String>> {
    let name = match id {
        V2 => "v2",
        V3 => "v3",
        V31 => "v3.1",
        _ => return None,
    };
    let v3 = id != V2;
    Some((|| {
        let mut signers = Vec::new();
        let mut claimed = Vec::new();
        for raw in Lp(value).list()? {
            let mut s = Lp(raw);
            let signed = s.bytes()?;
            let sdk = if v3 { Some((s.u32()?, s.u32()?)) } else { None };
            let signatures = s.list()?;
            let key = s.bytes()?;
            let mut d = Lp(signed);
            let digests = d.list()?;
            let certs = d.list()?;
            if v3 {
                d.u32()?;
                d.u32()?;
            }
            let attrs = d.list()?;
            let mut problems = Vec::new();
            let mut unchecked = Vec::new();
            let certificates: Vec<Certificate> = certs.iter().map(|c| certificate(c)).collect();
            let public = public_key(key);
            if certificates
                .first()
                .and_then(|c| c.public_key.as_ref())
                .map(|k| &k.spki)
                != public.as_ref().ok().map(|k| &k.spki)
            {
                problems.push("the signer's public key is not its first certificate's".into());
            }
            let mut results = Vec::new();
            let mut valid = 0;
            let mut signature_algorithms = Vec::new();
            for sig in &signatures {
                let mut g = Lp(sig);
                let algorithm_id = g.u32()?;
                let bytes = g.bytes()?;
                signature_algorithms.push(algorithm_id);
                let Some((scheme, _)) = algorithm(algorithm_id) else {
                    unchecked.push(format!(
                        "signature algorithm {algorithm_id:#06x} is unknown"
                    ));
                    continue;
                };
                let check = match &public {
                    Ok(k) => verify(scheme, k, signed, bytes),
                    Err(e) => Check::Unsupported(format!("the public key: {e}")),
                };
                results.push(format!(
                    "{scheme:?} ({algorithm_id:#06x}): {}",
                    check.text()
                ));
                match check {
                    Check::Invalid => problems.push(format!(
                        "the {scheme:?} signature does not verify: the signed data was changed"
                    )),
                    Check::Unsupported(why) => unchecked.push(why),
                    Check::Valid => valid += 1,
                }
            }
            if signatures.is_empty() {
                problems.push("no signature".into());
            }
            let mut claims = Vec::new();
            let mut digest_algorithms = Vec::new();
            for dg in &digests {
                let mut g = Lp(dg);
                let algorithm_id = g.u32()?;
                digest_algorithms.push(algorithm_id);
                match algorithm(algorithm_id) {
                    Some((_, Some(hash))) => claims.push((hash, g.bytes()?.to_vec())),
                    Some((_, None)) => unchecked.push(format!(
                        "the verity digest ({algorithm_id:#06x}) is not computed"
                    )),
                    None => {}
                }
            }
            let mut a = signature_algorithms.clone();
            let mut b = digest_algorithms.clone();
            a.sort_unstable();
            b.sort_unstable();
            if a != b {
                problems
                    .push("the signed digests and the signatures name different algorithms".into());
            }
            let mut history = None;
            for attr in &attrs {
                let mut g = Lp(attr);
                if v3 && g.u32()? == PROOF_OF_ROTATION {
                    history = Some(lineage(g.0, &mut problems));
                }
            }
            if certificates.is_empty() {
                problems.push("no certificate".into());
            }
            signers.push(Signer {
                certificates,
                sdk,
                signatures: results,
                valid_signatures: valid,
                digests: String::new(),
                digests_match: false,
                lineage: history,
                problems,
                unchecked,
            });
            claimed.push(claims);
        }
        if signers.is_empty() {
            return Err(format!("the {name} block has no signer"));
        }
        Ok(Parsed {
            name,
            signers,
            claimed,
        })
    })())
}

/// The hashes the parsed schemes' signers need.
pub(crate) fn hashes_needed(parsed: &[Parsed]) -> Vec<Hash> {
    let mut out = Vec::new();
    for p in parsed {
        for c in &p.claimed {
            for (h, _) in c {
                if !out.contains(h) {
                    out.push(*h);
                }
            }
        }
    }
    out
}

/// The content digests, in one pass over the file: (hash, top-level digest).
pub(crate) fn content_digests<F: Read + Seek>(
    file: &mut F,
    layout: &Layout,
    block_start: u64,
    hashes: &[Hash],
) -> Result<Vec<(Hash, Vec<u8>)>, String> {
    let algs: Vec<&'static digest::Algorithm> = hashes
        .iter()
        .map(|h| match h {
            Hash::Sha512 => &digest::SHA512,
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
        })
        .collect();
    let mut chunk_digests: Vec<Vec<u8>> = vec![Vec::new(); algs.len()];
    let mut chunks = 0u32;
    let mut add = |data: &[u8]| {
        for (alg, out) in algs.iter().zip(chunk_digests.iter_mut()) {
            let mut ctx = digest::Context::new(alg);
            ctx.update(&[0xa5]);
            ctx.update(&(data.len() as u32).to_le_bytes());
            ctx.update(data);
            out.extend_from_slice(ctx.finish().as_ref());
        }
        chunks += 1;
    };
    let mut buf = vec![0u8; CHUNK];
    for (start, end) in [(0, block_start), (layout.cd_offset, layout.eocd_offset)] {
        file.seek(SeekFrom::Start(start))
            .map_err(|e| e.to_string())?;
        let mut left = end - start;
        while left > 0 {
            let n = (left as usize).min(CHUNK);
            let part = buf.get_mut(..n).ok_or("a chunk larger than its buffer")?;
            file.read_exact(part).map_err(|e| e.to_string())?;
            add(part);
            left -= n as u64;
        }
    }
    let mut eocd = layout.eocd.clone();
    if let Some(field) = eocd.get_mut(16..20) {
        field.copy_from_slice(&(block_start as u32).to_le_bytes());
    }
    add(&eocd);
    Ok(hashes
        .iter()
        .zip(algs)
        .zip(chunk_digests)
        .map(|((h, alg), cd)| {
            let mut ctx = digest::Context::new(alg);
            ctx.update(&[0x5a]);
            ctx.update(&chunks.to_le_bytes());
            ctx.update(&cd);
            (*h, ctx.finish().as_ref().to_vec())
        })
        .collect())
}

/// Compares each signer's claimed digests with the file's, and fills in its verdict.
pub(crate) fn finish(parsed: &mut [Parsed], computed: &[(Hash, Vec<u8>)]) {
    for p in parsed.iter_mut() {
        for (signer, claims) in p.signers.iter_mut().zip(&p.claimed) {
            let mut text = Vec::new();
            let mut matched = 0;
            for (h, claimed) in claims {
                match computed.iter().find(|(c, _)| c == h) {
                    Some((_, actual)) if actual == claimed => {
                        text.push(format!("{h:?} matches"));
                        matched += 1;
                    }
                    Some(_) => {
                        text.push(format!("{h:?} DIFFERS"));
                        signer.problems.push(format!(
                            "the {h:?} content digest does not match the file: it was changed after signing"
                        ));
                    }
                    None => text.push(format!("{h:?} not computed")),
                }
            }
            if claims.is_empty() {
                signer
                    .unchecked
                    .push("no content digest this tool can check".into());
            }
            signer.digests = text.join(", ");
            signer.digests_match = !claims.is_empty() && matched == claims.len();
        }
    }
}
