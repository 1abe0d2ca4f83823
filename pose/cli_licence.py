"""``dance licence keygen|issue|verify``: the studio's side of protected builds (pose/licence.py)."""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from pathlib import Path

from pose.errors import DanceError


def _csv(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _keygen(args: argparse.Namespace) -> int:
    from pose import licence

    out = Path(args.out).expanduser().resolve()
    root = _repo_root()
    if out == root or root in out.parents:
        raise DanceError(f"refusing to write a private key inside the source tree ({root}); "
                         "pick a folder outside it, e.g. ~/.config/dancestudio-studio")
    priv, pub = licence.keygen(out)
    print(f"private key: {priv} (mode 0600; keep it secret, never commit or ship it)")
    print(f"public key:  {pub}: {pub.read_text().strip()}")
    print("a release build trusts this key once pose/licence.py PUBLIC_KEY_HEX holds it; "
          "for a development run set DANCE_LICENCE_PUBKEY to it")
    return 0


def _issue(args: argparse.Namespace) -> int:
    from pose import licence

    try:
        expires = dt.date.fromisoformat(args.expires)
    except ValueError:
        raise DanceError(f"--expires must be a date like 2027-06-30, got {args.expires!r}") from None
    try:
        bundle_sha = hashlib.sha256(Path(args.bundle).read_bytes()).hexdigest()
    except OSError as e:
        raise DanceError(f"cannot read bundle {args.bundle} ({e.strerror})") from None
    try:
        key = bytes.fromhex(Path(args.bundle_key).read_text().strip())
    except (OSError, ValueError):
        raise DanceError(f"cannot read the bundle key {args.bundle_key} (hex, written by dance models pack)") from None
    priv = licence.load_private_key(args.key)
    data = licence.issue(priv, licensee=args.licensee, expires=expires, modes=_csv(args.modes),
                         models=_csv(args.models), bundle_sha256=bundle_sha, bundle_key=key)
    Path(args.out).write_bytes(data)
    print(f"licence for {args.licensee} until {expires.isoformat()} (modes {args.modes}; models "
          f"{args.models}) written to {args.out}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pose import licence

    lic = licence.verify(args.licence)
    print(f"valid: licence for {lic.licensee}, expires {lic.expires.isoformat()}, modes "
          f"{', '.join(lic.modes)}, models {', '.join(lic.models)}, bundle sha256 {lic.bundle_sha256[:16]}…")
    if args.bundle:
        from pose import protect

        src = protect.open_protected(args.bundle, args.licence)
        print(f"bundle {args.bundle} opens with it: {', '.join(src.names)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("licence", help="make keys, issue and verify signed licences for protected builds",
                       description="Signed licences for protected builds (bundles from dance models pack).")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    k = actions.add_parser("keygen", help="write a new Ed25519 keypair (outside the source tree)")
    k.add_argument("--out", required=True, metavar="DIR", help="folder for licence_private.key / licence_public.hex")
    k.set_defaults(func=_keygen)
    i = actions.add_parser("issue", help="sign a licence for one bundle")
    i.add_argument("--bundle", required=True, type=Path, help="the bundle it unlocks")
    i.add_argument("--bundle-key", required=True, type=Path, help="the bundle's .key file from dance models pack")
    i.add_argument("--licensee", required=True)
    i.add_argument("--expires", required=True, metavar="YYYY-MM-DD", help="last valid day (UTC)")
    i.add_argument("--modes", default="*", help="allowed game modes, comma-separated (default: all)")
    i.add_argument("--models", default="*", help="allowed models, comma-separated (default: all in the bundle)")
    i.add_argument("--key", type=Path, help="private key file (default: $DANCE_LICENCE_PRIVATE_KEY)")
    i.add_argument("-o", "--out", required=True, type=Path, help="licence file to write")
    i.set_defaults(func=_issue)
    v = actions.add_parser("verify", help="check a licence (and that it opens a bundle)")
    v.add_argument("licence", type=Path)
    v.add_argument("--bundle", type=Path, help="also decrypt this bundle in memory with it")
    v.set_defaults(func=_verify)

    def no_action(a: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=no_action)
