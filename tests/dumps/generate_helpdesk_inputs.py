"""One-time generator of the helpdesk's audit inputs in the formats real tools write (the files are
committed; this script is not needed to run tests). From `android13-dumpsys-package.txt` and
`android13-pm-list-packages.txt` it writes, in `helpdesk/`:

- `debloated-dumpsys-package.txt`: TikTok removed for each of its users with `pm uninstall -k
  --user N` (its block says `User N: ... installed=false`, the data kept);
- `androidqf/`: an androidqf output folder as androidqf (mvt-project/androidqf) leaves it:
  `dumpsys.txt` (a full `dumpsys`, every service one after the other, the package service's
  section among them), `packages.json` (androidqf's `adb/packages.go` `Package` list, with each
  APK's certificate as apkverifier's `CertInfo`: capitalised keys `Md5`, `Sha1`, `Sha256`),
  `getprop.txt`, `processes.txt`, `acquisition.json`, and `backup.ab` (binary);
- `androidqf.zip`: the same folder as androidqf zips it (one top directory named by the
  acquisition's UUID);
- `bugreport.zip`: `adb bugreport` output: `bugreport-<device>-<build>-<date>.txt` (dumpstate, with
  `DUMP OF SERVICE package:` inside its DUMPSYS section), `main_entry.txt`, `version.txt`,
  `dumpstate_log.txt` and a binary `FS/data/misc/logd/event-log-tags`-like file;
- `dumpsys-package-utf16.txt` and `pm-list-packages-utf16.txt`: what Windows PowerShell 5 writes
  with `adb shell dumpsys package > file` (UTF-16 LE with a byte-order mark, CRLF);
- `dumpsys-package-crlf.txt`: UTF-8 with CRLF (a Windows editor).
"""
import hashlib, json, os, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "helpdesk")
SEED = os.path.join(HERE, "..", "data", "seed-certs")
os.makedirs(OUT, exist_ok=True)

dumpsys = open(os.path.join(HERE, "android13-dumpsys-package.txt"), encoding="utf-8").read()
pm_list = open(os.path.join(HERE, "android13-pm-list-packages.txt"), encoding="utf-8").read()

def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

# --- TikTok removed with `pm uninstall -k` for each user, data kept.
start = dumpsys.index("  Package [com.zhiliaoapp.musically]")
end = dumpsys.index("  Package [", start + 10)
# Removed for every user it had (0 and the work profile 10): not installed at all, data kept.
block = dumpsys[start:end].replace(" installed=true", " installed=false")
assert "installed=false" in block
write("debloated-dumpsys-package.txt", dumpsys[:start] + block + dumpsys[end:])

# --- A full dumpsys: services in order, the package one among them.
DASH = "-" * 79
def service(name, body):
    return "%s\nDUMP OF SERVICE %s:\n%s\n--------- 0.012s was the duration of dumpsys %s, ending at: 2026-11-30 10:11:12\n" % (DASH, name, body.rstrip("\n"), name)
full = (
    "Currently running services:\n  activity\n  package\n  usagestats\n"
    + service("activity", "ACTIVITY MANAGER SETTINGS (dumpsys activity settings) activity_manager_constants:\n  max_cached_processes=32\n")
    + service("package", dumpsys)
    # Another service printing a `Packages:` header of its own: not the package list.
    + service("usagestats", "user=0\nPackages:\n  package=com.bogus.notinstalled totalTimeUsed=\"00:10\"\n")
)

def cert_digest(name):
    return hashlib.sha256(open(os.path.join(SEED, name + ".der"), "rb").read()).hexdigest()

TIKTOK = cert_digest("com.zhiliaoapp.musically")
WECHAT = cert_digest("com.tencent.mm")

def cert(sha256):
    return {"Md5": "", "Sha1": "", "Sha256": sha256, "ValidFrom": "2015-04-28T04:27:17Z",
            "ValidTo": "2040-04-21T04:27:17Z", "Issuer": "", "Subject": "", "SignatureType": "SHA256-RSA",
            "SerialNumber": ""}

