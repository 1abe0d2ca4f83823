"""Scoring corpus: does a score mean what scoring.md says, over recorded motion capture?

The corpus (content/corpus.py): every DeepMimic clip of the pinned pybullet wheel, seen by
a front "coach" camera and by players' cameras of other heights, yaws and distances, with
bodies from child to adult size, BlazePose-like noise measured here on pose2sim's four
synchronised views. Each aim is checked per clip (the session total of a 2-beat
choreography) and per move (moves of 1, 2 and 4 beats at 120 bpm):

  same movement, other view / body   >= 80 in >= 95 % of pairs
  different movement                 <= 40 in >= 95 % of pairs
  standing still, or frozen mid-clip <= 20 (where the coach moves)   random flailing <= 40
  reversed (not time-symmetric)      <= 40          seen from behind       <= 40
  0.3 s delay, tempo +-10 %          cost <= 5      one limb off 0..60 deg part and move fall

A row's pass rate is over all its cases; an aim is met at >= 95 %. Misses are listed.
Constants are tuned on TUNE_CLIPS x tune views; figures are reported on the held-out split
unless --split says otherwise. The clip x clip confusion matrix is written as a PNG.

    python benchmarks/bench_corpus.py [--quick] [--split held-out|tune|all] [--plot PATH] [--tracks DIR]
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from content import corpus as C  # noqa: E402
from pose.mocap import NoiseModel  # noqa: E402
from scoring import features as feat  # noqa: E402
from scoring.processor import score_track  # noqa: E402

LEVELS = ("clip", "1 beat", "2 beats", "4 beats")
BEATS = {"1 beat": 1, "2 beats": 2, "4 beats": 4}
PASS_RATE = 0.95
SYMMETRY_MAX = 0.5  # a segment whose symmetry measure (below) is at least this is time-symmetric
LIMB_DEG = (0, 15, 30, 45, 60)
MONOTONE_SLACK = 0.5  # points a score may rise between two error steps (noise-free steps are exact)


# ------------------------------------------------------------------------------ noise
def view_disagreement(tracks) -> float:
    """RMS over frames, joint angles and view pairs of the joint-angle difference (rad)."""
    angles = []
    for tr in tracks:
        f = feat.from_track(tr, "3d")
        angles.append(f.angles * np.pi)
    diffs = []
    for a in range(len(angles)):
        for b in range(a + 1, len(angles)):
            n = min(len(angles[a]), len(angles[b]))
            d = angles[a][:n] - angles[b][:n]
            diffs.append(d[np.isfinite(d)])
    d = np.concatenate(diffs)
    return float(np.sqrt(np.mean(d ** 2)))


def measure_noise(tracks_dir: Path | None, quick: bool) -> None:
    """Real cross-view disagreement (pose2sim, 4 views) vs the corpus noise model's."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scoring import SINGLE, load_tracks

    real = view_disagreement(list(load_tracks(SINGLE, tracks_dir).values()))
    print("\nNoise: joint-angle disagreement between synchronised views (RMS, rad)")
    print(f"  pose2sim Demo_SinglePerson, 4 views, BodyTracker:        {real:.3f}")
    views = [C.COACH_VIEW] + [v.camera for v in C.VIEWS[:3]]
    clips = ("dance_a", "dance_b") if quick else ("dance_a", "dance_b", "punch", "kick")
    base = NoiseModel()
    for sigma in sorted({base.sigma_m, 0.02, 0.04, 0.05}):
        noise = C.with_noise(base, sigma_m=sigma)
        synth = float(np.mean([view_disagreement([C.render(C.joints(c), cam, 1.0, seed=k, noise=noise)
                                                  for k, cam in enumerate(views)]) for c in clips]))
        mark = "  <- corpus noise" if sigma == base.sigma_m else ""
        print(f"  mocap {', '.join(clips)}, 4 views, sigma {sigma * 100:.0f} cm:  {synth:.3f}"
              f"  (ratio to pose2sim {synth / real:.2f}){mark}")


