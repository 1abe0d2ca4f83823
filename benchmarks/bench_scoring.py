"""Scoring: what a score means on real footage, DTW speed vs fastdtw, live per-frame cost.

1. Score meaning (pose2sim Demo_SinglePerson, tracked here with the project's BodyTracker,
   smoothing on): a choreography of four ~0.4 s moves over cam01's track, scored against
   the same movement from cam02/03/04 (aim >= 80), the time-reversed movement, a frozen
   pose and another person (Demo_MultiPerson, the cameras where the tracker follows the
   second person; aim <= 40); a 0.3 s delay and +-10 % tempo (aim: cost <= 5 points).
2. Exact banded DTW (scoring.align.banded_dtw) vs fastdtw on two 5,400-frame feature tracks
   (3 min at 30 fps) built from the real tracks by concatenation and smooth time warps:
   both times, their ratio (baseline: fastdtw) and both costs (baseline: exact full DTW).
3. Live cost of ScoreProcessor.push per camera frame over a 3-minute session at 30 fps
   (mean / p95 / max µs; baseline: the 1 ms per-frame budget).

    python benchmarks/bench_scoring.py [--quick] [--tracks DIR]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from pose.track import PoseTrack  # noqa: E402

SINGLE = [f"Demo_SinglePerson/cam0{i}" for i in (1, 2, 3, 4)]
MULTI = [f"Demo_MultiPerson/cam0{i}" for i in (1, 2, 3, 4)]
MOVES = [("Swing in", 0.05, 0.45), ("Reach across", 0.45, 0.85), ("Lunge", 0.85, 1.25), ("Open up", 1.25, 1.65)]


def load_tracks(names: list[str], tracks_dir: Path | None) -> dict[str, PoseTrack]:
    from pose.cli_track import track_video
    from pose.samples import sample_path

    out = {}
    for name in names:
        cached = tracks_dir / (name.replace("/", "_") + ".npz") if tracks_dir else None
        if cached is not None and cached.is_file():
            out[name] = PoseTrack.load(cached)
            continue
        out[name], _ = track_video(sample_path(name + ".mp4"), smooth=True, progress=False)
        if cached is not None:
            out[name].save(cached)
    return out


def write_choreo(folder: Path, ref: PoseTrack, moves, title: str = "bench"):
    from content.loader import load_choreography

    folder.mkdir(parents=True, exist_ok=True)
    ref.save(folder / "ref.npz")
    body = "".join(f"  - name: {n}\n    start_s: {s}\n    end_s: {e}\n" for n, s, e in moves)
    (folder / "c.yaml").write_text(
        f"format: 1\ntitle: {title}\npose_track: ref.npz\nbpm: 120\noffset: 0\nmirror: false\n"
        f"difficulty: normal\nmoves:\n{body}"
    )
    return load_choreography(folder / "c.yaml")


def warp(track: PoseTrack, source_time_of, duration_s: float) -> PoseTrack:
    """At song time t the player shows ``track`` at source_time_of(t) (nearest frame; outside: nobody)."""
    n = int(round(duration_s * track.fps))
    t = np.arange(n) / track.fps
    idx = np.rint(np.asarray(source_time_of(t), dtype=float) * track.fps).astype(int)
    ok = (idx >= 0) & (idx < len(track))
    lm = np.full((n, 33, 4), np.nan, np.float32)
    world = np.full((n, 33, 3), np.nan, np.float32)
    lm[ok], world[ok] = track.landmarks[idx[ok]], track.world[idx[ok]]
    return PoseTrack(lm, world, t, track.fps, track.size)


def follows_second_person(multi: PoseTrack, single: PoseTrack) -> bool:
    """True when the multi-person track is not on the dancer (hips far from the single-person
    recording's hips in the same camera): the other person is the one tracked."""
    d = np.nanmedian(np.abs(multi.landmarks[:, 23:25, 0].mean(1) - single.landmarks[:, 23:25, 0].mean(1)))
    return bool(d > 0.1)


def score_meaning(tracks: dict[str, PoseTrack]) -> list[tuple[str, float, str]]:
    from scoring.processor import score_track

    ref = tracks[SINGLE[0]]
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        choreo = write_choreo(Path(tmp) / "c", ref, MOVES)

        def total(player: PoseTrack) -> float:
            return score_track(choreo, ref, player).total

        base: dict[str, float] = {}
        for cam in SINGLE[1:]:
            base[cam] = total(tracks[cam])
            rows.append((f"same movement, {cam[-5:]}", base[cam], ">= 80"))
        for cam in SINGLE[1:]:
            tr = tracks[cam]
            T = len(tr) / tr.fps
            rows.append((f"time-reversed, {cam[-5:]}", total(warp(tr, lambda t: T - 1 / tr.fps - t, T)), "<= 40"))
        T_ref = len(ref) / ref.fps
        rows.append(("time-reversed, cam01 itself (no view change)",
                     total(warp(ref, lambda t: T_ref - 1 / ref.fps - t, T_ref)), "(info)"))
        for cam in SINGLE[1:]:
            tr = tracks[cam]
            T = len(tr) / tr.fps
            rows.append((f"frozen (mid pose), {cam[-5:]}", total(warp(tr, lambda t: 0 * t + T / 2, T)), "<= 40"))
        for multi, single in zip(MULTI, SINGLE):
            who = "other person" if follows_second_person(tracks[multi], tracks[single]) else "same dancer (tracker chose him)"
            rows.append((f"MultiPerson {multi[-5:]}: {who}", total(tracks[multi]), "<= 40" if who == "other person" else "(info)"))
        for cam in SINGLE[1:]:
            tr = tracks[cam]
            T = len(tr) / tr.fps
            for label, fn, dur in (("delayed 0.3 s", lambda t: t - 0.3, T + 0.3),
                                   ("10 % faster", lambda t: t * 1.1, T / 1.1),
                                   ("10 % slower", lambda t: t / 1.1, T * 1.1)):
                rows.append((f"{label}, {cam[-5:]} (cost vs plain)", base[cam] - total(warp(tr, fn, dur)), "<= 5"))
    return rows


def arm_error_series(tracks: dict[str, PoseTrack]) -> list[tuple[int, float, float]]:
    """A growing error in one arm: cam03's right forearm and hand turned about the shoulder
    by 0..90 degrees -> (angle, right-arm part score averaged over moves, total)."""
    from pose.landmarks import INDEX
    from scoring.processor import score_track

    ref, player = tracks[SINGLE[0]], tracks[SINGLE[2]]
    sh = INDEX["right_shoulder"]
    moved = [INDEX[n] for n in ("right_elbow", "right_wrist", "right_pinky", "right_index", "right_thumb")]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        choreo = write_choreo(Path(tmp) / "c", ref, MOVES)
        for angle in (0, 10, 20, 30, 45, 60, 90):
            a = np.radians(angle)
            R = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
            world = player.world.astype(np.float64).copy()
            world[:, moved] = (world[:, moved] - world[:, sh : sh + 1]) @ R.T + world[:, sh : sh + 1]
            r = score_track(choreo, ref, PoseTrack(player.landmarks, world, player.t, player.fps, player.size))
            out.append((angle, float(np.mean([j.parts["right_arm"] for j in r.judgements])), r.total))
    return out


def ping_pong_features(tracks: list[PoseTrack], n: int, rate_hz: float, seed: int) -> np.ndarray:
    """(n, D) flat features at rate_hz: the tracks played forwards and backwards in turn
    (continuous motion), time-warped by a smooth random tempo in [0.8, 1.25]."""
    from scoring import features as F

    segs = []
    for k, tr in enumerate(tracks):
        f = F.from_track(tr).flat()
        segs.append(f if k % 2 == 0 else f[::-1])
    base = np.concatenate(segs)
    fps = tracks[0].fps
    rng = np.random.default_rng(seed)
    knots = rng.uniform(0.8, 1.25, size=n // 200 + 2)
    tempo = np.interp(np.arange(n), np.linspace(0, n, len(knots)), knots)
    src_s = np.cumsum(tempo) / rate_hz
    idx = np.rint(src_s * fps).astype(int) % (2 * len(base))
    idx = np.where(idx < len(base), idx, 2 * len(base) - 1 - idx)  # bounce at the ends
    return base[idx]


def bench_dtw(tracks: dict[str, PoseTrack], n: int) -> None:
    from scoring.align import banded_dtw, fastdtw_available_native, fastdtw_baseline

    x = ping_pong_features([tracks[c] for c in SINGLE], n, 30.0, seed=1)
    y = ping_pong_features([tracks[c] for c in SINGLE[2:] + SINGLE[:2]], n, 30.0, seed=2)
    print(f"\nDTW on two {n}-frame feature tracks ({n / 30 / 60:.1f} min at 30 fps, {x.shape[1]} features)")
    native = fastdtw_available_native()
    print(f"  fastdtw build: {'C extension (fastdtw._fastdtw)' if native else 'pure Python (fastdtw._fastdtw not importable)'}"
          "; times are the best of 3 runs (1 for the slow ones) on a shared machine")

    def timed(fn, reps=1):
        best, res = np.inf, None
        for _ in range(reps):
            t0 = time.perf_counter()
            res = fn()
            best = min(best, time.perf_counter() - t0)
        return best, res

    t_full, full = timed(lambda: banded_dtw(x, y, radius=n))
    results = [("exact DTW, no band", t_full, full.cost)]
    for frac in (0.1, 0.05):
        r = int(frac * n)
        t, res = timed(lambda: banded_dtw(x, y, radius=r), reps=3)
        results.append((f"exact banded DTW, radius {r} ({frac:.0%})", t, res.cost))
    builds = ([("C ext", False)] if native else []) + [("pure Python", True)]
    for build, pure in builds:
        for radius in (1, 10):
            t, res = timed(lambda: fastdtw_baseline(x, y, radius=radius, pure_python=pure), reps=1 if pure else 3)
            results.append((f"fastdtw {build}, radius {radius} (dist=2)", t, res.cost))
    fast1 = results[3][1]
    print(f"  {'method':<44} {'time s':>8} {'speed vs ' + results[3][0].split(',')[0]:>22} {'cost':>10} {'cost / exact':>13}")
    for name, t, cost in results:
        print(f"  {name:<44} {t:8.3f} {fast1 / t:21.2f}x {cost:10.1f} {cost / full.cost:13.4f}")


def bench_live(tracks: dict[str, PoseTrack], minutes: float) -> None:
    from scoring.processor import ScoreProcessor

    ref60 = tracks[SINGLE[0]]
    # A long reference: the clip forwards and backwards at 30 fps.
    dur = minutes * 60.0
    ref = warp(ref60, lambda t: np.abs(((t + 1.65) % 3.3) - 1.65), dur)
    ref = PoseTrack(ref.landmarks[::2], ref.world[::2], ref.t[::2], 30.0, ref.size)
    player60 = tracks[SINGLE[2]]
    player = warp(player60, lambda t: np.abs(((t * 1.02 + 1.65 - 0.15) % 3.3) - 1.65), dur)
    player = PoseTrack(player.landmarks[::2], player.world[::2], player.t[::2], 30.0, player.size)
    moves = [(f"move {k}", round(s, 3), round(s + 1.6, 3)) for k, s in enumerate(np.arange(0.2, dur - 2.0, 2.0))]
    with tempfile.TemporaryDirectory() as tmp:
        choreo = write_choreo(Path(tmp) / "live", ref, moves)
        proc = ScoreProcessor(choreo, ref, latency_s=0.0)
        frames = [player.frame(i) for i in range(len(player))]
        cost_us = np.empty(len(frames))
        judged = np.zeros(len(frames), dtype=bool)
        for i, f in enumerate(frames):
            t0 = time.perf_counter()
            ev = proc.push(f, float(player.t[i]))
            cost_us[i] = (time.perf_counter() - t0) * 1e6
            judged[i] = bool(ev)
        result = proc.finish()
    print(f"\nLive ScoreProcessor.push over {minutes:.0f} min at 30 fps ({len(frames)} frames, {len(moves)} moves of 1.6 s)")
    print(f"  {'frames':<28} {'mean us':>8} {'p95 us':>8} {'max us':>8} {'x 1 ms budget (mean)':>21}")
    for label, sel in (("all frames", np.ones_like(judged)), ("frames without a judgement", ~judged),
                       ("frames that judged a move", judged)):
        c = cost_us[sel]
        if c.size:
            print(f"  {label:<28} {c.mean():8.0f} {np.percentile(c, 95):8.0f} {c.max():8.0f} {1000 / c.mean():20.1f}x")
    print(f"  (session total {result.total:.1f}, {len(result.judgements)} judgements)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter DTW tracks and session")
    ap.add_argument("--tracks", type=Path, default=None, help="folder to cache/reuse the sample pose tracks")
    args = ap.parse_args()
    t0 = time.perf_counter()
    tracks = load_tracks(SINGLE + MULTI, args.tracks)
    print(f"tracked {len(tracks)} sample videos with BodyTracker in {time.perf_counter() - t0:.1f} s")

    print("\nWhat a score means (total 0-100; choreography of 4 moves over Demo_SinglePerson cam01)")
    print(f"  {'case':<52} {'figure':>7}  {'aim':>6}  ok")
    for name, value, aim in score_meaning(tracks):
        ok = ""
        if aim.startswith(">="):
            ok = "yes" if value >= float(aim[2:]) else "NO"
        elif aim.startswith("<="):
            ok = "yes" if value <= float(aim[2:]) else "NO"
        print(f"  {name:<52} {value:7.1f}  {aim:>6}  {ok}")

    series = arm_error_series(tracks)
    print("\nA growing error in the right arm (cam03 as the player; aim: both fall monotonically)")
    print("  " + "  ".join(f"{a:>3} deg" for a, _, _ in series))
    print("  " + "  ".join(f"{arm:7.1f}" for _, arm, _ in series) + "   right-arm part score")
    print("  " + "  ".join(f"{tot:7.1f}" for _, _, tot in series) + "   total")
    mono = all(b[1] < a[1] and b[2] < a[2] for a, b in zip(series, series[1:]))
    print(f"  monotonic: {'yes' if mono else 'NO'}")

    bench_dtw(tracks, 1800 if args.quick else 5400)
    bench_live(tracks, 1.0 if args.quick else 3.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
