//! The compiled `AndroidManifest.xml` (Android's binary XML, AOSP `ResourceTypes.h`): the string
//! pool, the resource map that names the `android:` attributes, and the start elements. Only
//! what `apk inspect` shows is read: the package, its versions and its SDK levels.

use serde::Serialize;

/// What the manifest says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ManifestInfo {
    pub(crate) package: Option<String>,
    pub(crate) version_code: Option<i64>,
    pub(crate) version_name: Option<String>,
    pub(crate) min_sdk: Option<u32>,
    pub(crate) target_sdk: Option<u32>,
    /// Set for a split APK (`split="config.arm64_v8a"`).
    pub(crate) split: Option<String>,
}

const VERSION_CODE: u32 = 0x0101_021b;
const VERSION_CODE_MAJOR: u32 = 0x0101_057c;
const VERSION_NAME: u32 = 0x0101_021c;
const MIN_SDK: u32 = 0x0101_020c;
const TARGET_SDK: u32 = 0x0101_0270;

fn u16at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2)?.try_into().ok().map(u16::from_le_bytes)
}

fn u32at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)?.try_into().ok().map(u32::from_le_bytes)
}

fn strings(chunk: &[u8]) -> Option<Vec<String>> {
    let header = usize::from(u16at(chunk, 2)?);
    let count = u32at(chunk, 8)? as usize;
    let flags = u32at(chunk, 16)?;
    let start = u32at(chunk, 20)? as usize;
    let utf8 = flags & 0x100 != 0;
    let mut out = Vec::with_capacity(count.min(10_000));
    for i in 0..count.min(100_000) {
        let off = u32at(chunk, header + 4 * i)? as usize;
        let at = start.checked_add(off)?;
        let s = if utf8 {
            // Two lengths (UTF-16 units, then bytes), each one or two bytes.
            let len_len = |at: usize| -> Option<(usize, usize)> {
                let b = *chunk.get(at)?;
                if b & 0x80 != 0 {
                    Some((
                        (usize::from(b & 0x7f) << 8) | usize::from(*chunk.get(at + 1)?),
                        2,
                    ))
                } else {
                    Some((usize::from(b), 1))
                }
            };
            let (_, a) = len_len(at)?;
            let (n, b) = len_len(at + a)?;
            String::from_utf8_lossy(chunk.get(at + a + b..at + a + b + n)?).into_owned()
        } else {
            let mut n = usize::from(u16at(chunk, at)?);
            let mut p = at + 2;
            if n & 0x8000 != 0 {
                n = ((n & 0x7fff) << 16) | usize::from(u16at(chunk, p)?);
                p += 2;
            }
            let units: Vec<u16> = (0..n)
                .map(|k| u16at(chunk, p + 2 * k))
                .collect::<Option<_>>()?;
            String::from_utf16_lossy(&units)
        };
        out.push(s);
    }
    Some(out)
}

/// Reads a compiled manifest; what cannot be read stays unset.
pub(crate) fn manifest(data: &[u8]) -> Result<ManifestInfo, String> {
    if u16at(data, 0) != Some(0x0003) {
        return Err("AndroidManifest.xml is not compiled XML".into());
    }
    let header = usize::from(u16at(data, 2).ok_or("truncated")?);
    let mut at = header;
    let mut pool: Vec<String> = Vec::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut info = ManifestInfo::default();
    while let (Some(kind), Some(size)) = (u16at(data, at), u32at(data, at + 4)) {
        let size = size as usize;
        if size < 8 {
            return Err("a chunk of the compiled manifest is damaged".into());
        }
        let chunk = data
            .get(at..at + size)
            .ok_or("the compiled manifest is truncated")?;
        match kind {
            0x0001 => pool = strings(chunk).ok_or("its string pool is damaged")?,
            0x0180 => {
                ids = (8..size)
                    .step_by(4)
                    .filter_map(|o| u32at(chunk, o))
                    .collect();
            }
            0x0102 => {
                let h = usize::from(u16at(chunk, 2).unwrap_or(16));
                let name = u32at(chunk, h + 4)
                    .and_then(|i| pool.get(i as usize))
                    .cloned()
                    .unwrap_or_default();
                let attr_start = usize::from(u16at(chunk, h + 8).unwrap_or(20));
                let attr_size = usize::from(u16at(chunk, h + 10).unwrap_or(20)).max(20);
                let count = usize::from(u16at(chunk, h + 12).unwrap_or(0));
                for k in 0..count {
                    let a = h + attr_start + k * attr_size;
                    let (Some(name_i), Some(raw), Some(kind), Some(value)) = (
                        u32at(chunk, a + 4),
                        u32at(chunk, a + 8),
                        chunk.get(a + 15),
                        u32at(chunk, a + 16),
                    ) else {
                        break;
                    };
                    let attr = pool.get(name_i as usize).map(String::as_str).unwrap_or("");
                    let id = ids.get(name_i as usize).copied().unwrap_or(0);
                    let text = || match *kind {
                        0x03 => pool.get(value as usize).cloned(),
                        _ => pool.get(raw as usize).cloned(),
                    };
                    let number = || -> Option<i64> {
                        match *kind {
                            0x10 | 0x11 => Some(i64::from(value as i32)),
                            0x03 => text()?.parse().ok(),
                            _ => None,
                        }
                    };
                    match (name.as_str(), id, attr) {
                        ("manifest", 0, "package") => info.package = text(),
                        ("manifest", 0, "split") => info.split = text(),
                        ("manifest", VERSION_CODE, _) | ("manifest", 0, "versionCode") => {
                            let low = number().unwrap_or(0) & 0xffff_ffff;
                            info.version_code = Some(info.version_code.unwrap_or(0) | low);
                        }
                        ("manifest", VERSION_CODE_MAJOR, _) => {
                            let high = number().unwrap_or(0) << 32;
                            info.version_code = Some(info.version_code.unwrap_or(0) | high);
                        }
                        ("manifest", VERSION_NAME, _) | ("manifest", 0, "versionName") => {
                            info.version_name = text()
                        }
                        ("uses-sdk", MIN_SDK, _) | ("uses-sdk", 0, "minSdkVersion") => {
                            info.min_sdk = number().map(|n| n as u32)
                        }
                        ("uses-sdk", TARGET_SDK, _) | ("uses-sdk", 0, "targetSdkVersion") => {
                            info.target_sdk = number().map(|n| n as u32)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        at += size;
    }
    if info.package.is_none() {
        return Err("the compiled manifest names no package".into());
    }
    Ok(info)
}