# ------------------------------------------------------------------------------ cases
@dataclass
class Row:
    aim: str
    level: str
    bound: str  # ">= 80", "<= 40", "cost <= 5", "monotone"
    values: list[float] = field(default_factory=list)
    ok: list[bool] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, value: float, ok: bool, label: str) -> None:
        self.values.append(float(value))
        self.ok.append(bool(ok))
        self.labels.append(label)

    @property
    def rate(self) -> float:
        return float(np.mean(self.ok)) if self.ok else float("nan")


class Table:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}

    def row(self, aim: str, level: str, bound: str) -> Row:
        key = (aim, level)
        if key not in self.rows:
            self.rows[key] = Row(aim, level, bound)
        return self.rows[key]

    def check(self, aim: str, level: str, bound: str, value: float, label: str) -> None:
        op, limit = bound.split()[-2], float(bound.split()[-1])
        ok = value >= limit if op == ">=" else value <= limit
        self.row(aim, level, bound).add(value, ok, label)


def scores(ch_by_level, ref, player) -> dict[str, list[float]]:
    """Level -> scores: the clip's session total, or every move's score."""
    out: dict[str, list[float]] = {}
    for level in LEVELS:
        beats = 2 if level == "clip" else BEATS[level]
        res = _score(ch_by_level[beats], ref, player)
        out[level] = [res.total] if level == "clip" else [j.score for j in res.judgements]
    return out


_CACHE: dict = {}


def _score(choreo, ref, player):
    """score_track, once per (choreography, player) pair; both are kept alive with the
    result, so their ids cannot be reused by later objects."""
    key = (id(choreo), id(player))
    if key not in _CACHE:
        _CACHE[key] = (choreo, player, score_track(choreo, ref, player))
    return _CACHE[key][2]


SYMMETRY_LAGS_S = (-0.3, 0.5)  # the delays a player may have in a move's window


def symmetry(clip_j: np.ndarray, spans: list[tuple[int, int]]) -> list[float]:
    """Time symmetry of each segment [a, b) of a clip, in [0, 1].

    The player's stream is the clip with every segment played backwards. A segment is as
    symmetric as that stream, at the best delay within SYMMETRY_LAGS_S, passes through its
    poses in its order: 1 - min over delays of (mean angular error between the segment and
    the stream, frame by frame) / (mean error between all pairs of the segment's frames).
    1 for a palindrome (up and back down) or a sway that reversed is the same sway half a
    period later; ~0 when backwards is as unlike the movement as its poses are unlike each
    other. Noise-free features: it describes the movement, not the scorer.
    """
    from scoring.similarity import part_errors

    f = feat.from_track(C.render(clip_j, noise=NoiseModel(sigma_m=0.0)), "3d")
    r = feat.from_track(C.render(C.reversed_motion(clip_j, spans), noise=NoiseModel(sigma_m=0.0)), "3d")
    n = len(f)
    lags = range(int(round(SYMMETRY_LAGS_S[0] * C.FPS)), int(round(SYMMETRY_LAGS_S[1] * C.FPS)) + 1)
    out = []
    for a, b in spans:
        seg = f.take(slice(a, b))
        e_all = np.nanmean(part_errors(seg, seg))
        best = np.inf
        for lag in lags:
            lo, hi = max(a + lag, 0), min(b + lag, n)
            if hi - lo < 0.5 * (b - a):
                continue
            e = np.nanmean(part_errors(f.take(slice(lo - lag, hi - lag)), r.take(slice(lo, hi)), pairwise=False))
            best = min(best, e)
        out.append(float(np.clip(1.0 - best / e_all, 0.0, 1.0)) if e_all > 0 else 1.0)
    return out


MOVING_MIN_RAD = 0.15  # a segment whose coach motion measure is below this is a held pose


