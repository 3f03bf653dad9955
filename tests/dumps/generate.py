"""One-time generator of the adb audit fixtures (the files are committed; this script is not needed to run tests)."""
import os, zlib
OUT = os.path.dirname(os.path.abspath(__file__))

HEADER_RESOLVER = """Activity Resolver Table:
  Non-Data Actions:
      android.intent.action.MAIN:
        1a2b3c4 com.android.settings/.Settings filter 5d6e7f8
          Action: "android.intent.action.MAIN"
          Category: "android.intent.category.LAUNCHER"

Key Set Manager:
  [com.zhiliaoapp.musically]
      Signing KeySets: 52

"""

def sigline(style, hashes, past=()):
    if style == "old":   # Android 7/8
        return "    signatures=PackageSignatures{%s [%s]}" % ("4b8e1a2", ", ".join(hashes))
    p = ", ".join("%s flags: 17" % h for h in past)
    return "    signatures=PackageSignatures{%s version:%d, signatures:[%s], past signatures:[%s]}" % (
        "9e1f2a3", 3 if past else 2, ", ".join(hashes), p)

def user_line(api, uid, installed=True, hidden=False, suspended=False):
    base = "    User %d: ceDataInode=%d installed=%s hidden=%s suspended=%s" % (
        uid, 4000 + uid, str(installed).lower(), str(hidden).lower(), str(suspended).lower())
    if api >= 29:
        base += " distractionFlags=0"
    base += " stopped=false notLaunched=false enabled=0"
    if api >= 26:
        base += " instant=false"
    if api >= 28:
        base += " virtual=false"
    if api >= 34:
        base += " quarantined=false"
    lines = [base]
    if api >= 30:
        lines.append("      installReason=0")
        lines.append("      dataDir=/data/user/%d/x" % uid)
    if api >= 33:
        lines.append("      firstInstallTime=2024-03-11 09:12:44")
    lines.append("      gids=[3003]")
    lines.append("      runtime permissions:")
    lines.append("        android.permission.CAMERA: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]")
    return lines

def package(api, name, *, uid, vcode, vname, installer, system=False, sig=(), past=(), split=False,
            users=(0,), not_installed=(), shared=None, hidden=False, suspended=False, path_eq=True, extra=()):
    if api >= 30 and not system:
        code = "/data/app/~~Xk3mQ9Lz0tP_rF8w==/%s-AbCd_Ef12GhIj==" % name
    elif system:
        code = "/system/priv-app/%s" % name.split(".")[-1].capitalize()
    else:
        code = "/data/app/%s-1" % name
    L = ["  Package [%s] (%x):" % (name, zlib.crc32(name.encode()) % (1 << 28))]
    L.append("    userId=%d" % uid)
    if shared:
        L.append("    sharedUser=SharedUserSetting{7c1d2e3 %s/%d}" % (shared, uid))
    L.append("    pkg=Package{5b8c1a3 %s}" % name)
    L.append("    codePath=%s" % code)
    L.append("    resourcePath=%s" % code)
    L.append("    legacyNativeLibraryDir=%s/lib" % code)
    L.append("    primaryCpuAbi=arm64-v8a")
    L.append("    secondaryCpuAbi=null")
    if api >= 33:
        L.append("    cpuAbiOverride=null")
    L.append("    versionCode=%d minSdk=21 targetSdk=%d" % (vcode, min(api, 34)) if api >= 24 else "    versionCode=%d targetSdk=%d" % (vcode, api))
    L.append("    versionName=%s" % vname)
    if split:
        L.append("    splits=[base, config.arm64_v8a, config.xxhdpi, config.nl]")
    if api >= 28:
        L.append("    apkSigningVersion=%d" % (3 if past else 2))
    L.append("    applicationInfo=ApplicationInfo{7d1e2f3 %s}" % name)
    flags = "HAS_CODE ALLOW_CLEAR_USER_DATA" + (" SYSTEM PERSISTENT" if system else " ALLOW_BACKUP")
    L.append("    flags=[ %s ]" % flags)
    if api >= 28:
        L.append("    privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION %s]" % ("PRIVILEGED " if system else ""))
    if api >= 30:
        L.append("    forceQueryable=false")
        L.append("    queriesPackages=[]")
    L.append("    dataDir=/data/user/0/%s" % name)
    L.append("    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]")
    L.extend(extra)
    L.append("    timeStamp=2024-05-02 10:15:22")
    L.append("    firstInstallTime=2024-03-11 09:12:44")
    L.append("    lastUpdateTime=2024-05-02 10:15:40")
    if api >= 30:
        L.append("    installerPackageUid=%d" % (10087 if installer else -1))
        L.append("    initiatingPackageName=%s" % (installer or "null"))
        L.append("    originatingPackageName=null")
    L.append("    installerPackageName=%s" % (installer or "null"))
    if api >= 34:
        L.append("    installerAttributionTag=null")
        L.append("    packageSource=%d" % (2 if installer else 0))
    if sig:
        L.append(sigline("old" if api < 28 else "new", sig, past))
    L.append("    installPermissionsFixed=true")
    L.append("    pkgFlags=[ %s ]" % flags)
    if api >= 35:
        L.append("    pageSizeCompat=0")
    L.append("    requested permissions:")
    L.append("      android.permission.INTERNET")
    L.append("      android.permission.CAMERA")
    L.append("    install permissions:")
    L.append("      android.permission.INTERNET: granted=true")
    for u in users:
        L.extend(user_line(api, u, True, hidden, suspended))
    for u in not_installed:
        L.extend(user_line(api, u, False))
    return L

