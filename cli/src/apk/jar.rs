//! JAR signing (APK scheme v1), checked as AOSP's apksig `V1SchemeVerifier` does: each signature
//! block (`META-INF/X.RSA`, `.EC`, `.DSA`: PKCS #7 SignedData) signs its signature file
//! (`META-INF/X.SF`); the signature file names the digest of the manifest (or of each of its
//! sections); the manifest names the digest of every entry; every entry outside `META-INF/` is
//! named. A signature file that says the APK also carried v2 or v3 signatures
//! (`X-Android-APK-Signed`) while none is present means they were stripped.

use std::collections::HashMap;
use std::io::{Read, Seek};

use base64::Engine;
use ring::digest;

use super::cert::{Certificate, certificate};
use super::crypto::{Check, Hash, Scheme, verify};
use super::der::{Der, INTEGER, OCTET_STRING, OID, SEQUENCE, SET, oid_text};
use super::sigblock::Signer;

/// The most of one entry read for the manifest's digest check is streamed; the signature files
/// and the manifest are read whole, up to this size.
const MAX_META: u64 = 16 << 20;

fn hash_of(name: &str) -> Option<(Hash, &'static digest::Algorithm)> {
    match name.to_ascii_uppercase().as_str() {
        "SHA1" | "SHA-1" => Some((Hash::Sha1, &digest::SHA1_FOR_LEGACY_USE_ONLY)),
        "SHA-256" => Some((Hash::Sha256, &digest::SHA256)),
        "SHA-512" => Some((Hash::Sha512, &digest::SHA512)),
        _ => None,
    }
}

fn hash_oid(oid: &str) -> Option<Hash> {
    match oid {
        "1.3.14.3.2.26" => Some(Hash::Sha1),
        "2.16.840.1.101.3.4.2.1" => Some(Hash::Sha256),
        "2.16.840.1.101.3.4.2.3" => Some(Hash::Sha512),
        _ => None,
    }
}

fn algorithm(hash: Hash) -> &'static digest::Algorithm {
    match hash {
        Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        Hash::Sha256 => &digest::SHA256,
        Hash::Sha512 => &digest::SHA512,
    }
}

/// A manifest or signature file: its main section and its named sections, each with its raw
/// bytes (a section's digest is over them).
struct Manifest<'a> {
    main: HashMap<String, String>,
    sections: Vec<(String, HashMap<String, String>, &'a [u8])>,
    main_raw: &'a [u8],
}

fn manifest(bytes: &[u8]) -> Manifest<'_> {
    let mut sections: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // A section ends at an empty line (CRLF, LF or CR).
    while i < bytes.len() {
        let eol = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'\r'), Some(b'\n')) => 2,
            (Some(b'\r' | b'\n'), _) => 1,
            _ => 0,
        };
        if eol == 0 {
            i += 1;
            continue;
        }
        let next = i + eol;
        let blank = matches!(bytes.get(next), Some(b'\r' | b'\n'));
        if blank || next >= bytes.len() {
            let end = if blank {
                next + match (bytes.get(next), bytes.get(next + 1)) {
                    (Some(b'\r'), Some(b'\n')) => 2,
                    _ => 1,
                }
            } else {
                next
            };
            sections.push(bytes.get(start..end).unwrap_or_default());
            start = end;
            i = end;
        } else {
            i = next;
        }
    }
    if start < bytes.len() {
        sections.push(bytes.get(start..).unwrap_or_default());
    }
    let parse = |raw: &[u8]| -> HashMap<String, String> {
        let text = String::from_utf8_lossy(raw);
        let mut out: HashMap<String, String> = HashMap::new();
        let mut last: Option<String> = None;
        for line in text.split(['\n']).map(|l| l.trim_end_matches('\r')) {
            if let Some(more) = line.strip_prefix(' ') {
                if let Some(k) = &last
                    && let Some(v) = out.get_mut(k)
                {
                    v.push_str(more);
                }
                continue;
            }
            if let Some((k, v)) = line.split_once(": ") {
                out.insert(k.to_string(), v.to_string());
                last = Some(k.to_string());
            }
        }
        out
    };
    let mut iter = sections.into_iter();
    let main_raw = iter.next().unwrap_or_default();
    Manifest {
        main: parse(main_raw),
        main_raw,
        sections: iter
            .filter_map(|raw| {
                let attrs = parse(raw);
                Some((attrs.get("Name")?.clone(), attrs, raw))
            })
            .collect(),
    }
}