def coach_motion(clip_j: np.ndarray, spans: list[tuple[int, int]]) -> list[float]:
    """How much the coach moves in each segment: the largest body part's RMS angular
    deviation from its mean direction (rad), on noise-free features."""
    tr = C.render(clip_j, noise=NoiseModel(sigma_m=0.0))
    f = feat.from_track(tr, "3d")
    out = []
    for a, b in spans:
        sp = feat.spread(f.take(slice(a, b)))
        part = feat.PART_MEMBERSHIP @ sp / feat.PART_MEMBERSHIP.sum(axis=1)
        out.append(float(part.max()))
    return out


def run_corpus(clips: list[str], views: list, quick: bool) -> tuple[Table, np.ndarray, list[str]]:
    table = Table()
    refs = {c: C.coach(c, seed=1) for c in clips}
    chs = {c: {b: C.choreography(refs[c], b) for b in (1, 2, 4)} for c in clips}
    conf = np.full((len(clips), len(clips)), np.nan)
    for ci, clip in enumerate(clips):
        j = C.joints(clip)
        ref, ch = refs[clip], chs[clip]
        n = len(j)
        same: dict[str, dict[str, list[float]]] = {}
        for vi, v in enumerate(views):
            pl = C.render(j, v.camera, v.body_scale, seed=100 + vi)
            s = scores(ch, ref, pl)
            same[v.name] = s
            for level, vals in s.items():
                for k, x in enumerate(vals):
                    table.check("same movement, other view/body", level, ">= 80", x, f"{clip} / {v.name} / #{k}")
        conf[ci, ci] = float(np.mean([same[v.name]["clip"][0] for v in views]))

        # Another movement, cut or repeated to this clip's length; views taken in turn.
        for oi, other in enumerate(clips):
            if other == clip:
                continue
            oj = C.joints(other)
            oj = np.concatenate([oj] * int(math.ceil(n / len(oj))))[:n]
            v = views[(ci + oi) % len(views)]
            s = scores(ch, ref, C.render(oj, v.camera, v.body_scale, seed=200 + oi))
            conf[ci, oi] = s["clip"][0]
            for level, vals in s.items():
                for k, x in enumerate(vals):
                    table.check("different movement", level, "<= 40", x, f"{clip} vs {other} / #{k}")

        v = views[ci % len(views)]
        s = scores(ch, ref, C.render(C.flailing(n, seed=ci), v.camera, v.body_scale, seed=300 + ci))
        for level, vals in s.items():
            for k, x in enumerate(vals):
                table.check("random flailing", level, "<= 40", x, f"{clip} / #{k}")
        # Standing still: judged where the coach moves (a coach who stands still is copied
        # by standing still). "Moves" is the coach's motion measure (below).
        for aim, motion in (("standing still", C.standing(n)), ("frozen in the clip's mid pose", C.held_pose(j))):
            s = scores(ch, ref, C.render(motion, v.camera, v.body_scale, seed=300 + ci))
            for level, vals in s.items():
                moves = ch[2 if level == "clip" else BEATS[level]].moves
                spans = [(0, n)] if level == "clip" else [
                    (int(round(m.start_s * C.FPS)), min(int(round(m.end_s * C.FPS)), n)) for m in moves]
                for k, (x, mv) in enumerate(zip(vals, coach_motion(j, spans))):
                    if mv < MOVING_MIN_RAD:
                        table.row(f"{aim} (coach still: not judged)", level, "(info)").add(x, True, f"{clip} / #{k}")
                        continue
                    table.check(aim, level, "<= 20", x, f"{clip} / #{k} motion {mv:.2f}")

        # Reversed (the clip backwards for the clip's total; every move backwards on its own
        # beats for the move scores): judged only where the segment is not symmetric in time.
        for level in LEVELS:
            moves = ch[2 if level == "clip" else BEATS[level]].moves
            spans = [(0, n)] if level == "clip" else [
                (int(round(m.start_s * C.FPS)), min(int(round(m.end_s * C.FPS)), n)) for m in moves]
            rev = C.render(C.reversed_motion(j, spans), v.camera, v.body_scale, seed=400 + ci)
            res = _score(ch[2 if level == "clip" else BEATS[level]], ref, rev)
            vals = [res.total] if level == "clip" else [jj.score for jj in res.judgements]
            sym = symmetry(j, spans)
            for k, (x, sy) in enumerate(zip(vals, sym)):
                if sy >= SYMMETRY_MAX:
                    table.row("reversed (symmetric: not judged)", level, "(info)").add(x, True, f"{clip} / #{k} sym {sy:.2f}")
                    continue
                table.check("reversed (not time-symmetric)", level, "<= 40", x, f"{clip} / #{k} sym {sy:.2f}")

        # Seen from behind while the coach faces the camera; the tracker swaps left and right.
        back = C._cam(180.0, v.camera.height_m, v.camera.distance_m)
        s = scores(ch, ref, C.render(j, back, v.body_scale, seed=500 + ci, back_confusion=True))
        for level, vals in s.items():
            for k, x in enumerate(vals):
                table.check("seen from behind (labels swapped)", level, "<= 40", x, f"{clip} / #{k}")

        # Timing: cost against the same view played on time.
        for label, fn, dur in (("delay 0.3 s", lambda t: t - 0.3, n / C.FPS + 0.3),
                               ("tempo +10 %", lambda t: t * 1.1, n / C.FPS / 1.1),
                               ("tempo -10 %", lambda t: t / 1.1, n / C.FPS * 1.1)):
            on_time = C.render(j, v.camera, v.body_scale, seed=100 + ci % len(views))
            s = scores(ch, ref, C.warp_track(on_time, fn, dur))
            base = same[views[ci % len(views)].name]
            for level, vals in s.items():
                for k, (x, b) in enumerate(zip(vals, base[level])):
                    table.check(f"{label}: cost", level, "cost <= 5", b - x, f"{clip} / {v.name} / #{k}")

        # A growing error in one limb: that part's score and the move's score fall.
        part = "left_arm" if ci % 2 == 0 else "right_leg"
        series = []
        for deg in (LIMB_DEG if not quick else (0, 30, 60)):
            pl = C.render(C.limb_error(j, part, math.radians(deg)), v.camera, v.body_scale, seed=600 + ci)
            series.append({b: _score(ch[b], ref, pl) for b in (1, 2, 4)})
        for level in LEVELS:
            b = 2 if level == "clip" else BEATS[level]
            runs = [sr[b] for sr in series]
            if level == "clip":
                seqs = [([r.total for r in runs], [np.mean([jj.parts.get(part, np.nan) for jj in r.judgements]) for r in runs])]
            else:
                seqs = [([r.judgements[k].score for r in runs], [r.judgements[k].parts.get(part, np.nan) for r in runs])
                        for k in range(len(runs[0].judgements))]
            for k, (move_s, part_s) in enumerate(seqs):
                if not np.all(np.isfinite(part_s)):
                    continue  # the part is not judged in this move (the coach hides it)
                mono = all(y <= x + MONOTONE_SLACK for x, y in zip(move_s, move_s[1:])) and \
                    all(y <= x + MONOTONE_SLACK for x, y in zip(part_s, part_s[1:]))
                drop = part_s[0] - part_s[-1]
                table.row(f"one limb off 0..60 deg ({'part+move fall'})", level, "monotone").add(
                    drop, mono, f"{clip} {part} #{k}: move {' '.join(f'{x:.0f}' for x in move_s)}; "
                                f"part {' '.join(f'{x:.0f}' for x in part_s)}")
        print(f"  {clip:<16} {n / C.FPS:4.1f} s  same {np.mean([same[w.name]['clip'][0] for w in views]):5.1f}",
              flush=True)
    return table, conf, clips


