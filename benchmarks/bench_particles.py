"""Particle system speed: update + draw ms per frame at 1280x720, headless.

Baseline: the 16.7 ms frame budget of 60 fps (ratio = measured / 16.7; < 1 fits, and the
whole frame — video, camera, HUD — must share that budget).

    SDL_VIDEODRIVER=dummy .venv/bin/python benchmarks/bench_particles.py [--frames 120]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from game.particles import EmitMaintainCount, Emitter, ParticleSystem, confetti, sparkles, stars  # noqa: E402

BUDGET_MS = 1000.0 / 60.0


def run(n_particles: int, frames: int, screen: pygame.Surface) -> dict[str, float]:
    fx = ParticleSystem(max_particles=n_particles + 10, seed=7)
    rng = np.random.default_rng(7)
    # The realistic mix of a busy finale: mostly confetti, some sparkles and stars,
    # each stream kept topped up so the count holds while particles die and respawn.
    mix = ((confetti(), 0.6), (sparkles(), 0.3), (stars(), 0.1))
    for i, (style, share) in enumerate(mix):
        fx.add(Emitter((320 + 320 * i, 360), EmitMaintainCount(int(n_particles * share)), style, rng))
    dt_s = 1.0 / 60.0
    for _ in range(30):  # warm up: fill the counts and build the sprite atlases
        fx.update(dt_s)
        fx.draw(screen)
    upd, drw, live, cpu = [], [], [], []
    for _ in range(frames):
        screen.fill((30, 20, 60))
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fx.update(dt_s)
        t1 = time.perf_counter()
        fx.draw(screen)
        t2 = time.perf_counter()
        cpu.append((time.thread_time() - c0) * 1e3)
        upd.append((t1 - t0) * 1e3)
        drw.append((t2 - t1) * 1e3)
        live.append(fx.live_count)
    total = [u + d for u, d in zip(upd, drw)]
    return {
        "live": statistics.mean(live),
        "update_ms": statistics.median(upd),
        "draw_ms": statistics.median(drw),
        "p50_ms": statistics.median(total),
        "p95_ms": float(np.percentile(total, 95)),
        # CPU time of this thread: what the work costs, without other processes' preemption
        # (the shared 2-core machine makes wall-clock p95 noisy).
        "cpu_p50_ms": statistics.median(cpu),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--counts", type=int, nargs="+", default=[2000, 5000, 10000])
    ap.add_argument("--quick", action="store_true", help="a short run: 30 frames per count")
    args = ap.parse_args()
    if args.quick:
        args.frames = min(args.frames, 30)
    pygame.display.init()
    screen = pygame.display.set_mode((1280, 720))
    print(f"particles update+draw at 1280x720, {args.frames} frames; baseline = {BUDGET_MS:.1f} ms (60 fps budget)")
    for n in args.counts:
        r = run(n, args.frames, screen)
        print(f"  {n:>6} particles (live {r['live']:.0f}): update {r['update_ms']:.2f} ms + draw {r['draw_ms']:.2f} ms"
              f" = p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms;"
              f" ratio to budget p50 {r['p50_ms'] / BUDGET_MS:.2f}, p95 {r['p95_ms'] / BUDGET_MS:.2f};"
              f" thread CPU p50 {r['cpu_p50_ms']:.2f} ms (ratio {r['cpu_p50_ms'] / BUDGET_MS:.2f})")
    pygame.quit()


if __name__ == "__main__":
    main()
