"""Signed licences: who may run which modes and models of a protected build, until when.

A licence file is JSON: ``{"licence": {...}, "signature": base64}``. The signature is
Ed25519 over the canonical JSON of the ``licence`` object (sorted keys, no spaces), made
with the studio's private key and checked against the public key built into the player
(``PUBLIC_KEY_HEX`` below). The licence also carries the bundle's sha256 and its AES key,
so a bundle runs only with a licence issued for exactly that bundle.

What this protects and what not: the signature stops anyone without the private key from
forging or editing a licence (dates, modes, models, the bundle it unlocks). The models are
encrypted at rest and decrypted only in memory. A determined user who holds a valid
licence can still recover the key and the models from the running process; that is true
of any scheme where the player decrypts on the user's machine.

Development builds: ``DANCE_LICENCE_PUBKEY`` (hex, 32 bytes) replaces the built-in key so
tests and studios can use throwaway keys. That would let anyone sign their own licence, so
it is honoured only while ``ALLOW_PUBKEY_OVERRIDE`` is True (source checkouts); a release
build sets it False (see README, "Protected builds"). Every run that uses the override
says so on stderr.

The private key never ships: ``dance licence keygen`` writes it outside the repository and
``dance licence issue`` reads it from ``--key FILE`` or ``DANCE_LICENCE_PRIVATE_KEY``.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pose.errors import DanceError

# The player's built-in licence key. Its private half is held by the studio, never here.
PUBLIC_KEY_HEX = "81a055258a694a5c75217478829da75ffa69da826ef6d9eda8ffcb6f59b8e4cb"
# Release builds set this to False (a one-line change at packaging): no key override.
ALLOW_PUBKEY_OVERRIDE = True
PUBKEY_ENV = "DANCE_LICENCE_PUBKEY"
PRIVATE_KEY_ENV = "DANCE_LICENCE_PRIVATE_KEY"
FORMAT = 1
_STUDIO = "ask the studio that issued it for a new licence"


class LicenceError(DanceError):
    """A licence is missing, unreadable, forged, expired or does not allow what was asked."""


@dataclass(frozen=True)
class Licence:
    """A verified licence.

    expires: the last day it is valid (UTC). modes / models: what it allows ("*" = all).
    bundle_sha256 / bundle_key: the one bundle it unlocks and that bundle's AES-256 key.
    """

    licensee: str
    expires: dt.date
    modes: tuple[str, ...]
    models: tuple[str, ...]
    bundle_sha256: str
    bundle_key: bytes
    issued: str = ""

    def __post_init__(self) -> None:
        if not self.licensee:
            raise LicenceError("licence names no licensee")
        if len(self.bundle_key) != 32:
            raise LicenceError("licence carries no valid bundle key (need 32 bytes)")

    def allows_mode(self, mode: str) -> bool:
        return "*" in self.modes or mode in self.modes

    def allows_model(self, name: str) -> bool:
        return "*" in self.models or name in self.models

    def check_mode(self, mode: str) -> None:
        if not self.allows_mode(mode):
            raise LicenceError(f"the licence for {self.licensee} does not allow mode {mode!r} "
                               f"(allowed: {', '.join(self.modes)}); {_STUDIO}")

    def check_model(self, name: str) -> None:
        if not self.allows_model(name):
            raise LicenceError(f"the licence for {self.licensee} does not allow model {name!r} "
                               f"(allowed: {', '.join(self.models)}); {_STUDIO}")

    def payload(self) -> dict[str, Any]:
        return {"format": FORMAT, "licensee": self.licensee, "expires": self.expires.isoformat(),
                "modes": list(self.modes), "models": list(self.models),
                "bundle_sha256": self.bundle_sha256,
                "bundle_key": base64.b64encode(self.bundle_key).decode(), "issued": self.issued}


def _crypto():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise LicenceError("protected builds need the cryptography package: pip install cryptography") from None
    return ed25519, serialization, InvalidSignature


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


# ----------------------------------------------------------------------------- keys

def keygen(out_dir: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 keypair (private.key mode 0600, public.hex); refuses to overwrite."""
    ed25519, serialization, _ = _crypto()
    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    priv_path, pub_path = out_dir / "licence_private.key", out_dir / "licence_public.hex"
    for p in (priv_path, pub_path):
        if p.exists():
            raise LicenceError(f"{p} already exists; move it away or pick another --out folder")
    key = ed25519.Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(raw.hex() + "\n")
    pub_path.write_text(public_hex(key) + "\n")
    return priv_path, pub_path


