"""The corpus aims (scoring.md, the scoring issue): every case, scored by any scorer.

    from testkit.corpus_aims import run_corpus
    table, confusion, clips = run_corpus(["dance_b", "punch"], views, score_fn=my_score_track)
    table.unmet()          # rows whose pass rate is below PASS_RATE
    table.rows[("different movement", "clip")].rate

Cases per clip (recorded mocap, content.corpus): the same movement from other cameras and
body sizes, every other clip, standing still, frozen mid-clip, random flailing, the clip and
each move played backwards, delayed 0.3 s, tempo +-10 %, one limb off by a growing angle,
seen from behind by a tracker that takes the back for a front. Each is scored per clip (the
session total of a 2-beat choreography) and per move (moves of 1, 2 and 4 beats at 120 bpm):

  same movement, other view / body   >= 80 in >= 95 % of pairs
  different movement                 <= 40 in >= 95 % of pairs
  standing still, or frozen mid-clip <= 20 (where the coach moves)   random flailing <= 40
  reversed (not time-symmetric)      <= 40          seen from behind       <= 40
  0.3 s delay, tempo +-10 %          cost <= 5      one limb off 0..60 deg part and move fall

``score_fn(choreo, ref_track, player_track)`` returns anything with ``total`` and
``judgements`` (each with ``score`` and ``parts``), as scoring.processor.score_track does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from content import corpus as C
from pose.mocap import NoiseModel
from pose.track import PoseTrack
from scoring import features as feat
from scoring.choreography import Choreography
from scoring.processor import score_track

ScoreFn = Callable[[Choreography, PoseTrack, PoseTrack], Any]

LEVELS = ("clip", "1 beat", "2 beats", "4 beats")
BEATS = {"1 beat": 1, "2 beats": 2, "4 beats": 4}
PASS_RATE = 0.95
SYMMETRY_MAX = 0.5  # a segment whose symmetry measure (below) is at least this is time-symmetric
LIMB_DEG = (0, 15, 30, 45, 60)
MONOTONE_SLACK = 0.5  # points a score may rise between two error steps (noise-free steps are exact)
# "Lowers": over the whole 0..60 deg the part's score must fall at least this much (points)
# and the move's score must fall; a score that stays flat does not tell the child anything.
LIMB_MIN_FALL = 5.0


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

    @property
    def met(self) -> bool | None:
        """The aim is met (pass rate >= PASS_RATE); None for an information-only row."""
        return None if self.bound == "(info)" else bool(self.rate >= PASS_RATE)


class Table:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}

    def row(self, aim: str, level: str, bound: str) -> Row:
        key = (aim, level)
        if key not in self.rows:
            self.rows[key] = Row(aim, level, bound)
        return self.rows[key]

    def unmet(self) -> list[Row]:
        """The rows whose aim is not met."""
        return [r for r in self.rows.values() if r.met is False]

    def check(self, aim: str, level: str, bound: str, value: float, label: str) -> None:
        op, limit = bound.split()[-2], float(bound.split()[-1])
        ok = value >= limit if op == ">=" else value <= limit
        self.row(aim, level, bound).add(value, ok, label)


def scores(ch_by_level, ref, player, score_fn: ScoreFn = score_track) -> dict[str, list[float]]:
    """Level -> scores: the clip's session total, or every move's score."""
    out: dict[str, list[float]] = {}
    for level in LEVELS:
        beats = 2 if level == "clip" else BEATS[level]
        res = _score(ch_by_level[beats], ref, player, score_fn)
        out[level] = [res.total] if level == "clip" else [j.score for j in res.judgements]
    return out


_CACHE: dict = {}


def _score(choreo, ref, player, score_fn: ScoreFn = score_track):
    """score_fn, once per (scorer, choreography, player); the objects are kept alive with
    the result, so their ids cannot be reused by later objects."""
    key = (id(score_fn), id(choreo), id(player))
    if key not in _CACHE:
        _CACHE[key] = (score_fn, choreo, player, score_fn(choreo, ref, player))
    return _CACHE[key][3]


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


def run_corpus(clips: list[str], views: list, quick: bool = False, score_fn: ScoreFn = score_track,
               progress: bool = True) -> tuple[Table, np.ndarray, list[str]]:
    """Score every case of the corpus aims for ``clips`` (content.corpus.CLIPS names) seen
    from ``views`` (content.corpus.View); returns the table, the clip x clip matrix of
    session totals (row: coach's clip, column: player's) and the clip names. quick: fewer
    limb-error steps."""
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
            s = scores(ch, ref, pl, score_fn)
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
            s = scores(ch, ref, C.render(oj, v.camera, v.body_scale, seed=200 + oi), score_fn)
            conf[ci, oi] = s["clip"][0]
            for level, vals in s.items():
                for k, x in enumerate(vals):
                    table.check("different movement", level, "<= 40", x, f"{clip} vs {other} / #{k}")

        v = views[ci % len(views)]
        s = scores(ch, ref, C.render(C.flailing(n, seed=ci), v.camera, v.body_scale, seed=300 + ci), score_fn)
        for level, vals in s.items():
            for k, x in enumerate(vals):
                table.check("random flailing", level, "<= 40", x, f"{clip} / #{k}")
        # Standing still: judged where the coach moves (a coach who stands still is copied
        # by standing still). "Moves" is the coach's motion measure (below).
        for aim, motion in (("standing still", C.standing(n)), ("frozen in the clip's mid pose", C.held_pose(j))):
            s = scores(ch, ref, C.render(motion, v.camera, v.body_scale, seed=300 + ci), score_fn)
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
            res = _score(ch[2 if level == "clip" else BEATS[level]], ref, rev, score_fn)
            vals = [res.total] if level == "clip" else [jj.score for jj in res.judgements]
            sym = symmetry(j, spans)
            for k, (x, sy) in enumerate(zip(vals, sym)):
                if sy >= SYMMETRY_MAX:
                    table.row("reversed (symmetric: not judged)", level, "(info)").add(x, True, f"{clip} / #{k} sym {sy:.2f}")
                    continue
                table.check("reversed (not time-symmetric)", level, "<= 40", x, f"{clip} / #{k} sym {sy:.2f}")

        # Seen from behind while the coach faces the camera; the tracker swaps left and right.
        back = C._cam(180.0, v.camera.height_m, v.camera.distance_m)
        s = scores(ch, ref, C.render(j, back, v.body_scale, seed=500 + ci, back_confusion=True), score_fn)
        for level, vals in s.items():
            for k, x in enumerate(vals):
                table.check("seen from behind (labels swapped)", level, "<= 40", x, f"{clip} / #{k}")

        # Timing: cost against the same view played on time.
        for label, fn, dur in (("delay 0.3 s", lambda t: t - 0.3, n / C.FPS + 0.3),
                               ("tempo +10 %", lambda t: t * 1.1, n / C.FPS / 1.1),
                               ("tempo -10 %", lambda t: t / 1.1, n / C.FPS * 1.1)):
            on_time = C.render(j, v.camera, v.body_scale, seed=100 + ci % len(views))
            s = scores(ch, ref, C.warp_track(on_time, fn, dur), score_fn)
            base = same[views[ci % len(views)].name]
            for level, vals in s.items():
                for k, (x, b) in enumerate(zip(vals, base[level])):
                    table.check(f"{label}: cost", level, "cost <= 5", b - x, f"{clip} / {v.name} / #{k}")

        # A growing error in one limb: that part's score and the move's score fall.
        part = "left_arm" if ci % 2 == 0 else "right_leg"
        series = []
        for deg in (LIMB_DEG if not quick else (0, 30, 60)):
            pl = C.render(C.limb_error(j, part, math.radians(deg)), v.camera, v.body_scale, seed=600 + ci)
            series.append({b: _score(ch[b], ref, pl, score_fn) for b in (1, 2, 4)})
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
                mono = lowers(move_s, part_s)
                drop = part_s[0] - part_s[-1]
                table.row(f"one limb off 0..60 deg ({'part+move fall'})", level, "monotone").add(
                    drop, mono, f"{clip} {part} #{k}: move {' '.join(f'{x:.0f}' for x in move_s)}; "
                                f"part {' '.join(f'{x:.0f}' for x in part_s)}")
        if progress:
            print(f"  {clip:<16} {n / C.FPS:4.1f} s  same {np.mean([same[w.name]['clip'][0] for w in views]):5.1f}",
              flush=True)
    return table, conf, clips


def lowers(move_s: list[float], part_s: list[float]) -> bool:
    """The limb-error aim for one move: as the error grows, the part's and the move's scores
    never rise (beyond MONOTONE_SLACK) and over the whole series both fall (the part's by at
    least LIMB_MIN_FALL)."""
    steady = all(y <= x + MONOTONE_SLACK for x, y in zip(move_s, move_s[1:])) and \
        all(y <= x + MONOTONE_SLACK for x, y in zip(part_s, part_s[1:]))
    return steady and part_s[0] - part_s[-1] >= LIMB_MIN_FALL and move_s[0] > move_s[-1]
