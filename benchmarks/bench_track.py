"""dance track real-time factor at 1080p, and PoseWorker fps / frame-to-pose latency.

Baselines: real time (a 30 fps and the file's own 60 fps source), i.e. the track must take
less wall time than the video lasts; the worker's fps is compared with the source's fps
and its latency with the bare per-frame tracking time.

    python benchmarks/bench_track.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from pose.cli_track import track_video  # noqa: E402
from pose.samples import sample_path  # noqa: E402
from pose.worker import PoseWorker  # noqa: E402

CAMS = [f"Demo_SinglePerson/cam0{i}.mp4" for i in (1, 2, 3, 4)]


def bench_track(cams: list[str], reps: int) -> None:
    print("dance track (every frame, smoothed, 2 inference threads)")
    print(f"  {'video':<30} {'prefetch':>8} {'ms/frame':>9} {'cpu ms':>7} {'x real time':>12} {'@30fps':>8}")
    summary: dict[bool, list[float]] = {True: [], False: []}
    for cam in cams:
        path = sample_path(cam)
        for pre in (True, False):
            ms, cpu = [], []
            for _ in range(reps):
                track, run = track_video(path, prefetch=pre, progress=False)  # both ways, to compare
                ms.append(run.ms_per_frame)
                cpu.append(run.cpu_s * 1000 / run.frames)
            best = float(np.median(ms))
            summary[pre].append(best)
            fps = track.fps
            print(
                f"  {cam:<30} {'on' if pre else 'off':>8} {best:9.2f} {np.median(cpu):7.2f} "
                f"{1000.0 / fps / best:11.2f}x {1000.0 / 30 / best:7.2f}x"
            )
    on, off = float(np.mean(summary[True])), float(np.mean(summary[False]))
    print(f"  mean ms/frame: prefetch on {on:.2f}, off {off:.2f} (on/off = {on / off:.2f})")
    best = min(on, off)
    print(
        f"  real-time factor at 1080p: {1000 / 60 / best:.2f}x vs a 60 fps source, "
        f"{1000 / 30 / best:.2f}x vs a 30 fps source (baseline 1.00x = real time)"
    )


def bench_worker(cam: str, seconds_per_case: float) -> None:
    """Worker on a video played in real time: at the file's 60 fps, and slowed to 30 fps."""
    path = sample_path(cam)
    # Bare tracking time per frame on this machine, for the latency baseline.
    _, bare = track_video(path, prefetch=False, progress=False)
    print(f"worker on {cam} (loop, real time); bare decode+track {bare.ms_per_frame:.2f} ms/frame")
    print(f"  {'source':>10} {'poses/s':>8} {'ratio':>6} {'latency ms':>11} {'p95 ms':>7} {'dropped':>8} {'latest() us':>12}")
    for source_fps in (60.0, 30.0):
        speed = source_fps / 60.0
        t0 = [0.0]
        w = PoseWorker(path, loop=True, clock=lambda: (time.perf_counter() - t0[0]) * speed, keep_frame=True, window=10_000)
        t0[0] = time.perf_counter()
        w.start()
        calls = []
        end = time.perf_counter() + seconds_per_case
        while time.perf_counter() < end:
            a = time.perf_counter()
            w.latest()
            calls.append(time.perf_counter() - a)
            time.sleep(1 / 120)  # a render loop at 120 Hz
        s = w.stats()
        w.stop()
        if w.error:
            print(f"  worker failed: {w.error}")
        dropped = s.frames_dropped / max(1, s.frames_dropped + s.poses)
        print(
            f"  {source_fps:7.0f}fps {s.fps:8.1f} {s.fps / source_fps:6.2f} {s.latency_ms:11.1f} "
            f"{s.latency_p95_ms:7.1f} {dropped:7.0%} {np.max(calls) * 1e6:12.1f}"
        )
    print("  (ratio = poses/s over source fps; latency = capture -> pose available)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one camera, one repetition")
    ap.add_argument("--precision", default=None,
                    help="model variant for every pipeline (float, fp16, int8-dynamic, int8-weight, int8-static, int8-mixed)")
    args = ap.parse_args()
    if args.precision:
        from pose import runtime

        runtime.set_default_precision(args.precision)
        os.environ["DANCE_PRECISION"] = args.precision  # and any subprocess it starts
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f}")
    cams = CAMS[:1] if args.quick else CAMS
    bench_track(cams, reps=1 if args.quick else 3)
    bench_worker(CAMS[0], 3.0 if args.quick else 8.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