/// The digest attributes of a section: (hash, expected digest) for each `X-Digest` it names.
fn digests(attrs: &HashMap<String, String>, suffix: &str) -> Vec<(Hash, Vec<u8>)> {
    attrs
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_suffix(suffix)?;
            let (hash, _) = hash_of(name)?;
            let value = base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()?;
            Some((hash, value))
        })
        .collect()
}

fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Result<Vec<u8>, String> {
    let entry = zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
    if entry.size() > MAX_META {
        return Err(format!("{name} is larger than {MAX_META} bytes"));
    }
    let mut out = Vec::new();
    entry
        .take(MAX_META)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

/// The digest of an entry's uncompressed contents, streamed.
fn entry_digest<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    hash: Hash,
) -> Result<Vec<u8>, String> {
    let mut entry = zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
    let mut ctx = digest::Context::new(algorithm(hash));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = entry.read(&mut buf).map_err(|e| format!("{name}: {e}"))?;
        if n == 0 {
            break;
        }
        ctx.update(buf.get(..n).unwrap_or_default());
    }
    Ok(ctx.finish().as_ref().to_vec())
}

/// What v1 found.
pub(crate) struct V1 {
    pub(crate) signers: Vec<Signer>,
    /// Problems of the whole JAR (an entry not in the manifest, a digest that differs).
    pub(crate) problems: Vec<String>,
    /// The schemes the signature files say were also applied (`X-Android-APK-Signed`).
    pub(crate) also_signed: Vec<u32>,
}