TT, TRILL, WX = "89d01293", "2606a464", "962f5b7"
PLATFORM, GMS, OTHER = "f3a4c5d2", "f0fd6c5b", "a1b2c3d4"

def common(api, users=(0,)):
    return [
        package(api, "android", uid=1000, vcode=api, vname=str(api), installer=None, system=True, sig=[PLATFORM], shared="android.uid.system", users=users),
        package(api, "com.android.settings", uid=1000, vcode=api, vname=str(api), installer=None, system=True, sig=[PLATFORM], shared="android.uid.system", users=users),
        package(api, "com.google.android.gms", uid=10045, vcode=234414038, vname="23.44.14 (190400-583948562)", installer=None, system=True, sig=[GMS], users=users),
        package(api, "com.android.vending", uid=10087, vcode=83831110, vname="38.3.11-21", installer=None, system=True, sig=[GMS], users=users),
        package(api, "com.zhiliaoapp.musically", uid=10234, vcode=2023504030, vname="35.4.3", installer="com.android.vending", sig=[TT], split=api >= 21, users=users),
        package(api, "com.tencent.mm", uid=10241, vcode=2580, vname="8.0.47", installer=None, sig=[WX], users=users),
        package(api, "nl.voorbeeld.werkmail", uid=10250, vcode=412, vname="4.1.2", installer="com.android.vending", sig=[OTHER], users=users),
        # A clone under another name, signed with TikTok's key: only the signer gives it away.
        package(api, "com.fastvideo.player.clips", uid=10251, vcode=7, vname="1.0.7", installer=None, sig=[TT], users=users),
    ]

def hidden_system(api):
    return ["Hidden system packages:",
            "  Package [com.google.android.gms] (1f2e3d4):",
            "    userId=10045",
            "    codePath=/system/priv-app/PrebuiltGmsCore",
            "    versionCode=%d minSdk=21 targetSdk=%d" % (210000000, api),
            "    versionName=21.00.00",
            "    pkgFlags=[ SYSTEM HAS_CODE ]",
            "    installerPackageName=null",
            ""]

def shared_users(api):
    return ["Shared users:",
            "  SharedUser [android.uid.system] (7c1d2e3):",
            "    userId=1000",
            "    install permissions:",
            "      android.permission.INTERNET: granted=true",
            ""]

def write(name, api, blocks, *, vendor_lines=(), truncate=None, users_note=""):
    lines = HEADER_RESOLVER.splitlines() + ["Packages:"]
    for b in blocks:
        lines.extend(b)
    lines.append("")
    lines.extend(hidden_system(api))
    lines.extend(shared_users(api))
    lines.append("Package Changes:")
    lines.append("  Sequence number=182")
    text = "\n".join(lines) + "\n"
    if truncate:
        i = text.index(truncate)
        text = text[:i + len(truncate)]
    open(os.path.join(OUT, name), "w").write(text)

def pmlist(name, api, entries):
    out = []
    for (path, pkg, vcode, uid, inst) in entries:
        s = "package:%s=%s" % (path, pkg)
        if api >= 28:
            s += " versionCode:%d" % vcode
        s += "  installer=%s" % inst
        if api >= 24:
            s += " uid:%s" % uid
        out.append(s)
    open(os.path.join(OUT, name), "w").write("\n".join(out) + "\n")

# Android 7 (API 25): old signature format, no installer lines beyond installerPackageName.
write("android7-dumpsys-package.txt", 25, common(25))
# Android 9 TV box (API 28): TV launcher, no Play Store, WeChat sideloaded.
tv = [b for b in common(28) if "vending" not in b[0]]
tv.append(package(28, "com.google.android.tvlauncher", uid=10030, vcode=1010900130, vname="1.0.9", installer=None, system=True, sig=[GMS]))
tv.append(package(28, "com.droidlogic.tvinput", uid=1000, vcode=28, vname="9", installer=None, system=True, sig=["c9e5b1a0"], shared="android.uid.system",
                  extra=["    AmlogicPlayerMode", "    vendor.amlogic.hdmi_cec_enabled"]))
