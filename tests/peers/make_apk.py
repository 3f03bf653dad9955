"""Writes an unsigned APK for the signing tests: a ZIP holding a binary AndroidManifest.xml (Android's
compiled XML, AXML: a UTF-16 string pool, the resource map of the android: attributes, and the
elements <manifest package versionCode versionName> and <uses-sdk minSdkVersion targetSdkVersion>),
a classes.dex and a few assets. No Android SDK is needed (or allowed) here, so the manifest is
encoded by hand, following AOSP's ResourceTypes.h (frameworks/base/libs/androidfw/include/
androidfw/ResourceTypes.h): ResChunk_header, ResStringPool_header, ResXMLTree_node,
ResXMLTree_attrExt, ResXMLTree_attribute, Res_value. Debian's apksigner parses it to learn the
minimum SDK (AndroidBinXmlParser), which is the check that it is well formed.

Usage: make_apk.py OUT.apk PACKAGE VERSION_CODE VERSION_NAME MIN_SDK TARGET_SDK [PADDING_MB [SPLIT]]
  With SPLIT, the manifest carries split="SPLIT": a split APK of the package.
"""

import struct
import sys
import zipfile

ANDROID_NS = "http://schemas.android.com/apk/res/android"
# android:attr resource ids (frameworks/base/core/res/res/values/public.xml).
ATTR_IDS = {
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "minSdkVersion": 0x0101020C,
    "targetSdkVersion": 0x01010270,
}
TYPE_STRING = 0x03
TYPE_INT_DEC = 0x10


def chunk(kind, header_extra, body):
    header_size = 8 + len(header_extra)
    return struct.pack("<HHI", kind, header_size, header_size + len(body)) + header_extra + body


def string_pool(strings):
    offsets, data = [], b""
    for s in strings:
        offsets.append(len(data))
        u = s.encode("utf-16-le")
        data += struct.pack("<H", len(s)) + u + b"\x00\x00"
    while len(data) % 4:
        data += b"\x00"
    header_extra = struct.pack("<IIIII", len(strings), 0, 0, 28 + 4 * len(strings), 0)
    body = b"".join(struct.pack("<I", o) for o in offsets) + data
    return chunk(0x0001, header_extra, body)


def manifest(package, version_code, version_name, min_sdk, target_sdk, split=None):
    # Attribute names first, in resource-map order (the map gives each its android: id).
    attrs = ["versionCode", "versionName", "minSdkVersion", "targetSdkVersion"]
    strings = attrs + ["android", ANDROID_NS, "package", "manifest", "uses-sdk", package, version_name, "split", split or ""]
    idx = {s: i for i, s in enumerate(strings)}
    pool = string_pool(strings)
    resmap = chunk(0x0180, b"", b"".join(struct.pack("<I", ATTR_IDS[a]) for a in attrs))

    def node(kind, ext):
        # ResXMLTree_node: lineNumber, comment (none), then the extension.
        return chunk(kind, struct.pack("<II", 1, 0xFFFFFFFF), ext)

    def attribute(ns, name, raw, data_type, data):
        return struct.pack("<IIIHBBI", ns, idx[name], raw, 8, 0, data_type, data)

    def start(name, attributes):
        ext = struct.pack("<IIHHHHHH", 0xFFFFFFFF, idx[name], 20, 20, len(attributes), 0, 0, 0)
        return node(0x0102, ext + b"".join(attributes))

    def end(name):
        return node(0x0103, struct.pack("<II", 0xFFFFFFFF, idx[name]))

    ns = idx[ANDROID_NS]
    none = 0xFFFFFFFF
    body = (
        node(0x0100, struct.pack("<II", idx["android"], ns))
        + start("manifest", [
            attribute(ns, "versionCode", none, TYPE_INT_DEC, version_code),
            attribute(ns, "versionName", idx[version_name], TYPE_STRING, idx[version_name]),
            attribute(none, "package", idx[package], TYPE_STRING, idx[package]),
        ] + ([attribute(none, "split", idx[split], TYPE_STRING, idx[split])] if split else []))
        + start("uses-sdk", [
            attribute(ns, "minSdkVersion", none, TYPE_INT_DEC, min_sdk),
            attribute(ns, "targetSdkVersion", none, TYPE_INT_DEC, target_sdk),
        ])
        + end("uses-sdk")
        + end("manifest")
        + node(0x0101, struct.pack("<II", idx["android"], ns))
    )
    return chunk(0x0003, b"", pool + resmap + body)


def main():
    out, package, code, name, min_sdk, target_sdk = sys.argv[1:7]
    padding_mb = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    split = sys.argv[8] if len(sys.argv) > 8 else None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("AndroidManifest.xml", manifest(package, int(code), name, int(min_sdk), int(target_sdk), split))
        z.writestr("classes.dex", b"dex\n035\x00" + bytes(range(256)) * 16)
        z.writestr("assets/readme.txt", "Appwacht test APK for " + package + "\n")
        z.writestr("res/raw/note.txt", "ünïcödé\n")
        if padding_mb:
            # A large, incompressible asset (a stored entry): the benchmark's 100 MB APK.
            import hashlib
            block, seed = bytearray(), b"appwacht"
            while len(block) < 1 << 20:
                seed = hashlib.sha256(seed).digest()
                block += seed
            # (Its size is given up front: apksig refuses ZIP64 entries, which an unknown size
            # would make.)
            info = zipfile.ZipInfo("assets/large.bin")
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = padding_mb << 20
            with z.open(info, "w") as f:
                for _ in range(padding_mb):
                    f.write(bytes(block[: 1 << 20]))


main()
