"""Precision variants of the body pipeline vs mediapipe 0.10.21: CPU per frame, fidelity, size.

One run, same footage, whole process. Each configuration (precision x LiteRT threads) and
mediapipe's ``Pose(model_complexity=1)`` each run in their own process, fed the very RGB
frames our decoder produced on stdin (the parent decodes; its time is not counted). A
process's CPU time (user + sys, from wait4) is measured twice, on the whole video and on
its first frame only; per frame = (whole - first) / (frames - 1), so imports, model load
and the first frame's set-up cancel out. Runs are interleaved video by video so the shared
machine's load hits every configuration alike.

Each configuration names its precision, LiteRT threads (detector/landmark) and graph:
"whole" is the landmark model as shipped, segmentation branch included (what mediapipe
runs even with segmentation off, and what this pipeline ran before); "lean" cuts that
branch, as BodyTracker does whenever segmentation is off (the landmarks are the same
numbers). fp16-compute is the float file with XNNPACK's fp16 arithmetic forced: native on
CPUs with AVX512-FP16 (this machine) or ARMv8.2 FP16, emulated and slow elsewhere. The
schedule is the same on both sides: the detector runs only when tracking is lost.

Baselines named in the output:
- CPU: mediapipe's CPU ms per 1080p frame in the same run; target ours / mediapipe <= 0.6.
- fidelity: mediapipe's float answers (tests/pose/fixtures/mediapipe_ref.npz), error =
  distance / frame width over landmarks with reference visibility > 0.5; targets median
  <= 0.005, p95 <= 0.02 (bench_pose's metrics); also the loss vs our float pipeline.
- invoke: the float model's bare invoke time on the same thread count (ratio < 1 = faster).

    .venv/bin/python benchmarks/bench_quant.py [--quick] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_pose import FIXTURE, MP_SCRIPT, SIM_FPS, ensure_mediapipe_venv, fidelity, rgb_frames  # noqa: E402

TARGET_CPU_RATIO = 0.6
TARGET_MEDIAN = 0.005
TARGET_P95 = 0.02
# (precision, detector threads, landmark threads, graph): graph "whole" runs the landmark
# model with its segmentation branch, as mediapipe does even with segmentation off (and as
# this pipeline did before); "lean" cuts it (what BodyTracker does without segmentation).
CONFIGS = [("float", 1, 1, "whole"), ("float", 2, 2, "lean"), ("float", 1, 1, "lean"),
           ("fp16-compute", 1, 1, "lean"), ("fp16", 1, 1, "lean"), ("int8-weight", 1, 1, "lean"),
           ("int8-dynamic", 1, 1, "lean"), ("int8-static", 1, 1, "lean"), ("int8-mixed", 1, 1, "lean")]
QUICK_CONFIGS = [("float", 1, 1, "whole"), ("float", 1, 1, "lean"), ("fp16-compute", 1, 1, "lean")]


def child_main(args: argparse.Namespace) -> int:
    """Our pipeline as a player runs it: raw RGB frames on stdin -> landmarks (.npy)."""
    from pose.tracker import BodyTracker

    w, h = (int(v) for v in args.child.split("x"))
    tracker = BodyTracker(smooth=False, threads=args.threads, landmark_threads=args.landmark_threads,
                          precision=args.precision)
    if args.whole_graph:
        from pose.landmarker import PoseLandmarker
        from pose.runtime import Model

        whole = Model("pose_landmark_full", threads=args.landmark_threads or args.threads,
                      precision=args.precision)
        tracker.landmarker = tracker.tracker.landmark_model.landmarker = PoseLandmarker(model=whole)
    n = w * h * 3
    buf = sys.stdin.buffer
    out = []
    i = 0
    while True:
        data = buf.read(n)
        if len(data) < n:
            break
        rgb = np.frombuffer(data, np.uint8).reshape(h, w, 3)
        f = tracker.process(rgb, (i + 1) / SIM_FPS)
        i += 1
        # (33, 7): image landmarks x, y, z, visibility, then world x, y, z (metres)
        out.append(np.full((33, 7), np.nan, np.float32) if f is None else
                   np.concatenate([f.landmarks, f.world], axis=1))
    if args.out:
        np.save(args.out, np.stack(out) if out else np.zeros((0, 33, 7), np.float32))
    return 0


def _run(cmd: list[str], frames: list[np.ndarray]) -> tuple[float, float]:
    """Feed ``frames`` to ``cmd`` on stdin; the process's user+sys CPU seconds and its wall seconds."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for f in frames:
            p.stdin.write(f.tobytes())
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"bench_quant: {cmd[1]} failed (exit {p.returncode}): {tail[0]}")
    return ru.ru_utime + ru.ru_stime, time.perf_counter() - t0


