"""Protected model bundles: the models a build needs, encrypted with AES-256-GCM.

File layout (all integers big-endian)::

    b"DSBUNDLE" | u32 header length | header (UTF-8 JSON) | 12-byte nonce | ciphertext + tag

The header lists each model (name, precision, offset, size, sha256) and is authenticated
as GCM's associated data, so editing it fails decryption like editing the ciphertext does.
The key is 32 random bytes made at pack time; it reaches the player only inside a signed
licence (pose/licence.py) that also pins the bundle's sha256.

At run time ``open_protected`` checks the licence, then the bundle's hash, then decrypts the
whole bundle into memory; ``BundleSource`` hands each model's bytes to the runtime, which
builds interpreters from bytes. Nothing decrypted is ever written to disk.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pose import runtime
from pose.errors import DanceError, ModelError
from pose.licence import Licence, LicenceError, verify

# The models each pipeline loads with pose.pipelines' defaults (what a build that runs it
# must pack, and download).
PIPELINE_MODELS: dict[str, tuple[str, ...]] = {
    "body": ("pose_detection", "pose_landmark_full"),
    "face": ("face_detection_full_range_sparse", "face_landmark"),
    "hands": ("palm_detection_full", "hand_landmark_full"),
    "segmentation": ("selfie_segmentation_landscape",),
}
MAGIC = b"DSBUNDLE"
FORMAT = 1
_NONCE = 12
_REPACK = "ask the studio for the bundle that matches your licence (dance models pack)"


class BundleError(DanceError):
    """A bundle is missing, damaged, or does not match its licence."""


def _aesgcm(key: bytes):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise BundleError("protected builds need the cryptography package: pip install cryptography") from None
    return AESGCM(key)


@dataclass(frozen=True)
class PackResult:
    """What ``pack`` wrote: the bundle path, its sha256, its key, and the models inside."""

    path: Path
    sha256: str
    key: bytes
    models: tuple[str, ...]  # "name/precision"
    size: int


def pack(items: Iterable[tuple[str, str]], out: Path, key: bytes | None = None) -> PackResult:
    """Encrypt the (name, precision) models, each read and verified as the runtime would."""
    from pose.fetch import atomic_writer

    key = key or os.urandom(32)
    if len(key) != 32:
        raise BundleError("a bundle key is 32 bytes (AES-256)")
    from pose.variants import file_precision

    entries, blobs, offset = [], [], 0
    # A runtime-only precision (fp16-compute) runs the float file: pack that, once.
    for name, precision in dict.fromkeys((n, file_precision(p)) for n, p in items):
        data = runtime.load_bytes(name, precision)
        entries.append({"name": name, "precision": precision, "offset": offset, "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()})
        blobs.append(data)
        offset += len(data)
    if not entries:
        raise BundleError("nothing to pack: name at least one model")
    header = json.dumps({"format": FORMAT, "models": entries}, sort_keys=True).encode()
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    nonce = os.urandom(_NONCE)
    ct = _aesgcm(key).encrypt(nonce, b"".join(blobs), prefix)
    blob = prefix + nonce + ct
    out = Path(out)
    with atomic_writer(out) as f:
        f.write(blob)
    return PackResult(out, hashlib.sha256(blob).hexdigest(), key,
                      tuple(f"{e['name']}/{e['precision']}" for e in entries), len(blob))


def _parse(blob: bytes, where: Path) -> tuple[bytes, dict, bytes, bytes]:
    bad = f"bundle {where} is damaged (not a complete DanceStudio bundle); {_REPACK}"
    if len(blob) < len(MAGIC) + 4 or not blob.startswith(MAGIC):
        raise BundleError(bad)
    (hlen,) = struct.unpack(">I", blob[len(MAGIC):len(MAGIC) + 4])
    end = len(MAGIC) + 4 + hlen
    if end + _NONCE + 16 > len(blob):
        raise BundleError(bad)
    try:
        header = json.loads(blob[len(MAGIC) + 4:end])
        if header.get("format") != FORMAT:
            raise ValueError
    except ValueError:
        raise BundleError(bad) from None
    return blob[:end], header, blob[end:end + _NONCE], blob[end + _NONCE:]


class BundleSource(runtime.ModelSource):
    """Models decrypted in memory, served to the runtime within the licence's limits."""

    def __init__(self, models: dict[str, bytes], licence: Licence, path: Path):
        self._models = models  # "name/precision" -> plaintext, in memory only
        self.licence = licence
        self.path = path

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._models)

    def model_bytes(self, name: str, precision: str) -> bytes:
        self.licence.check_model(name)
        data = self._models.get(f"{name}/{precision}")
        if data is None:
            have = ", ".join(self._models) or "nothing"
            raise ModelError(f"bundle {self.path} has no {precision} {name} (it holds {have}); {_REPACK}")
        return data


def open_protected(bundle: Path, licence_path: Path) -> BundleSource:
    """Verify the licence, match it to the bundle, decrypt the bundle into memory."""
    lic = verify(licence_path)
    bundle = Path(bundle).expanduser()
    try:
        blob = bundle.read_bytes()
    except FileNotFoundError:
        raise BundleError(f"bundle {bundle} does not exist; pass the bundle file the studio shipped") from None
    except OSError as e:
        raise BundleError(f"bundle {bundle} cannot be read ({e.strerror})") from None
    if hashlib.sha256(blob).hexdigest() != lic.bundle_sha256:
        raise BundleError(f"bundle {bundle} is damaged or not the one the licence for {lic.licensee} "
                          f"was issued for (sha256 differs); {_REPACK}")
    prefix, header, nonce, ct = _parse(blob, bundle)
    try:
        from cryptography.exceptions import InvalidTag
    except ImportError:
        raise BundleError("protected builds need the cryptography package: pip install cryptography") from None
    try:
        plain = _aesgcm(lic.bundle_key).decrypt(nonce, ct, prefix)
    except InvalidTag:
        raise LicenceError(f"the key in the licence for {lic.licensee} does not open bundle {bundle} "
                           "(wrong key); ask the studio to reissue the licence for this bundle") from None
    models = {}
    for e in header["models"]:
        data = plain[e["offset"]:e["offset"] + e["size"]]
        if hashlib.sha256(data).hexdigest() != e["sha256"]:  # cannot happen after GCM; cheap to check
            raise BundleError(f"bundle {bundle}: model {e['name']} is damaged; {_REPACK}")
        models[f"{e['name']}/{e['precision']}"] = data
    return BundleSource(models, lic, bundle)


def activate(bundle: Path, licence_path: Path) -> BundleSource:
    """``open_protected`` and make every later model load come from it."""
    src = open_protected(bundle, licence_path)
    runtime.use_source(src)
    return src
