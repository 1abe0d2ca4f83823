"""``dance bench``: run the benchmarks under benchmarks/ and print their figures.

Each benchmark is a standalone script ``benchmarks/bench_*.py`` that prints its figures and
their ratio to the baseline it names. This command finds and runs them in turn, with the
same interpreter, so ``dance bench`` and ``python benchmarks/bench_x.py`` agree.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from pose.errors import DanceError


def benchmarks_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "benchmarks"
    if not here.is_dir():
        raise DanceError(f"no benchmarks folder at {here} (benchmarks ship with the source checkout)")
    return here


def available() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(benchmarks_dir().glob("bench_*.py"))}


def run(args: argparse.Namespace) -> int:
    found = available()
    if args.list:
        for name, path in found.items():
            doc = _first_doc_line(path)
            print(f"{name:<12} {doc}")
        return 0
    names = args.names or list(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        raise DanceError(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(found)}")
    failed = []
    for name in names:
        print(f"\n=== bench {name} ({found[name].name}) ===", flush=True)
        t0 = time.perf_counter()
        cmd = [sys.executable, str(found[name]), *(["--quick"] if args.quick else [])]
        rc = subprocess.call(cmd)
        print(f"=== bench {name}: exit {rc}, {time.perf_counter() - t0:.1f} s ===", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"dance bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _first_doc_line(path: Path) -> str:
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    except SyntaxError:
        return ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run benchmarks (figures and ratios to their baselines)")
    p.add_argument("names", nargs="*", help="which benchmarks (default: all); see --list")
    p.add_argument("--list", action="store_true", help="list the benchmarks")
    p.add_argument("--quick", action="store_true", help="short runs (passes --quick to each)")
    p.set_defaults(func=run)