def package(name, installer, uid, system, sha256=None):
    f = {"path": "/data/app/~~Q==/%s-A==/base.apk" % name, "local_name": "", "md5": "", "sha1": "",
         "sha256": "", "sha512": "", "error": "", "verified_certificate": sha256 is not None,
         "certificate": cert(sha256) if sha256 else {"Md5": "", "Sha1": "", "Sha256": ""},
         "certificate_error": "", "trusted_certificate": False}
    return {"name": name, "files": [f], "installer": installer, "uid": uid, "disabled": False,
            "system": system, "third_party": not system}

packages = [
    package("android", "null", 1000, True),
    package("com.android.settings", "null", 1000, True),
    package("com.android.vending", "null", 10040, True),
    package("com.zhiliaoapp.musically", "com.android.vending", 10234, False, TIKTOK),
    package("com.tencent.mm", "null", 10240, False, WECHAT),
    package("nl.voorbeeld.werkmail", "com.android.vending", 10250, False),
    # The clone only its signer gives away: with packages.json, by its full digest.
    package("com.fastvideo.player.clips", "null", 10260, False, TIKTOK),
    package("com.whatsapp", "com.android.vending", 1010270, False),
]
aqf = {
    "dumpsys.txt": full,
    "packages.json": json.dumps(packages, indent=2),
    "getprop.txt": "[ro.build.version.sdk]: [33]\n[ro.product.model]: [Pixel 7]\n",
    "processes.txt": "USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME\nroot             1     0 10904740  12248 0                   0 S init\n",
    "acquisition.json": json.dumps({"uuid": "7b3c1f9e-0d4a-4c55-9d1e-2f6a8b0c4e21", "androidqf_version": "1.7.0", "storage_path": "/tmp"}),
    "backup.ab": b"ANDROID BACKUP\n5\n1\nnone\n" + bytes(range(256)) * 8,
}
for name, data in aqf.items():
    write("androidqf/" + name, data)
with zipfile.ZipFile(os.path.join(OUT, "androidqf.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in aqf.items():
        z.writestr("7b3c1f9e-0d4a-4c55-9d1e-2f6a8b0c4e21/" + name, data)

# --- A bugreport.
report_name = "bugreport-panther-TQ3A.230805.001-2026-11-30-10-11-12"
dumpstate = (
    "========================================================\n== dumpstate: 2026-11-30 10:11:12\n========================================================\n\n"
    "Build: TQ3A.230805.001\nBuild fingerprint: 'google/panther/panther:13/TQ3A.230805.001/10316531:user/release-keys'\n\n"
    "------ UPTIME (uptime) ------\n 10:11:12 up 3 days,  1:02,  0 users,  load average: 1.2, 1.1, 1.0\n\n"
    "------ DUMPSYS (/system/bin/dumpsys) ------\n" + full + "\n------ 12.345s was the duration of 'DUMPSYS' ------\n"
)
with zipfile.ZipFile(os.path.join(OUT, "bugreport.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(report_name + ".txt", dumpstate)
    z.writestr("main_entry.txt", report_name + ".txt")
    z.writestr("version.txt", "2.0")
    z.writestr("dumpstate_log.txt", "dumpstate_log: started\n")
    z.writestr("FS/data/misc/logd/event-log-tags", bytes(range(256)) * 4)

# --- What Windows writes.
write("dumpsys-package-utf16.txt", b"\xff\xfe" + dumpsys.replace("\n", "\r\n").encode("utf-16-le"))
write("pm-list-packages-utf16.txt", b"\xff\xfe" + pm_list.replace("\n", "\r\n").encode("utf-16-le"))
write("dumpsys-package-crlf.txt", dumpsys.replace("\n", "\r\n"))