/// Checks the JAR signature, or none when the APK has no signature file.
pub(crate) fn check<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<V1> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let sig_files: Vec<&String> = names
        .iter()
        .filter(|n| {
            n.starts_with("META-INF/")
                && n.to_ascii_uppercase().ends_with(".SF")
                && !n["META-INF/".len()..].contains('/')
        })
        .collect();
    if sig_files.is_empty() {
        return None;
    }
    let mut problems = Vec::new();
    let manifest_bytes = match read_entry(zip, "META-INF/MANIFEST.MF") {
        Ok(b) => b,
        Err(e) => {
            return Some(V1 {
                signers: Vec::new(),
                problems: vec![format!("no readable manifest: {e}")],
                also_signed: Vec::new(),
            });
        }
    };
    let man = manifest(&manifest_bytes);
    let mut signers = Vec::new();
    let mut also_signed = Vec::new();
    for sf_name in sig_files {
        let stem = &sf_name[..sf_name.len() - 3];
        let block = ["RSA", "EC", "DSA"]
            .iter()
            .map(|ext| format!("{stem}.{ext}"))
            .find(|b| names.iter().any(|n| n == b));
        let mut signer = Signer {
            certificates: Vec::new(),
            sdk: None,
            signatures: Vec::new(),
            valid_signatures: 0,
            digests: String::new(),
            digests_match: false,
            lineage: None,
            problems: Vec::new(),
            unchecked: Vec::new(),
        };
        let (Some(block), Ok(sf)) = (block, read_entry(zip, sf_name)) else {
            signer
                .problems
                .push(format!("{sf_name} has no signature block beside it"));
            signers.push(signer);
            continue;
        };
        match read_entry(zip, &block) {
            Ok(pkcs7) => signed_data(&pkcs7, &sf, &mut signer),
            Err(e) => signer.problems.push(e),
        }
        // The signature file vouches for the manifest: whole, or section by section.
        let sig = manifest(&sf);
        if let Some(v) = sig.main.get("X-Android-APK-Signed") {
            for s in v.split(',') {
                if let Ok(n) = s.trim().parse::<u32>()
                    && !also_signed.contains(&n)
                {
                    also_signed.push(n);
                }
            }
        }
        let whole = digests(&sig.main, "-Digest-Manifest");
        let whole_ok = !whole.is_empty()
            && whole.iter().all(|(h, d)| {
                digest::digest(algorithm(*h), &manifest_bytes).as_ref() == d.as_slice()
            });
        if whole_ok {
            signer.digests = "the manifest's digest matches".into();
            signer.digests_match = true;
        } else {
            let main_ok = digests(&sig.main, "-Digest-Manifest-Main-Attributes")
                .iter()
                .all(|(h, d)| digest::digest(algorithm(*h), man.main_raw).as_ref() == d.as_slice());
            let mut bad = Vec::new();
            for (name, attrs, _) in &sig.sections {
                let expected = digests(attrs, "-Digest");
                match man.sections.iter().find(|(n, _, _)| n == name) {
                    Some((_, _, raw)) => {
                        if expected.is_empty()
                            || !expected.iter().all(|(h, d)| {
                                digest::digest(algorithm(*h), raw).as_ref() == d.as_slice()
                            })
                        {
                            bad.push(name.clone());
                        }
                    }
                    None => bad.push(name.clone()),
                }
            }
            if main_ok && bad.is_empty() && !sig.sections.is_empty() {
                signer.digests = "each manifest section's digest matches".into();
                signer.digests_match = true;
            } else {
                signer.digests = "the manifest's digest DIFFERS".into();
                signer.problems.push(format!(
                    "{sf_name} does not vouch for this manifest{}",
                    if bad.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " ({} section(s) differ, first {})",
                            bad.len(),
                            bad.first().map(String::as_str).unwrap_or_default()
                        )
                    }
                ));
            }
        }
        signers.push(signer);
    }
    // The manifest vouches for every entry, and every entry outside META-INF/ is in it.
    for name in &names {
        if name.ends_with('/') || name.starts_with("META-INF/") {
            continue;
        }
        let Some((_, attrs, _)) = man.sections.iter().find(|(n, _, _)| n == name) else {
            problems.push(format!(
                "{name} is not in the signed manifest: it was added after signing"
            ));
            continue;
        };
        let expected = digests(attrs, "-Digest");
        if expected.is_empty() {
            problems.push(format!("the manifest names no digest for {name}"));
        }
        for (h, d) in expected {
            match entry_digest(zip, name, h) {
                Ok(actual) if actual == d => {}
                Ok(_) => problems.push(format!("{name}: its {h:?} digest differs from the signed manifest: it was changed after signing")),
                Err(e) => problems.push(e),
            }
        }
    }
    for (name, _, _) in &man.sections {
        if !names.iter().any(|n| n == name) {
            problems.push(format!(
                "the manifest names {name}, which the APK does not hold"
            ));
        }
    }
    Some(V1 {
        signers,
        problems,
        also_signed,
    })
}

/// What a signature block holds that the check needs.
struct SignedData {
    certs: Vec<Vec<u8>>,
    signature: Vec<u8>,
    /// The signed attributes, whole (tag `[0]`), if any.
    attrs: Option<Vec<u8>>,
    digest_oid: String,
    enc_oid: String,
}