def print_table(table: Table, max_misses: int) -> None:
    print(f"\n  {'aim':<40} {'level':<8} {'bound':<10} {'pass':>6} {'n':>5} {'min':>6} {'median':>6} {'max':>6}  met")
    for r in table.rows.values():
        v = np.array(r.values)
        met = "" if r.bound == "(info)" else ("yes" if r.rate >= PASS_RATE else "NO")
        print(f"  {r.aim:<40} {r.level:<8} {r.bound:<10} {100 * r.rate:5.1f}% {len(v):5d} "
              f"{v.min():6.1f} {np.median(v):6.1f} {v.max():6.1f}  {met}")
    print("\nMisses (worst first, at most %d per row):" % max_misses)
    for r in table.rows.values():
        bad = [(x, lab) for x, ok, lab in zip(r.values, r.ok, r.labels) if not ok]
        if not bad:
            continue
        worst = sorted(bad, key=lambda p: -p[0] if r.bound.startswith(("<=", "cost")) else p[0])
        print(f"  {r.aim} [{r.level}]: {len(bad)} of {len(r.values)}")
        for x, lab in worst[:max_misses]:
            print(f"    {x:6.1f}  {lab}")


def plot_confusion(conf: np.ndarray, clips: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6.5, 1.5 + 0.55 * len(clips)), max(5.5, 1.5 + 0.5 * len(clips))))
    im = ax.imshow(conf, vmin=0, vmax=100, cmap="viridis")
    ax.set_xticks(range(len(clips)), clips, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(clips)), clips, fontsize=8)
    ax.set_xlabel("player's movement\n(another camera and body)")
    ax.set_ylabel("coach's movement")
    for i in range(len(clips)):
        for k in range(len(clips)):
            if np.isfinite(conf[i, k]):
                ax.text(k, i, f"{conf[i, k]:.0f}", ha="center", va="center", fontsize=7,
                        color="black" if conf[i, k] > 60 else "white")
    fig.colorbar(im, ax=ax, label="session total")
    ax.set_title("clip x clip session totals")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few held-out clips and views (about a minute)")
    ap.add_argument("--split", choices=("held-out", "tune", "all"), default="held-out",
                    help="which clips and views to report on (default: held-out)")
    ap.add_argument("--plot", type=Path, default=None, help="where to write the confusion-matrix PNG")
    ap.add_argument("--tracks", type=Path, default=None, help="folder to cache/reuse the pose2sim tracks")
    ap.add_argument("--no-noise-check", action="store_true", help="skip the pose2sim noise measurement")
    args = ap.parse_args()
    t0, c0 = time.perf_counter(), os.times()

    if args.split == "tune":
        clips = [c for c in C.CLIPS if c in C.TUNE_CLIPS]
        views = [v for v in C.VIEWS if v.tune]
    elif args.split == "held-out":
        clips = [c for c in C.CLIPS if c not in C.TUNE_CLIPS]
        views = [v for v in C.VIEWS if not v.tune]
    else:
        clips, views = list(C.CLIPS), list(C.VIEWS)
    if args.quick:
        clips, views = clips[:4], views[:2]
    print(f"Scoring corpus ({args.split}{', quick' if args.quick else ''}): {len(clips)} clips "
          f"({', '.join(clips)}) x {len(views)} player views ({'; '.join(v.name for v in views)})")
    if not args.no_noise_check:
        measure_noise(args.tracks, args.quick)
    print("\nScoring ...")
    table, conf, names = run_corpus(clips, views, args.quick)
    print_table(table, 3 if args.quick else 6)

    plot = args.plot or Path(tempfile.gettempdir()) / "dancestudio-bench" / "corpus_confusion.png"
    plot_confusion(conf, names, plot)
    print(f"\nconfusion matrix (clip x clip session totals): {plot}")
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    wall = time.perf_counter() - t0
    print(f"time: {wall:.1f} s wall, {cpu:.1f} s CPU (user+sys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
