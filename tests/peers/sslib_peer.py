"""securesystemslib as a reference DSSE peer for Appwacht's interoperability tests.

  sign OUTDIR PAYLOAD_FILE   sign the payload with a fresh Ed25519 and a fresh ECDSA P-256 key;
                             write ed25519.json / ecdsa.json (envelopes) and *.pub.pem (SPKI)
  verify ENVELOPE PUBKEY_PEM verify an envelope (threshold 1) and print its payload type;
                             exit 1 when it does not verify

The key id a verifier matches on is only a hint both sides agree on; Appwacht's is the SHA-256
of the SubjectPublicKeyInfo DER, so the peer uses that one.
"""

import hashlib
import json
import sys

from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

POLICY_TYPE = "application/vnd.appwacht.policy+json"


def spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(outdir, payload_file):
    payload = open(payload_file, "rb").read()
    for name, generate in (("ed25519", CryptoSigner.generate_ed25519), ("ecdsa", CryptoSigner.generate_ecdsa)):
        signer = generate()
        envelope = Envelope(payload=payload, payload_type=POLICY_TYPE, signatures={})
        envelope.sign(signer)
        with open(f"{outdir}/{name}.json", "w") as f:
            json.dump(envelope.to_dict(), f)
        public = signer._private_key.public_key()
        with open(f"{outdir}/{name}.pub.pem", "wb") as f:
            f.write(public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    print("signed")


def verify(envelope_file, pem_file):
    public = serialization.load_pem_public_key(open(pem_file, "rb").read())
    key = SSlibKey.from_crypto(public, keyid=hashlib.sha256(spki(public)).hexdigest())
    envelope = Envelope.from_dict(json.load(open(envelope_file)))
    try:
        accepted = envelope.verify([key], 1)
    except Exception as e:  # securesystemslib raises VerificationError
        print(f"not verified: {e}")
        sys.exit(1)
    print(f"verified {envelope.payload_type} by {len(accepted)} key(s)")


if __name__ == "__main__":
    if sys.argv[1] == "sign":
        sign(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