/// A PKCS #7 SignedData over a signature file: its certificates, and the signature checked.
fn signed_data(pkcs7: &[u8], sf: &[u8], signer: &mut Signer) {
    let parsed = (|| -> Result<SignedData, String> {
        let mut top = Der::new(pkcs7);
        let ci = top.expect(SEQUENCE, "ContentInfo")?;
        let mut c = Der::inner(&ci);
        c.expect(OID, "content type")?;
        let explicit = c.expect(0xa0, "content")?;
        let sd = Der::inner(&explicit).expect(SEQUENCE, "SignedData")?;
        let mut s = Der::inner(&sd);
        s.expect(INTEGER, "version")?;
        s.expect(SET, "digest algorithms")?;
        s.expect(SEQUENCE, "content info")?;
        let mut certs = Vec::new();
        if let Some(list) = s.optional(0xa0) {
            let mut l = Der::inner(&list);
            while !l.is_empty() {
                certs.push(l.any()?.whole.to_vec());
            }
        }
        let _crls = s.optional(0xa1);
        let infos = s.expect(SET, "signer infos")?;
        let info = Der::inner(&infos).expect(SEQUENCE, "signer info")?;
        let mut i = Der::inner(&info);
        i.expect(INTEGER, "signer version")?;
        let id = i.any()?.contents.to_vec();
        let digest_alg = i.expect(SEQUENCE, "digest algorithm")?;
        let attrs = i.optional(0xa0).map(|a| a.whole.to_vec());
        let enc_alg = i.expect(SEQUENCE, "signature algorithm")?;
        let signature = i.expect(OCTET_STRING, "signature")?.contents.to_vec();
        let oid = |t: &super::der::Tlv<'_>| -> Result<String, String> {
            Ok(oid_text(Der::inner(t).expect(OID, "algorithm")?.contents))
        };
        let _ = id;
        Ok(SignedData {
            certs,
            signature,
            attrs,
            digest_oid: oid(&digest_alg)?,
            enc_oid: oid(&enc_alg)?,
        })
    })();
    let SignedData {
        certs,
        signature,
        attrs,
        digest_oid,
        enc_oid,
    } = match parsed {
        Ok(p) => p,
        Err(e) => {
            signer
                .problems
                .push(format!("the signature block does not parse: {e}"));
            return;
        }
    };
    signer.certificates = certs
        .iter()
        .map(|c| certificate(c))
        .collect::<Vec<Certificate>>();
    let Some(hash) = hash_oid(&digest_oid) else {
        signer
            .unchecked
            .push(format!("digest algorithm {digest_oid} is unknown"));
        return;
    };
    let scheme = match enc_oid.as_str() {
        "1.2.840.113549.1.1.1"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(hash),
        "1.2.840.10045.2.1"
        | "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.4" => Scheme::Ecdsa(hash),
        "1.2.840.10040.4.1" | "1.2.840.10040.4.3" | "2.16.840.1.101.3.4.3.2" => Scheme::Dsa(hash),
        other => {
            signer
                .unchecked
                .push(format!("signature algorithm {other} is unknown"));
            return;
        }
    };
    // With signed attributes the signature is over them (as a SET), and they carry the digest of
    // the signature file.
    let message: Vec<u8> = match &attrs {
        Some(a) => {
            let mut set = a.clone();
            if let Some(first) = set.first_mut() {
                *first = SET;
            }
            let digest_ok = message_digest(a)
                .is_some_and(|d| digest::digest(algorithm(hash), sf).as_ref() == d.as_slice());
            if !digest_ok {
                signer
                    .problems
                    .push("the signed attributes do not carry the signature file's digest".into());
            }
            set
        }
        None => sf.to_vec(),
    };
    let key = signer
        .certificates
        .first()
        .and_then(|c| c.public_key.clone());
    let check = match &key {
        Some(k) => verify(scheme, k, &message, &signature),
        None => Check::Unsupported("no readable certificate".into()),
    };
    signer
        .signatures
        .push(format!("{scheme:?}: {}", check.text()));
    match check {
        Check::Valid => signer.valid_signatures += 1,
        Check::Invalid => signer
            .problems
            .push("the JAR signature does not verify: the signature file was changed".into()),
        Check::Unsupported(w) => signer.unchecked.push(w),
    }
}

/// The messageDigest attribute (1.2.840.113549.1.9.4) of signed attributes.
fn message_digest(attrs: &[u8]) -> Option<Vec<u8>> {
    let mut top = Der::new(attrs);
    let set = top.any().ok()?;
    let mut s = Der::inner(&set);
    while let Ok(attr) = s.expect(SEQUENCE, "attribute") {
        let mut a = Der::inner(&attr);
        let oid = oid_text(a.expect(OID, "type").ok()?.contents);
        if oid == "1.2.840.113549.1.9.4" {
            let values = a.expect(SET, "values").ok()?;
            return Some(
                Der::inner(&values)
                    .expect(OCTET_STRING, "digest")
                    .ok()?
                    .contents
                    .to_vec(),
            );
        }
    }
    None
}
