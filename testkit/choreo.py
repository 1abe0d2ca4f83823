"""Check one choreography (its reference track and moves) against the aims, per move.

    from testkit.choreo import check_choreography
    table = check_choreography(choreo, ref_track, player=other_view_track)
    for row in table.unmet(): print(row.aim, row.rate, row.labels)

A content team's question: does the scorer tell each of *my* moves from its imitations?
Players are made from ``player`` (another recording of the same dance, e.g. another camera;
default: the reference itself, which then stands for a perfect dancer):

  same movement (only with ``player``)     >= 80
  the move danced backwards                <= 40 where the move is not symmetric in time
  frozen in the move's middle pose         <= 20 where the coach moves
  delay 0.3 s, tempo +-10 %                cost <= 5
  one arm turned 0..60 deg                 that part's score and the move's fall

The symmetry and motion measures are the corpus's (testkit.corpus_aims), computed on the
reference's own features.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from pose.track import PoseTrack
from scoring import features as feat
from scoring.choreography import Choreography
from scoring.processor import score_track
from scoring.similarity import part_errors
from testkit import players
from testkit.corpus_aims import SYMMETRY_LAGS_S, SYMMETRY_MAX, ScoreFn, Table, lowers

MOVING_MIN_RAD = 0.15  # a move whose coach motion measure is below this is a held pose


def check_choreography(choreo: Choreography, ref_track: PoseTrack, player: PoseTrack | None = None,
                       score_fn: ScoreFn = score_track, limb: str = "right_arm",
                       others: Sequence[tuple[str, PoseTrack]] = (), table: Table | None = None,
                       label: str = "", level: str = "move") -> Table:
    """Score the imitations of every move of ``choreo`` and return the table of aims.

    others: (name, track) of other movements (another dance, another person), each looped
    to the song's length: every move must score <= 40 against them. table: add the rows to
    this table (several choreographies in one table); label prefixes the case labels."""
    table = Table() if table is None else table
    pl = ref_track if player is None else player
    spans = [(m.start_s, m.end_s) for m in choreo.moves]
    names = [f"{label}{m.name}" for m in choreo.moves]
    base = score_fn(choreo, ref_track, pl)
    if player is not None:
        for j, name in zip(base.judgements, names):
            table.check("same movement, other recording", level, ">= 80", j.score, name)
    for other_name, other in others:
        r = score_fn(choreo, ref_track, looped(other, len(pl) / pl.fps))
        for j, name in zip(r.judgements, names):
            table.check("different movement", level, "<= 40", j.score, f"{name} vs {other_name}")

    sym = move_symmetry(ref_track, spans)
    rev = score_fn(choreo, ref_track, players.reversed_moves(pl, spans))
    for j, s, name in zip(rev.judgements, sym, names):
        if s >= SYMMETRY_MAX:
            table.row("reversed (symmetric: not judged)", level, "(info)").add(j.score, True, f"{name} sym {s:.2f}")
        else:
            table.check("reversed (not time-symmetric)", level, "<= 40", j.score, f"{name} sym {s:.2f}")

    motion = move_motion(ref_track, spans)
    for k, (m, mv) in enumerate(zip(choreo.moves, motion)):
        fr = score_fn(choreo, ref_track, players.frozen(pl, 0.5 * (m.start_s + m.end_s)))
        if mv < MOVING_MIN_RAD:
            table.row("frozen (coach still: not judged)", level, "(info)").add(fr.judgements[k].score, True, names[k])
        else:
            table.check("frozen in the move's mid pose", level, "<= 20", fr.judgements[k].score,
                        f"{names[k]} motion {mv:.2f}")

    T = len(pl) / pl.fps
    for what, fn, dur in (("delay 0.3 s", lambda t: t - 0.3, T + 0.3), ("tempo +10 %", lambda t: t * 1.1, T / 1.1),
                           ("tempo -10 %", lambda t: t / 1.1, T * 1.1)):
        r = score_fn(choreo, ref_track, players.warp_track(pl, fn, dur))
        for j, b, name in zip(r.judgements, base.judgements, names):
            table.check(f"{what}: cost", level, "cost <= 5", b.score - j.score, name)

    runs = [score_fn(choreo, ref_track, players.turn_limb(pl, limb, math.radians(d))) for d in (0, 20, 40, 60)]
    for k, name in enumerate(names):
        move_s = [r.judgements[k].score for r in runs]
        part_s = [r.judgements[k].parts.get(limb, np.nan) for r in runs]
        if not np.all(np.isfinite(part_s)):
            continue  # the part is not judged in this move
        mono = lowers(move_s, part_s)
        table.row(f"one limb off 0..60 deg ({limb})", level, "monotone").add(
            part_s[0] - part_s[-1], mono, f"{name}: move {' '.join(f'{x:.0f}' for x in move_s)}; "
                                          f"part {' '.join(f'{x:.0f}' for x in part_s)}")
    return table


def looped(track: PoseTrack, duration_s: float) -> PoseTrack:
    """``track`` repeated (from its first frame) to ``duration_s`` at its own fps."""
    T = len(track) / track.fps
    return players.warp_track(track, lambda t: np.mod(t, T), duration_s)


def move_symmetry(track: PoseTrack, spans_s: list[tuple[float, float]]) -> list[float]:
    """Time symmetry of each [start_s, end_s) span of ``track`` in [0, 1] (testkit.corpus_aims.symmetry's
    measure on the track's own features): 1 - min over delays of the error between the span
    and the track with that span reversed / the mean error between the span's own frames."""
    f = feat.from_track(track, "3d")
    fps = track.fps
    n = len(f)
    lags = range(int(round(SYMMETRY_LAGS_S[0] * fps)), int(round(SYMMETRY_LAGS_S[1] * fps)) + 1)
    out = []
    for a_s, b_s in spans_s:
        a, b = int(round(a_s * fps)), min(int(round(b_s * fps)), n)
        if b - a < 2:
            out.append(1.0)
            continue
        r = feat.from_track(players.reversed_moves(track, [(a_s, b_s)]), "3d")
        seg = f.take(slice(a, b))
        with np.errstate(invalid="ignore"):
            e_all = np.nanmean(part_errors(seg, seg))
            best = np.inf
            for lag in lags:
                lo, hi = max(a + lag, 0), min(b + lag, n)
                if hi - lo < 0.5 * (b - a):
                    continue
                e = np.nanmean(part_errors(f.take(slice(lo - lag, hi - lag)), r.take(slice(lo, hi)), pairwise=False))
                best = min(best, e)
        out.append(float(np.clip(1.0 - best / e_all, 0.0, 1.0)) if np.isfinite(e_all) and e_all > 0 else 1.0)
    return out


def move_motion(track: PoseTrack, spans_s: list[tuple[float, float]]) -> list[float]:
    """How much the coach moves in each span: the most-moving body part's RMS angular
    deviation from its mean direction (rad)."""
    f = feat.from_track(track, "3d")
    out = []
    for a_s, b_s in spans_s:
        a, b = int(round(a_s * track.fps)), int(round(b_s * track.fps))
        sp = feat.spread(f.take(slice(a, max(b, a + 1))))
        out.append(float(np.nanmax(feat.PART_MEMBERSHIP @ sp / feat.PART_MEMBERSHIP.sum(axis=1))))
    return out
