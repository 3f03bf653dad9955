//! `appwacht fleet`: the fleet report from record files (JSON lines, gzip or not), read in
//! parallel, one file per thread at a time.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use agent_core::Timestamp;
use agent_core::records::fleet::{Fleet, FleetOptions};

use crate::{Failure, FleetArgs, Format};

/// Every file under the given paths, sorted (a directory is walked; hidden files are skipped).
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        let meta = std::fs::metadata(&p)
            .map_err(|e| Failure::new(format!("{}: cannot read it: {e}", p.display())))?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(&p)
                .map_err(|e| Failure::new(format!("{}: cannot list it: {e}", p.display())))?;
            for entry in entries.flatten() {
                let name = entry.file_name();
                if !name.to_string_lossy().starts_with('.') {
                    stack.push(entry.path());
                }
            }
        } else {
            out.push(p);
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(Failure::new("no record file found in the paths given"));
    }
    Ok(out)
}

/// Reads one file into `fleet`: gzip when it starts with gzip's magic bytes (whatever its name).
fn read_file(path: &Path, fleet: &mut Fleet) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(|e| e.to_string())?;
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(file);
    let reader: Box<dyn Read> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(head))
    } else {
        Box::new(head)
    };
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let mut buf = Vec::with_capacity(4096);
    let mut number = 0u64;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("after line {number}: {e}"))?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let place = || format!("{}:{number}", path.display());
        match std::str::from_utf8(&buf) {
            Ok(line) => fleet.read_line(line, place),
            Err(_) => fleet.read_line("\u{0}not UTF-8", place),
        }
    }
}

pub(crate) fn run(
    args: &FleetArgs,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let now = match &args.now {
        Some(t) => Timestamp::parse(t).map_err(|e| Failure::new(format!("--now: {e}")))?,
        None => Timestamp::now(),
    };
    let files = files(&args.from)?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(Fleet, Vec<String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut fleet = Fleet::default();
                    let mut problems = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        if let Err(e) = read_file(path, &mut fleet) {
                            problems.push(format!("{}: {e}", path.display()));
                        }
                    }
                    (fleet, problems)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut fleet = Fleet::default();
    let mut problems = Vec::new();
    for (f, p) in results {
        fleet.merge(f);
        problems.extend(p);
    }
    for p in &problems {
        let _ = writeln!(err, "could not read all of {p}");
    }
    let view = fleet.view(&FleetOptions {
        now,
        silent_after: args.silent_after,
        policy_version: args.policy_version,
    });
    let format = if json { Format::Json } else { args.format };
    let text = match format {
        Format::Text => view.to_text(),
        Format::Json => serde_json::to_string_pretty(&view).unwrap_or_default() + "\n",
        Format::Html => view.to_html(),
    };
    match &args.out {
        Some(path) => crate::commands::write_atomically(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(if problems.is_empty() {
        0
    } else {
        crate::EXIT_FAILURE
    })
}
