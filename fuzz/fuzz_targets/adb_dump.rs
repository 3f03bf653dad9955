//! Any bytes, read as a mailed dump is (lossily): `dumpsys package` and `pm list packages` parsers
//! must return a dump or an error, never panic, and never keep a package the audit cannot judge.
#![no_main]

use agent_core::audit::{AdbDump, input, parse_dumpsys, parse_pm_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut dump = AdbDump::default();
    let _ = parse_dumpsys("fuzz", &text, &mut dump, &mut |_| {});
    parse_pm_list(&text, &mut dump);
    // The helpdesk's other inputs: UTF-16, a full dumpsys or bugreport, androidqf's packages.json.
    if let Ok(decoded) = input::decode("fuzz", data) {
        let _ = input::read_into("fuzz", "packages.json", &decoded, &mut dump, &mut |_| {});
        let _ = input::read_into("fuzz", "dumpsys.txt", &decoded, &mut dump, &mut |_| {});
    }
    for (name, package) in &dump.packages {
        assert_eq!(name, &package.name);
        assert!(!name.is_empty());
    }
});
