"""Authoring: move-proposal accuracy, `dance author`/`dance preview` speed, loader time.

Figures (each with its ratio to the baseline it names):
- move boundaries proposed on the bundled demo's reference track vs the moves its author
  wrote (precision / recall / F1, a boundary within 1 beat counts). Baseline: a fixed grid,
  one boundary every 4 beats from the first beat (what an author gets without looking).
- `dance author` on real footage (pose2sim Demo_SinglePerson cam01, 100 frames, 60 fps):
  wall seconds, and x real time. Baseline: the video's own duration (1.0x = real time).
- `dance preview` of that folder: frames/s, x real time. Baseline: the video's duration.
- load_choreography on the demo (YAML + track + video + audio checks), ms. Baseline:
  bare yaml.safe_load of the same file.

Usage: python benchmarks/bench_authoring.py [--quick]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEMO = REPO / "choreographies" / "demo" / "demo.yaml"
TOLERANCE_BEATS = 1.0


def _prf(proposed: list[float], truth: list[float], tol: float) -> tuple[float, float, float]:
    """Precision, recall, F1 with one-to-one matching within ``tol`` (greedy by distance)."""
    pairs = sorted((abs(p - t), i, j) for i, p in enumerate(proposed) for j, t in enumerate(truth) if abs(p - t) <= tol)
    used_p, used_t = set(), set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
    hits = len(used_p)
    p = hits / len(proposed) if proposed else 0.0
    r = hits / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bench_boundaries() -> None:
    from authoring.propose import propose_moves
    from content.loader import load_choreography

    if not DEMO.is_file():
        print(f"boundaries: skipped ({DEMO} not found)")
        return
    c = load_choreography(DEMO)
    track = c.load_track()
    truth = sorted({m.start_beat for m in c.moves} | {m.start_beat + m.beats for m in c.moves})
    t0 = time.perf_counter()
    moves = propose_moves(track, c.bpm, c.offset_s, c.duration_s)
    ms = (time.perf_counter() - t0) * 1000
    ours = sorted({m.start_beat for m in moves} | {m.start_beat + m.beats for m in moves})
    last_beat = int(c.s_to_beat(c.duration_s))
    grid = [float(b) for b in range(int(np.ceil(c.s_to_beat(0.0))), last_beat + 1, 4)]
    p, r, f = _prf(ours, truth, TOLERANCE_BEATS)
    bp, br, bf = _prf(grid, truth, TOLERANCE_BEATS)
    print(f"move boundaries on {DEMO.relative_to(REPO)} ({len(c.moves)} authored moves, "
          f"{len(truth)} boundaries; match within {TOLERANCE_BEATS:g} beat)")
    print(f"  proposed: {len(moves)} moves, precision {p:.2f}, recall {r:.2f}, F1 {f:.2f}  ({ms:.0f} ms)")
    print(f"  baseline 4-beat grid: precision {bp:.2f}, recall {br:.2f}, F1 {bf:.2f}")
    print(f"  F1 ratio proposed/baseline = {f / bf if bf else float('inf'):.2f}")


def bench_author_preview(quick: bool) -> None:
    from authoring.author import author
    from authoring.preview import render_preview
    from pose.samples import sample_path

    try:
        video = sample_path("Demo_SinglePerson/cam01.mp4")
    except Exception as e:  # noqa: BLE001 - a missing cache is reported, not fatal
        print(f"author: skipped ({e})")
        return
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "coach"
        t0 = time.perf_counter()
        r = author(video, out, bpm=120, progress=False)
        wall = time.perf_counter() - t0
        video_s = r.frames / 60.0
        print(f"dance author {video.name} --bpm 120: {r.frames} frames ({video_s:.2f} s of video)")
        print(f"  wall {wall:.2f} s (tracking {r.track_wall_s:.2f} s, {r.track_wall_s * 1000 / r.frames:.1f} ms/frame); "
              f"x real time = {video_s / wall:.2f} (baseline 1.00 = the video's duration)")
        print(f"  person found in {r.detection_rate:.0%} of frames, {r.moves} moves proposed")
        if quick:
            return
        t0 = time.perf_counter()
        pr = render_preview(r.yaml_path, Path(d) / "preview.mp4", progress=False)
        wall = time.perf_counter() - t0
        print(f"dance preview: {pr.frames} frames {pr.size[0]}x{pr.size[1]} in {wall:.2f} s = "
              f"{pr.frames / wall:.1f} frames/s; x real time = {pr.frames / pr.fps / wall:.2f} (baseline 1.00)")


def bench_loader(quick: bool) -> None:
    import yaml

    from content.loader import load_choreography

    if not DEMO.is_file():
        return
    n = 3 if quick else 10
    load_choreography(DEMO)  # warm: imports, cv2, disk cache
    t0 = time.perf_counter()
    for _ in range(n):
        load_choreography(DEMO)
    full_ms = (time.perf_counter() - t0) * 1000 / n
    t0 = time.perf_counter()
    for _ in range(n):
        load_choreography(DEMO, check_media=False)
    nomedia_ms = (time.perf_counter() - t0) * 1000 / n
    text = DEMO.read_text()
    t0 = time.perf_counter()
    for _ in range(n):
        yaml.safe_load(text)
    base_ms = (time.perf_counter() - t0) * 1000 / n
    print(f"load_choreography({DEMO.name}): {full_ms:.1f} ms with media checks, {nomedia_ms:.1f} ms without; "
          f"baseline yaml.safe_load {base_ms:.2f} ms (ratio {full_ms / base_ms:.1f}x, {nomedia_ms / base_ms:.1f}x)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the preview render, fewer repetitions")
    args = ap.parse_args()
    bench_boundaries()
    bench_author_preview(args.quick)
    bench_loader(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