write("tvbox-android9-dumpsys-package.txt", 28, tv)
# Android 11 (API 30): `~~` paths with `=`, past signatures on a rotated key.
b11 = common(30)
b11.append(package(30, "com.ss.android.ugc.trill", uid=10260, vcode=2023504031, vname="35.4.3", installer="com.android.vending", sig=[TRILL], past=[OTHER], split=True))
write("android11-dumpsys-package.txt", 30, b11)
pmlist("android11-pm-list-packages.txt", 30, [
    ("/data/app/~~Xk3mQ9Lz0tP_rF8w==/com.zhiliaoapp.musically-AbCd_Ef12GhIj==/base.apk", "com.zhiliaoapp.musically", 2023504030, "10234", "com.android.vending"),
    ("/data/app/~~Zq==/com.tencent.mm-Yy==/base.apk", "com.tencent.mm", 2580, "10241", "null"),
    ("/system/framework/framework-res.apk", "android", 30, "1000", "null"),
    ("/data/app/~~Pp9==/com.ss.android.ugc.trill-Ab==/base.apk", "com.ss.android.ugc.trill", 2023504031, "10260", "com.android.vending"),
])
# Android 13 (API 33): a work profile (user 10) next to user 0.
b13 = common(33, users=(0, 10))
b13.append(package(33, "com.whatsapp", uid=10270, vcode=230900000, vname="2.23.9.75", installer="com.android.vending", sig=["38a0f7d5"], users=(10,), not_installed=(0,)))
write("android13-dumpsys-package.txt", 33, b13)
pmlist("android13-pm-list-packages.txt", 33, [
    ("/data/app/~~Xk3mQ9Lz0tP_rF8w==/com.zhiliaoapp.musically-AbCd_Ef12GhIj==/base.apk", "com.zhiliaoapp.musically", 2023504030, "10234,1010234", "com.android.vending"),
    ("/data/app/~~Wa==/com.whatsapp-Qq==/base.apk", "com.whatsapp", 230900000, "1010270", "com.android.vending"),
])
# Android 15 (API 35): quarantined, packageSource, pageSizeCompat lines; suspended TikTok (an agent did it).
b15 = common(35)
b15[4] = package(35, "com.zhiliaoapp.musically", uid=10234, vcode=2023504030, vname="35.4.3", installer="com.android.vending", sig=[TT], split=True, suspended=True)
write("android15-dumpsys-package.txt", 35, b15)
# Samsung (One UI, Android 12 / API 31): Secure Folder user 150, vendor lines.
sam = common(31, users=(0, 150))
sam.append(package(31, "com.samsung.android.knox.containercore", uid=10110, vcode=310000, vname="3.1", installer=None, system=True, sig=["5a4b3c2d"],
                   extra=["    SEC_FLAG_KNOX_CONTAINER", "    semPrivateFlags=[ ]"]))
sam.append(package(31, "com.ss.android.ugc.trill", uid=10260, vcode=2023504031, vname="35.4.3", installer="com.sec.android.app.samsungapps", sig=[TRILL], users=(150,)))
write("samsung-android12-dumpsys-package.txt", 31, sam)
# Xiaomi (MIUI/HyperOS, Android 13): Second space user 10, XSpace user 999, MIUI vendor block.
xi = common(33, users=(0, 999))
xi.append(package(33, "com.miui.securitycenter", uid=1000, vcode=33, vname="7.4.5", installer=None, system=True, sig=["d4c3b2a1"], shared="android.uid.system",
                  extra=["    miuiSecurityFlags", "    XSPACE_CLONE_ENABLED"]))
write("xiaomi-android13-dumpsys-package.txt", 33, xi)
# Huawei (EMUI 10, Android 10 / API 29), cut off in the middle of a package (a dropped USB link).
hw = common(29)
hw.append(package(29, "com.huawei.appmarket", uid=10060, vcode=110101300, vname="11.1.1.300", installer=None, system=True, sig=["b1c2d3e4"]))
hw.append(package(29, "com.ss.android.ugc.trill", uid=10260, vcode=2023504031, vname="35.4.3", installer="com.huawei.appmarket", sig=[TRILL]))
write("huawei-android10-truncated-dumpsys-package.txt", 29, hw, truncate="  Package [com.ss.android.ugc.trill] (")