def public_hex(private_key: Any) -> str:
    _, serialization, _ = _crypto()
    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw).hex()


def load_private_key(path: Path | None) -> Any:
    """The signing key from ``path`` or ``$DANCE_LICENCE_PRIVATE_KEY`` (hex of 32 bytes)."""
    ed25519, _, _ = _crypto()
    if path is not None:
        try:
            text = Path(path).expanduser().read_text().strip()
        except OSError as e:
            raise LicenceError(f"cannot read the private key {path} ({e.strerror})") from None
        where = str(path)
    else:
        text = os.environ.get(PRIVATE_KEY_ENV, "").strip()
        where = f"${PRIVATE_KEY_ENV}"
        if not text:
            raise LicenceError(f"no private key: pass --key FILE or set {PRIVATE_KEY_ENV} "
                               "(dance licence keygen makes one)")
    try:
        raw = bytes.fromhex(text)
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        raise LicenceError(f"{where} is not an Ed25519 private key (64 hex digits)") from None


def trusted_public_key() -> Any:
    """The key licences are checked against: the built-in one, or the development override."""
    ed25519, _, _ = _crypto()
    override = os.environ.get(PUBKEY_ENV, "").strip()
    hex_key = PUBLIC_KEY_HEX
    if override:
        if not ALLOW_PUBKEY_OVERRIDE:
            raise LicenceError(f"{PUBKEY_ENV} is set, but this is a release build that only trusts "
                               "its built-in key; unset it")
        print(f"note: development build: licences are checked against {PUBKEY_ENV}, "
              "not the built-in key", file=sys.stderr)
        hex_key = override
    try:
        return ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key))
    except ValueError:
        raise LicenceError(f"{PUBKEY_ENV} is not an Ed25519 public key (64 hex digits)") from None


# ----------------------------------------------------------------------------- issue / verify

def issue(private_key: Any, *, licensee: str, expires: dt.date, modes: tuple[str, ...],
          models: tuple[str, ...], bundle_sha256: str, bundle_key: bytes) -> bytes:
    """A signed licence file's bytes."""
    lic = Licence(licensee, expires, tuple(modes), tuple(models), bundle_sha256, bundle_key,
                  issued=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    payload = lic.payload()
    sig = private_key.sign(canonical(payload))
    return (json.dumps({"licence": payload, "signature": base64.b64encode(sig).decode()}, indent=1)
            + "\n").encode()


def verify(path: Path, today: dt.date | None = None) -> Licence:
    """Read, check the signature of, and check the dates of the licence at ``path``."""
    _, _, InvalidSignature = _crypto()
    path = Path(path).expanduser()
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise LicenceError(f"licence {path} does not exist; pass the licence file the studio sent") from None
    except (OSError, ValueError) as e:
        raise LicenceError(f"licence {path} is unreadable ({type(e).__name__}); {_STUDIO}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("licence"), dict) or "signature" not in doc:
        raise LicenceError(f"{path} is not a DanceStudio licence file; {_STUDIO}")
    payload = doc["licence"]
    try:
        sig = base64.b64decode(doc["signature"], validate=True)
    except (ValueError, TypeError):
        raise LicenceError(f"licence {path} has a damaged signature; {_STUDIO}") from None
    try:
        trusted_public_key().verify(sig, canonical(payload))
    except InvalidSignature:
        raise LicenceError(f"licence {path} is not signed by this player's studio key (edited, "
                           f"damaged or issued for another build); {_STUDIO}") from None
    try:
        if payload.get("format") != FORMAT:
            raise ValueError("format")
        lic = Licence(str(payload["licensee"]), dt.date.fromisoformat(payload["expires"]),
                      tuple(payload["modes"]), tuple(payload["models"]), str(payload["bundle_sha256"]),
                      base64.b64decode(payload["bundle_key"]), str(payload.get("issued", "")))
    except (KeyError, TypeError, ValueError):
        raise LicenceError(f"licence {path} is signed but malformed; {_STUDIO}") from None
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if today > lic.expires:
        raise LicenceError(f"the licence for {lic.licensee} expired on {lic.expires.isoformat()}; {_STUDIO}")
    return lic