def _ours_cmd(cfg: tuple[str, int, int, str], size: tuple[int, int], out: str | None) -> list[str]:
    prec, dt, lt, graph = cfg
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", f"{size[0]}x{size[1]}",
           "--precision", prec, "--threads", str(dt), "--landmark-threads", str(lt)]
    cmd += ["--whole-graph"] if graph == "whole" else []
    return cmd + (["--out", out] if out else [])


def _mp_cmd(size: tuple[int, int]) -> list[str]:
    return [str(ensure_mediapipe_venv()), str(MP_SCRIPT), "--stdin", f"{size[0]}x{size[1]}"]


def invoke_ms(name: str, precision: str, threads: int, runs: int, lean: bool = False) -> tuple[float, float]:
    """Median wall and CPU ms of one bare invoke; ``lean``: the segmentation branch cut."""
    from pose import runtime
    from pose.landmarker import _OUT_SHAPES

    drop = frozenset({_OUT_SHAPES["mask"]}) if lean else frozenset()
    m = runtime.Model(name, threads=threads, precision=precision, drop_output_shapes=drop)
    m.set_input(np.random.default_rng(0).random(m.input_shape(), np.float32))
    for _ in range(3):
        m.invoke()
    ts, cs = [], []
    for _ in range(runs):
        c = time.process_time()
        t = time.perf_counter()
        m.invoke()
        ts.append((time.perf_counter() - t) * 1e3)
        cs.append((time.process_time() - c) * 1e3)
    return statistics.median(ts), statistics.median(cs)


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISS"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="cam01, 40 frames, 3 configurations")
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None, help="CPU measurements per video")
    ap.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    ap.add_argument("--child", metavar="WxH", help=argparse.SUPPRESS)
    ap.add_argument("--precision", default="float", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--landmark-threads", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--whole-graph", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)

    from pose import variants, zoo
    from pose.samples import sample_path

    missing = [f"{m}/{p}" for m in ("pose_detection", "pose_landmark_full") for p in variants.BUILT
               if variants.status(m, p) != "verified"]
    if missing:
        raise SystemExit(f"bench_quant: variants not built ({', '.join(missing)}); run: dance models quantize")
    configs = QUICK_CONFIGS if args.quick else CONFIGS
    ref = np.load(FIXTURE)
    n_videos = 1 if args.quick else 2
    max_frames = args.frames or (40 if args.quick else None)
    rounds = args.rounds or (1 if args.quick else 2)
    load0 = os.getloadavg()[0]
    from pose.runtime import fp16_arithmetic_native

    print(f"fp16 arithmetic in hardware: {'yes' if fp16_arithmetic_native() else 'no (fp16-compute is emulated)'}")
    print(f"bench_quant: {n_videos} video(s), {max_frames or 'all'} frames, {rounds} round(s), "
          f"{len(configs)} configurations + mediapipe; load average {load0:.1f} on {os.cpu_count()} CPUs")

    keys = ["mediapipe"] + [f"{p} t{d}/{lt} {g}" for p, d, lt, g in configs]
    cpu_ms: dict[str, list[float]] = {k: [] for k in keys}
    whole_ms: dict[str, list[float]] = {k: [] for k in keys}
    wall_ms: dict[str, list[float]] = {k: [] for k in keys}
    lms: dict[str, list[np.ndarray]] = {k: [] for k in keys[1:]}
    ref_lms, ref_worlds, sizes = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-quant-") as tmp:
        for vi in range(n_videos):
            name = str(ref[f"v{vi}_name"])
            frames = [np.ascontiguousarray(f) for f in rgb_frames(sample_path(name), max_frames)]
            size = (frames[0].shape[1], frames[0].shape[0])
            ref_lms.append(ref[f"v{vi}_landmarks"][:len(frames)])
            ref_worlds.append(ref[f"v{vi}_world"][:len(frames)])
            sizes.append(size)
            n = len(frames)
            for r in range(rounds):
                for k, cfg in zip(keys, [None, *configs]):
                    out = None if cfg is None or r else os.path.join(tmp, f"{vi}-{k.replace(' ', '_').replace('/', '_')}.npy")
                    cmd = _mp_cmd(size) if cfg is None else _ours_cmd(cfg, size, out)
                    first, first_wall = _run(cmd if out is None else cmd[:-2], frames[:1])
                    whole, whole_wall = _run(cmd, frames)
                    cpu_ms[k].append((whole - first) * 1e3 / (n - 1))
                    wall_ms[k].append((whole_wall - first_wall) * 1e3 / (n - 1))
                    whole_ms[k].append(whole * 1e3 / n)
                    if out:
                        lms[k].append(np.load(out))
            print(f"  {name}: {n} frames of {size[0]}x{size[1]} measured", flush=True)

    # Fidelity over both videos together, against mediapipe and against our float pipeline.
    fid = {}
    for k in keys[1:]:
        per = [fidelity(o, rf, s) for o, rf, s in zip(lms[k], ref_lms, sizes)]
        errs = _errors(lms[k], ref_lms, sizes)
        world = np.concatenate([_world_errors(o, r) for o, r in zip(lms[k], ref_worlds)])
        fid[k] = {"median": float(np.median(errs)), "p95": float(np.percentile(errs, 95)),
                  "agreement": float(np.mean([p["agreement"] for p in per])),
                  "world_median_m": float(np.median(world)), "world_p95_m": float(np.percentile(world, 95))}
    base_key = keys[1]
    for k in keys[1:]:
        e = _errors(lms[k], lms[base_key], sizes)
        fid[k]["vs_float_median"] = float(np.median(e))
        fid[k]["vs_float_p95"] = float(np.percentile(e, 95))

    mp_cpu = statistics.median(cpu_ms["mediapipe"])
    mp_whole = statistics.median(whole_ms["mediapipe"])
    mp_wall = statistics.median(wall_ms["mediapipe"])
    sizes_b = {p: (zoo.get("pose_landmark_full").size if variants.file_precision(p) == "float" else
                   variants.read_manifest()[f"pose_landmark_full/{p}"].size) for p in variants.PRECISIONS}
    inv_runs = 20 if args.quick else 60
    inv = {(p, t, lean): invoke_ms("pose_landmark_full", p, t, inv_runs, lean)
           for p in variants.PRECISIONS for t, lean in ((1, False), (1, True), (2, True))}
    print()
    print("body pipeline (tracking, smoothing off) per 1080p frame, whole process, start-up subtracted:")
    print("CPU ms (user+sys) and wall ms; mediapipe runs XNNPACK on 1 thread and the whole graph")
    print(f"  {'configuration':<26}{'cpu/frame':>10}{'x mp':>7}{'wall/frame':>11}{'x mp':>7}{'cpu+init':>9}"
          f"{'median':>9}{'p95':>9}{'agree':>7}{'d float p95':>12}{'world cm':>9}{'p95':>6}  target")
    print(f"  {'mediapipe 0.10.21':<26}{mp_cpu:10.2f}{1.0:7.2f}{mp_wall:11.2f}{1.0:7.2f}{mp_whole:9.2f}")
    rows = []
    for k in keys[1:]:
        c = statistics.median(cpu_ms[k])
        wl = statistics.median(wall_ms[k])
        wh = statistics.median(whole_ms[k])
        f = fid[k]
        good = (c / mp_cpu <= TARGET_CPU_RATIO and f["median"] <= TARGET_MEDIAN and f["p95"] <= TARGET_P95)
        print(f"  {k:<26}{c:10.2f}{c / mp_cpu:7.2f}{wl:11.2f}{wl / mp_wall:7.2f}{wh:9.2f}{f['median']:9.5f}"
              f"{f['p95']:9.5f}{f['agreement']:7.1%}{f['vs_float_p95']:12.5f}"
              f"{f['world_median_m'] * 100:9.2f}{f['world_p95_m'] * 100:6.1f}  {_ok(good)}")
        rows.append({"config": k, "cpu_ms_per_frame": c, "ratio_vs_mediapipe": c / mp_cpu,
                     "wall_ms_per_frame": wl, "wall_ratio_vs_mediapipe": wl / mp_wall,
                     "whole_ms_per_frame": wh, **f})
    print(f"  (targets: cpu ratio <= {TARGET_CPU_RATIO}, median <= {TARGET_MEDIAN}, p95 <= {TARGET_P95} "
          "of frame width vs mediapipe; 'cpu+init' = CPU per frame with start-up left in; "
          f"'d float' = error vs {keys[1]}; world = median / p95 distance to mediapipe's world landmarks, "
          "not part of the target but what scoring reads)")
    print()
    print("pose_landmark_full variants: file size and bare invoke, median wall ms (CPU ms);")
    print("'lean' = segmentation branch cut; ratios vs float, whole graph, 1 thread")
    print(f"  {'precision':<14}{'size MB':>8}{'x float':>8}{'whole, 1 thread':>24}{'lean, 1 thread':>24}{'lean, 2 threads':>24}")
    ref = inv["float", 1, False][1]
    for p in variants.PRECISIONS:
        cells = "".join(f"{inv[p, t, ln][0]:8.2f} ({inv[p, t, ln][1]:5.2f}) {inv[p, t, ln][1] / ref:5.2f}x".rjust(24)
                        for t, ln in ((1, False), (1, True), (2, True)))
        print(f"  {p:<14}{sizes_b[p] / 1e6:8.2f}{sizes_b[p] / sizes_b['float']:8.2f}{cells}")
    load1 = os.getloadavg()[0]
    print(f"load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} CPUs")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "mediapipe_cpu_ms_per_frame": mp_cpu, "rows": rows,
            "invoke_ms": {f"{p}/t{t}/{'lean' if ln else 'whole'}": {"wall": v[0], "cpu": v[1]}
                          for (p, t, ln), v in inv.items()},
            "size_bytes": sizes_b, "load": [load0, load1]}, indent=1))
    return 0


def _world_errors(ours: np.ndarray, ref_world: np.ndarray) -> np.ndarray:
    """Per-landmark world distance (m) to mediapipe's pose_world_landmarks, frames both found."""
    both = np.isfinite(ours[:, 0, 4]) & np.isfinite(ref_world[:, 0, 0])
    return np.linalg.norm(ours[both][..., 4:7] - ref_world[both], axis=-1).ravel()


def _errors(ours: list[np.ndarray], refs: list[np.ndarray], sizes: list[tuple[int, int]]) -> np.ndarray:
    """Per-landmark error / frame width over frames both found, reference visibility > 0.5."""
    out = []
    for o, r, (w, h) in zip(ours, refs, sizes):
        both = np.isfinite(o[:, 0, 0]) & np.isfinite(r[:, 0, 0])
        err = np.hypot((o[..., 0] - r[..., 0]) * w, (o[..., 1] - r[..., 1]) * h) / w
        vis = np.nan_to_num(r[..., 3]) > 0.5 if np.isfinite(r[..., 3]).any() else np.ones(r.shape[:2], bool)
        out.append(err[both[:, None] & vis])
    return np.concatenate(out) if out else np.zeros(0)


if __name__ == "__main__":
    sys.exit(main())
