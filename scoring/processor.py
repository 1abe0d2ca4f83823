"""The one stateful scorer: player poses in on the song clock, judgement events out.

    proc = ScoreProcessor(choreo, ref_track, latency_s=0.12)
    proc.subscribe(hud.on_judgement)
    for frame, t in camera:               # frame: PoseFrame | None (nobody in view)
        proc.push(frame, t)               # -> new Judgements, also sent to subscribers
        bar = proc.live_score             # 0..1 or None
    result = proc.finish()                # SessionResult; to_json() = `dance score --json`

The live game and the offline scorer (`dance score`) drive exactly this class.

How a move is judged
  * Player poses are resampled onto a fixed grid (``rate_hz``, 30 Hz) of the song clock
    shifted by the calibrated ``latency_s`` (camera + inference delay), so camera frame
    rate, jitter and dropped frames do not change a score. A gap longer than ``MAX_GAP_S``
    counts as nobody.
  * A move [start_s, end_s) is judged once the player's clock passes end_s + max_late_s:
    its reference samples are aligned (scoring.align.subsequence_dtw) to the player's samples
    in [start_s - max_early_s, end_s + max_late_s]; a constant delay up to max_late_s and a
    tempo off by up to a factor 2 cost nothing by themselves. From the second move on, a path
    more than TIMING_FREE_S away from the player's running offset pays for the jump.
  * Along that path each body part's mean angular error maps to a similarity
    (scoring.similarity.curve); a part's score is that times the fraction of the move the
    player was seen, times the motion agreement (_motion_agreement: how the player's
    movement along the path projects onto the coach's; a frozen pose or the move danced
    backwards gains nothing), times the facing factor (a player whose left and right look
    swapped, as when a tracker takes a back for a front, is not credited: Features.facing).
    The move score is the mean of part scores weighted by the move's ``parts`` times the
    parts' importance (scoring.judge.PART_IMPORTANCE) times how much the coach moves the
    part in this move (MOTION_EMPHASIS_*: a move is about its gesture, and anyone standing
    still matches the parts the coach holds still). Parts the coach does not show (hidden in
    most of the move's reference frames) are not judged. A move where the reference has no
    pose at all is judged on presence alone.
  * After the first judged move, a move's window follows the player's running offset
    (FOLLOW_WINDOW_S either side) instead of the fixed [-max_early_s, +max_late_s].
  * Per move, the rotation that best maps the player's limb directions onto the coach's
    removes the camera's view: the heading about the vertical fully, a tilt (a camera that
    looks down) up to scoring.features.MAX_TILT_RAD. Alignment and rotation are estimated
    twice (window means first, then the aligned pairs).
  * The hint names the part whose shortfall costs the move most (weight x missing points),
    with a direction taken from the signed difference (arm lower than the coach's -> "Lift
    your left arm higher!").
  * Nobody seen during a move -> score 0, MISS. Never an exception.

Body-part names in judgements, ``live_parts`` and hints are the *player's own* body parts.
With ``choreo.mirror`` the child mirrors the coach, so the coach's left arm (as authored in
the move's ``parts``) is the child's right arm: features compare the mirrored player with
the coach, and names are swapped back before they leave this class.
"""
from __future__ import annotations

import bisect
import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from pose.errors import TrackError
from pose.frame import PoseFrame
from pose.landmarks import SKELETON
from pose.track import PoseTrack
from scoring import features as feat
from scoring import judge
from scoring.align import subsequence_dtw
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS
from scoring.similarity import MISSING_COST_RAD, combine, curve, part_errors, part_weight_vector

if TYPE_CHECKING:
    from scoring.choreography import Choreography, Move

# A player sample farther than this from every camera frame is "nobody" (a dropped camera).
MAX_GAP_S = 0.25
# Alignment prior: a path this far (s) from the player's running offset is free; beyond it
# each second of extra timing difference costs like this much angular error (rad). A child's
# latency is steady from move to move, so a path that needs a jump is more often a look-alike
# pose elsewhere in the window (the time-reversed movement, another dance) than a real change
# of timing. The first judged move has no running offset yet and is free anywhere in its
# window (a constant delay is learnt there, not charged). Measured on pose2sim
# (benchmarks/bench_scoring.py): another person's dance scores up to ~10 points less,
# same-view and +-10 % tempo within ~1 point; the price is a sudden 0.3 s change of lag in
# mid-song, which costs the next move or two (cam03 on the 4-move clip: -8 points, was -4).
TIMING_FREE_S = 0.15
# Each change of tempo along an alignment path (a skipped or a doubled player sample) costs
# like this much angular error. 0: on pose2sim a penalty of 0.05-0.1 made a 10 % tempo
# change cost 5-9 points, and the motion agreement already refuses a path that stalls.
STEP_PENALTY_RAD = 0.0
# Once the player's delay is known, a move's window reaches this far (s) around it.
FOLLOW_WINDOW_S = 0.3
TIMING_RAD_PER_S = 1.5
# A move is judged mostly on what the coach moves in it: each part's weight is multiplied by
# FLOOR + (1 - FLOOR) * (its coach movement / the most-moved part's) ** GAMMA. Parts the
# coach holds still still count (FLOOR), so standing like the coach is not nothing, but a
# player who stands right and does not do the move's gesture no longer scores high. Applied
# only when the coach moves some judged part more than _STILL_RAD (otherwise weights stay).
MOTION_EMPHASIS_FLOOR = 0.1
MOTION_EMPHASIS_GAMMA = 2.0
NOBODY_HINT = "Step into the picture so I can see you dance!"
# A part the coach hides in more than this fraction of a move's frames is not judged.
_REF_PART_MIN_KNOWN = 0.5
# Live feedback compares the latest pose with the reference within this much of the
# expected time (the player's current timing offset), so the bar forgives a little timing.
_LIVE_SEARCH_S = 0.2

_MIRROR_PART = {p: p.replace("left", "@").replace("right", "left").replace("@", "right") for p in BODY_PARTS}
_U = {name: i for i, name in enumerate(feat.UNIT_NAMES)}


@dataclass(frozen=True)
class SessionResult:
    """A finished session. total 0-100; stars 0-5; tier_counts: tier name -> count (all tiers);
    best_moves: names of up to three best-scored moves (GOOD or better);
    tips: up to three kind, specific hints from the weakest moves (no duplicates)."""

    total: float
    stars: int
    judgements: tuple[Judgement, ...]
    tier_counts: dict[str, int]
    max_combo: int
    best_moves: tuple[str, ...]
    tips: tuple[str, ...]
    difficulty: str = "normal"
    title: str = ""
    player_mode: str = ""
    points: int = 0  # 0..judge.POINTS_MAX, the sum of the judged moves' points
    stopped_at_s: float | None = None  # song time of an early stop (moves after it not judged)

    def to_json(self) -> dict[str, Any]:
        """The score JSON of architecture.md (total, stars, moves[...]) plus a few extras."""
        return {
            "title": self.title,
            "total": round(float(self.total), 2),
            "stars": int(self.stars),
            "points": int(self.points),
            "stopped_at_s": None if self.stopped_at_s is None else round(float(self.stopped_at_s), 3),
            "difficulty": self.difficulty,
            "max_combo": int(self.max_combo),
            "tier_counts": dict(self.tier_counts),
            "best_moves": list(self.best_moves),
            "tips": list(self.tips),
            "moves": [j.to_dict() for j in self.judgements],
        }


@dataclass
class _PlayerBuffer:
    """Growable per-grid-sample player features (coach-slot order, mirrored if needed)."""

    mode: str
    vectors: np.ndarray = field(init=False)
    angles: np.ndarray = field(init=False)
    weights: np.ndarray = field(init=False)
    n: int = 0

    def __post_init__(self) -> None:
        self.vectors = np.full((256, feat.NUM_VECTORS, 3), np.nan)
        self.angles = np.full((256, feat.NUM_ANGLES), np.nan)
        self.weights = np.zeros((256, feat.NUM_UNITS))
        self.facing = np.full(256, np.nan)

    def append(self, f: feat.Features) -> None:
        if self.n == len(self.weights):
            self.vectors = np.concatenate([self.vectors, np.full_like(self.vectors, np.nan)])
            self.angles = np.concatenate([self.angles, np.full_like(self.angles, np.nan)])
            self.weights = np.concatenate([self.weights, np.zeros_like(self.weights)])
            self.facing = np.concatenate([self.facing, np.full_like(self.facing, np.nan)])
        self.vectors[self.n] = f.vectors[0]
        self.angles[self.n] = f.angles[0]
        self.weights[self.n] = f.weights[0]
        self.facing[self.n] = f.facing[0] if f.facing is not None else np.nan
        self.n += 1

    def window(self, lo: int, hi: int) -> feat.Features:
        """Samples [lo, hi); indices outside [0, n) are nobody (padding)."""
        out = feat.empty(hi - lo, self.mode)
        a, b = max(lo, 0), min(hi, self.n)
        if b > a:
            out.vectors[a - lo : b - lo] = self.vectors[a:b]
            out.angles[a - lo : b - lo] = self.angles[a:b]
            out.weights[a - lo : b - lo] = self.weights[a:b]
            out.facing[a - lo : b - lo] = self.facing[a:b]
        return out

    def swapped_fraction(self, lo: int, hi: int) -> float | None:
        """Of the decided samples in [lo, hi), the fraction whose left and right look
        swapped (Features.facing < 0); None when fewer than FACING_MIN_DECIDED decided."""
        f = self.facing[max(lo, 0) : min(hi, self.n)]
        f = f[np.isfinite(f)]
        return float((f < 0).mean()) if len(f) >= FACING_MIN_DECIDED else None


class ScoreProcessor:
    """Scores one play of a choreography. See the module docstring for the method."""

    def __init__(
        self,
        choreo: "Choreography",
        ref_track: PoseTrack,
        latency_s: float = 0.0,
        difficulty: str | None = None,
        *,
        rate_hz: float = 30.0,
        max_late_s: float = 0.5,
        max_early_s: float = 0.3,
    ) -> None:
        _check_reference(ref_track)
        if not (math.isfinite(latency_s) and math.isfinite(rate_hz) and rate_hz > 0):
            raise ValueError("latency_s and rate_hz must be finite, rate_hz > 0")
        self.choreo = choreo
        self.moves: tuple = tuple(sorted(choreo.moves, key=lambda m: m.start_s))
        self.difficulty = judge.check_difficulty(difficulty or getattr(choreo, "difficulty", "normal") or "normal")
        self.mirror = bool(getattr(choreo, "mirror", False))
        self.latency_s = float(latency_s)
        self.rate_hz = float(rate_hz)
        self.max_late_s = float(max_late_s)
        self.max_early_s = float(max_early_s)
        self._ref_track = ref_track
        end_s = max([ref_track.t[-1] + 1.0 / ref_track.fps] + [m.end_s for m in self.moves])
        self._n_ref = int(math.ceil(end_s * self.rate_hz)) + 1
        self._ref_index = _nearest_frames(ref_track, np.arange(self._n_ref) / self.rate_hz)
        self._ref_mode = feat.track_mode(ref_track)
        self._ref_feats: dict[str, feat.Features] = {}
        importance = np.array([judge.PART_IMPORTANCE.get(p, 1.0) for p in BODY_PARTS])
        self._default_w = importance
        self._move_starts = [m.start_s for m in self.moves]
        self._move_w = [_importance(part_weight_vector(m.parts), importance) for m in self.moves]
        self._ref(self._ref_mode)  # computed now, not on the first camera frame

        self._subscribers: list[Callable[[Judgement], None]] = []
        self._player: _PlayerBuffer | None = None
        self._prev: tuple[float, feat.Features] | None = None
        self._last_t: float = -math.inf
        self._song_time_s: float | None = None
        self._next_move = 0
        self._combo = 0
        self._max_combo = 0
        self._judgements: list[Judgement] = []
        self._song_weight = sum(judge.GOLD_WEIGHT if m.gold else 1.0 for m in self.moves)
        self._points = 0.0
        self._stopped_at_s: float | None = None
        self._offsets: list[float] = []
        self._offset_estimate = 0.0
        self._live_score: float | None = None
        self._live_parts: dict[str, float] = {}
        self._result: SessionResult | None = None
        self._rotation = np.eye(3)  # player -> coach limb-direction rotation of the last move

    # ------------------------------------------------------------------ public API
    def subscribe(self, callback: Callable[[Judgement], None]) -> None:
        """callback(Judgement) for every judgement, in order."""
        self._subscribers.append(callback)

    @property
    def live_score(self) -> float | None:
        """Similarity 0..1 of the latest pose (None before a pose or while nobody is seen)."""
        return self._live_score

    @property
    def live_parts(self) -> dict[str, float]:
        """Player's body part -> similarity 0..1 of the latest pose (for green/red limbs)."""
        return dict(self._live_parts)

    @property
    def current_move(self) -> "Move | None":
        """The move under the song clock of the latest push (None between moves)."""
        k = self._current_move_index()
        return None if k is None else self.moves[k]

    def _current_move_index(self) -> int | None:
        t = self._song_time_s
        if t is None:
            return None
        k = bisect.bisect_right(self._move_starts, t) - 1
        if k >= 0 and t < self.moves[k].end_s:
            return k
        return None

    @property
    def judgements(self) -> tuple[Judgement, ...]:
        return tuple(self._judgements)

    @property
    def points(self) -> int:
        """Points so far (0..judge.POINTS_MAX): only grows as moves are judged."""
        return int(round(self._points))

    @property
    def offset_s(self) -> float:
        """The player's current timing offset estimate (+ = late): median of the last 3 moves."""
        return self._offset_estimate

    def push(self, frame: PoseFrame | None, song_time_s: float) -> list[Judgement]:
        """Take the pose of the camera frame captured at ``song_time_s``; return new judgements.

        Frames must come in time order; a frame not later than the previous one, or with a
        non-finite time, is ignored. After ``finish`` nothing more is judged.
        """
        if frame is not None and not isinstance(frame, PoseFrame):
            raise TypeError(f"frame must be a PoseFrame or None, got {type(frame).__name__}")
        if self._result is not None or not math.isfinite(song_time_s):
            return []
        t = float(song_time_s) - self.latency_s
        if t <= self._last_t:
            return []
        self._song_time_s = float(song_time_s)
        if self._player is None:
            if frame is None:
                self._last_t = t  # nothing to remember until the first pose fixes the mode
                self._prev = None
                return []
            self._player = _PlayerBuffer(self._choose_mode(frame))
            # Grid samples before the first pose: nobody.
            first_k = 0
            while first_k / self.rate_hz <= self._last_t:
                self._player.append(feat.empty(1, self._player.mode))
                first_k += 1
        f = feat.from_frame(frame, self._player.mode, self.mirror)
        self._resample(t, f)
        self._last_t = t
        self._update_live(t, f)
        return self._judge_due(t)

    def finish(self, song_time_s: float | None = None, *, stopped: bool = False) -> SessionResult:
        """Judge every move not judged yet (nobody seen -> MISS) and return the result.

        song_time_s: the song clock at the end (default: the last pushed time); poses are
        not extrapolated, a move the player never reached is judged on what was seen.
        stopped: the song was stopped at song_time_s: only the moves that ended by then are
        judged; the ones after the stop were never danced, so they are not MISSes, and the
        total is over the moves judged.
        Calling finish again returns the same result.
        """
        if self._result is not None:
            return self._result
        if song_time_s is not None and math.isfinite(song_time_s):
            self._song_time_s = float(song_time_s)
        if stopped:
            end = self._song_time_s if self._song_time_s is not None else 0.0
            self._stopped_at_s = float(end)
            self._judge_due(end + self.max_late_s)  # the moves that ended by the stop
        else:
            self._judge_due(math.inf)
        self._result = self._make_result()
        return self._result

    # ------------------------------------------------------------------ internals
    def _choose_mode(self, frame: PoseFrame) -> str:
        """3D when both the coach's track and the player's poses have world landmarks."""
        if self._ref_mode == "3d" and frame.world is not None and np.isfinite(frame.world).all():
            return "3d"
        return "2d"

    def _ref(self, mode: str) -> feat.Features:
        if mode not in self._ref_feats:
            full = feat.from_track(self._ref_track, mode)  # type: ignore[arg-type]
            rows = full.take(np.clip(self._ref_index, 0, len(full) - 1))
            outside = self._ref_index < 0
            rows.vectors[outside] = np.nan
            rows.angles[outside] = np.nan
            rows.weights[outside] = 0.0
            self._ref_feats[mode] = rows
        return self._ref_feats[mode]

    def _resample(self, t: float, f: feat.Features) -> None:
        """Emit grid samples up to time t: each takes the nearer of the previous and this pose."""
        buf = self._player
        assert buf is not None
        while buf.n / self.rate_hz <= t:
            g = buf.n / self.rate_hz
            choice, dist = f, t - g
            if self._prev is not None and (g - self._prev[0]) < dist:
                choice, dist = self._prev[1], g - self._prev[0]
            buf.append(choice if dist <= MAX_GAP_S else feat.empty(1, buf.mode))
        self._prev = (t, f)

    def _update_live(self, t: float, f: feat.Features) -> None:
        if not f.present[0]:
            self._live_score, self._live_parts = None, {}
            return
        ref = self._ref(f.mode)
        centre = (t - self.offset_s) * self.rate_hz
        lo = max(int(math.floor(centre - _LIVE_SEARCH_S * self.rate_hz)), 0)
        hi = min(int(math.ceil(centre + _LIVE_SEARCH_S * self.rate_hz)) + 1, self._n_ref)
        if hi <= lo:
            self._live_score, self._live_parts = None, {}
            return
        k = self._current_move_index()
        w = self._move_w[k] if k is not None else self._default_w
        pe = part_errors(ref.take(slice(lo, hi)), feat.rotate(f, self._rotation))[:, 0, :]  # (window, P)
        cost = combine(pe, w, missing=MISSING_COST_RAD)
        best = int(np.argmin(cost))
        sims = curve(pe[best])
        known = np.isfinite(sims)
        if not known.any():
            self._live_score, self._live_parts = None, {}
            return
        self._live_score = float(combine(sims[None], w, missing=0.0)[0])
        self._live_parts = {self._player_part(p): float(s) for p, s, k in zip(BODY_PARTS, sims, known) if k}

    def _player_part(self, coach_part: str) -> str:
        return _MIRROR_PART[coach_part] if self.mirror else coach_part

    def _window(self, move: "Move") -> tuple[float, float]:
        """How far (s) before a move's start and after its end the player may be.

        Until a move was seen, the whole [-max_early_s, +max_late_s]: the player's delay is
        learnt there. Then FOLLOW_WINDOW_S around the running offset: a child's delay is
        steady, and a narrow window leaves no room for a look-alike pose of a neighbouring
        move (the move danced backwards often resembles its neighbour)."""
        if not self._offsets:
            return self.max_early_s, self.max_late_s
        off = self.offset_s
        return FOLLOW_WINDOW_S - off, FOLLOW_WINDOW_S + off

    def _judge_due(self, t: float) -> list[Judgement]:
        out: list[Judgement] = []
        while self._next_move < len(self.moves) and \
                t >= self.moves[self._next_move].end_s + max(self._window(self.moves[self._next_move])[1], self.max_late_s):
            j = self._judge(self._next_move, min(t, self._song_time_s or 0.0) if math.isfinite(t) else (self._song_time_s or 0.0))
            self._next_move += 1
            self._points += judge.move_points(j.score, j.gold, self._song_weight)
            self._judgements.append(j)
            out.append(j)
            for cb in self._subscribers:
                cb(j)
        return out

    def _judge(self, mi: int, time_s: float) -> Judgement:
        move = self.moves[mi]
        w_all = self._move_w[mi]
        mode = self._player.mode if self._player is not None else self._ref_mode
        ref_all = self._ref(mode)
        r0 = max(int(math.ceil(move.start_s * self.rate_hz - 1e-9)), 0)
        r1 = min(max(int(math.ceil(move.end_s * self.rate_hz - 1e-9)), r0 + 1), self._n_ref)
        r0 = min(r0, r1 - 1)
        ref = ref_all.take(slice(r0, r1))
        n = len(ref)
        early_s, late_s = self._window(move)
        c0 = int(math.floor((move.start_s - early_s) * self.rate_hz))
        c1 = int(math.ceil((move.end_s + late_s) * self.rate_hz)) + 1
        c1 = max(c1, c0 + (n + 1) // 2 + 1)
        pl = self._player.window(c0, c1) if self._player is not None else feat.empty(c1 - c0, mode)

        # The coach must show a part for it to be judged in this move.
        ref_part_known = np.stack([
            (ref.weights @ feat.PART_MEMBERSHIP.T)[:, p] > 0 for p in range(len(BODY_PARTS))
        ], axis=1).mean(axis=0) >= _REF_PART_MIN_KNOWN
        w = _motion_emphasis(np.where(ref_part_known, w_all, 0.0), ref)

        present = pl.present
        base = dict(move_index=move.index, move_name=move.name, time_s=float(time_s), start_s=float(move.start_s),
                    end_s=float(move.end_s), gold=bool(move.gold), tip=str(getattr(move, "tip", "") or ""))
        judged_parts = [p for p, wp in zip(BODY_PARTS, w) if wp > 0]
        if not present.any():
            return self._emit(base, 0.0, {p: 0.0 for p in judged_parts or BODY_PARTS if w_all[BODY_PARTS.index(p)] > 0},
                              0.0, None, None, None, force_miss=True)
        if w.sum() == 0:
            # Nobody in the reference for this move: nothing to copy, judge presence only.
            coverage = float(present[max(0, r0 - c0) : max(0, r0 - c0) + n].mean()) if n else 0.0
            return self._emit(base, 100.0 * coverage, {}, 0.0, None, None, None)

        # Turn the player onto the coach (camera pitch/yaw): first from the whole window's mean
        # limb directions, then again from the rows the alignment paired, and re-align.
        rotation = _rotation_from_window(pl, ref)
        # Prefer paths near the player's usual timing: a child's delay is steady from move to
        # move, and a path that needs a sudden jump is usually a look-alike pose elsewhere.
        lag_s = (c0 + np.arange(len(pl)))[None, :] / self.rate_hz - (r0 + np.arange(n))[:, None] / self.rate_hz
        if self._offsets:
            timing_cost = TIMING_RAD_PER_S * np.maximum(np.abs(lag_s - self.offset_s) - TIMING_FREE_S, 0.0)
        else:
            timing_cost = np.zeros_like(lag_s)  # no running offset yet: any timing in the window
        match = None
        for _ in range(2):
            pl_rot = feat.rotate(pl, rotation)
            pe = part_errors(ref, pl_rot)  # (n, m, P)
            match = subsequence_dtw(combine(pe, w, missing=MISSING_COST_RAD) + timing_cost, STEP_PENALTY_RAD)
            rotation = feat.best_rotation(pl.take(match.cols), ref)
        assert match is not None
        self._rotation = rotation
        rows = np.arange(n)
        path_pe = pe[rows, match.cols]  # (n, P)
        seen = present[match.cols]
        coverage = float(seen.mean())
        # A coach who moves a part and a player who holds it still: the poses may be close
        # (a frozen pose from the middle of the move), the dance is not. Scale by how much
        # of the coach's movement the player shows.
        motion = _motion_agreement(ref, pl_rot.take(match.cols), seen, w)
        swapped = self._player.swapped_fraction(c0 - int(FACING_LOOKBACK_S * self.rate_hz), c1) \
            if self._player is not None else None
        facing = 1.0 if swapped is None else float(np.clip((FACING_SWAPPED_FULL - swapped) /
                                                          (FACING_SWAPPED_FULL - FACING_SWAPPED_NONE), 0.0, 1.0))
        part_scores: dict[str, float] = {}
        for p, part in enumerate(BODY_PARTS):
            if w[p] <= 0:
                continue
            e = path_pe[seen, p]
            e = e[np.isfinite(e)]
            sim = _part_similarity(e)
            part_scores[part] = float(100.0 * sim * coverage * motion[p] * facing)
        score = float(sum(part_scores[p] * w[BODY_PARTS.index(p)] for p in part_scores) / w.sum())
        row_sim = combine(curve(path_pe), w, missing=0.0)
        base["samples"] = tuple(np.where(seen, row_sim, 0.0).round(4))
        base["sample_rate_hz"] = self.rate_hz
        offsets = (c0 + match.cols[seen] - (r0 + rows[seen])) / self.rate_hz
        offset_s = float(np.median(offsets)) if offsets.size else 0.0
        if seen.any():
            self._offsets.append(offset_s)
            self._offset_estimate = float(np.median(self._offsets[-3:]))
        return self._emit(base, score, part_scores, offset_s, ref.take(rows[seen]), pl.take(match.cols[seen]), w)

    def _emit(self, base: dict, score: float, coach_parts: dict[str, float], offset_s: float,
              ref_rows: feat.Features | None, pl_rows: feat.Features | None, w: np.ndarray | None,
              force_miss: bool = False) -> Judgement:
        score = float(np.clip(score, 0.0, 100.0))
        tier = Tier.MISS if force_miss else judge.tier_for(score, self.difficulty)
        self._combo = judge.next_combo(self._combo, tier)
        self._max_combo = max(self._max_combo, self._combo)
        hint, weakest = "", ""
        if force_miss:
            hint = NOBODY_HINT
        elif tier < Tier.PERFECT:
            coach_weak = _weakest(coach_parts, w) if coach_parts else None
            if coach_weak is not None:
                weakest = self._player_part(coach_weak)
                diff = _part_diff(coach_weak, ref_rows, pl_rows) if ref_rows is not None and len(ref_rows) else None
                hint = judge.hint_for(weakest, diff)
        return Judgement(
            # Full precision in the event (JSON rounds): ordering stays exact for reports.
            score=score, tier=tier,
            parts={self._player_part(p): float(s) for p, s in coach_parts.items()},
            offset_s=float(offset_s), combo=self._combo, hint=hint, weakest_part=weakest, **base,
        )

    def _make_result(self) -> SessionResult:
        js = self._judgements
        total = judge.session_total([j.score for j in js], [j.gold for j in js])
        counts = {t.name: 0 for t in sorted(Tier, reverse=True)}
        for j in js:
            counts[j.tier.name] += 1
        ranked = sorted(js, key=lambda j: (-j.score, j.move_index))
        best = tuple(j.move_name for j in ranked if j.tier >= Tier.GOOD)[:3]
        tips: list[str] = []
        for j in sorted(js, key=lambda j: (j.score, j.move_index)):
            if j.hint and j.hint not in tips:
                tips.append(j.hint)
            if len(tips) == 3:
                break
        # Stars reward a song: a stopped one keeps the stars its points had earned (what the
        # HUD showed at the stop), not the stars of its few judged moves' mean.
        stars = judge.stars_for(self.points * 100.0 / judge.POINTS_MAX if self._stopped_at_s is not None else total,
                                self.difficulty)
        return SessionResult(
            total=float(total), stars=stars, judgements=tuple(js),
            tier_counts=counts, max_combo=self._max_combo, best_moves=best, tips=tuple(tips),
            difficulty=self.difficulty, title=str(getattr(self.choreo, "title", "")),
            player_mode=self._player.mode if self._player is not None else "",
            points=self.points, stopped_at_s=self._stopped_at_s,
        )


# A part's error over a move is the mean of its best PART_KEEP_FRACTION of frames: a few
# frames the tracker got badly wrong (an arm swapped in a cross-body swing) do not count,
# while a movement that is only roughly like the coach's all along (the move backwards, a
# look-alike) keeps its whole error. The curve then maps that one error to a similarity.
PART_KEEP_FRACTION = 1.0


def _part_similarity(e: np.ndarray) -> float:
    """errors (rad) of one part along the path -> similarity in [0, 1] (0 if none known)."""
    if not e.size:
        return 0.0
    keep = max(int(math.ceil(PART_KEEP_FRACTION * e.size)), 1)
    return float(curve(np.partition(e, keep - 1)[:keep].mean()))


def _part_diff(coach_part: str, ref: feat.Features, pl: feat.Features) -> judge.PartDiff:
    """Mean signed player - coach differences of the part's interpretable quantities."""
    def up(f: feat.Features, *names: str) -> np.ndarray:
        return sum(f.vectors[:, _U[n], 1] for n in names)

    def ang(f: feat.Features, name: str) -> np.ndarray:
        return f.angles[:, _U[name] - feat.NUM_VECTORS] * np.pi

    def mean(x: np.ndarray) -> float:
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else 0.0

    if coach_part.endswith("_arm"):
        side = coach_part.split("_")[0]
        return judge.PartDiff(
            lift=mean(up(pl, f"{side}_upper_arm", f"{side}_forearm") - up(ref, f"{side}_upper_arm", f"{side}_forearm")),
            bend_rad=mean(ang(pl, f"{side}_elbow") - ang(ref, f"{side}_elbow")),
        )
    if coach_part.endswith("_leg"):
        side = coach_part.split("_")[0]
        return judge.PartDiff(
            lift=mean(up(pl, f"{side}_thigh") - up(ref, f"{side}_thigh")),
            bend_rad=mean(ang(pl, f"{side}_knee") - ang(ref, f"{side}_knee")),
        )
    if coach_part == "torso":
        return judge.PartDiff(lean=mean(up(pl, "spine") - up(ref, "spine")))
    return judge.PartDiff(lift=mean(up(pl, "neck") - up(ref, "neck")))


def _rotation_from_window(pl: feat.Features, ref: feat.Features) -> np.ndarray:
    """Rotation from the mean limb directions of a player window and a reference segment
    (their rows are not paired yet, so each side is summarised by one mean pose)."""
    if pl.mode != "3d" or not pl.present.any():
        return np.eye(3)

    def mean_rows(f: feat.Features) -> feat.Features:
        w = f.weights[:, : feat.NUM_VECTORS, None]
        v = (np.nan_to_num(f.vectors) * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1e-9)
        weights = np.zeros((1, feat.NUM_UNITS))
        weights[0, : feat.NUM_VECTORS] = w[..., 0].sum(axis=0) > 0  # only directions matter here
        return feat.Features(v[None], np.zeros((1, feat.NUM_ANGLES)), weights, f.mode)

    return feat.best_rotation(mean_rows(pl), mean_rows(ref))


# Coach movement (RMS angular deviation over a move, radians) below which a part counts as
# held still, so the player's own stillness is not penalised there.
_STILL_RAD = 0.12
# Motion agreement (_motion_agreement): how the player's movement along the aligned path
# projects onto the coach's. A gain of MOTION_GAIN_FULL or more is full credit, 0 or less
# (held still, or moving the other way) none. Below 1 on purpose: tracker noise on the
# coach's side inflates the coach's own motion.
MOTION_GAIN_FULL = 0.3
# The gain is fully trusted when the coach's moving parts spread this much (rad RMS).
MOTION_TRUSTED_RAD = 0.3
# Left and right swapped (a back taken for a front, see Features.facing) in more than
# FACING_SWAPPED_FULL of the decided samples of a move's window and the FACING_LOOKBACK_S
# before it: no credit; below FACING_SWAPPED_NONE: no effect. Real footage never swaps
# (pose2sim, 8 views: 0 %); a swapped mocap body swaps in 80-100 % of decided samples.
FACING_SWAPPED_NONE = 0.5
FACING_SWAPPED_FULL = 0.8
FACING_LOOKBACK_S = 2.0
FACING_MIN_DECIDED = 5


def _motion_agreement(ref: feat.Features, pl: feat.Features, seen: np.ndarray, part_w: np.ndarray) -> np.ndarray:
    """(P,) in [0, 1]: how much of the coach's movement the player shows along the path.

    ref: the move's n reference rows; pl: the player's rows on the aligned path (n, in ref
    order); seen: (n,) the player was there. Each side's limb directions and joint angles
    are taken as deviations from their mean over the seen rows; gain = sum(d_ref . d_pl) /
    sum(|d_ref|^2), pooled over the parts the coach moves (weights ``part_w``): one part's
    movement is often near the tracker's noise, the move's gesture as a whole is not. A
    frozen player gains ~0, the move backwards less than 0. The moving parts all get
    clip(gain / MOTION_GAIN_FULL, 0, 1); parts the coach holds still (spread <=
    _STILL_RAD) get 1.
    """
    s_ref = feat.PART_MEMBERSHIP @ feat.spread(ref) / feat.PART_MEMBERSHIP.sum(axis=1)
    out = np.ones(len(BODY_PARTS))
    moving = (s_ref > _STILL_RAD) & (part_w > 0)
    if not moving.any():
        return out
    if seen.sum() < 2:
        return np.where(moving, 0.0, 1.0)
    r, p = ref.take(seen), pl.take(seen)
    w = r.weights * p.weights

    def deviations(f: feat.Features) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a unit unknown in every row
            return f.vectors - np.nanmean(f.vectors, axis=0), (f.angles - np.nanmean(f.angles, axis=0)) * np.pi

    dv_r, da_r = deviations(r)
    dv_p, da_p = deviations(p)
    dot = np.concatenate([np.einsum("tud,tud->tu", dv_r, dv_p), da_r * da_p], axis=1)
    sq = np.concatenate([np.einsum("tud,tud->tu", dv_r, dv_r), da_r * da_r], axis=1)
    num = (np.nan_to_num(dot) * w).sum(axis=0) @ feat.PART_MEMBERSHIP.T
    den = (np.nan_to_num(sq) * w).sum(axis=0) @ feat.PART_MEMBERSHIP.T
    num_all, den_all = float(num[moving] @ part_w[moving]), float(den[moving] @ part_w[moving])
    # Rows the player was not seen count as no movement shown.
    gain = num_all / den_all * float(seen.mean()) if den_all > 0 else 0.0
    f = float(np.clip(gain / MOTION_GAIN_FULL, 0.0, 1.0))
    # A coach who barely moves gives a gain that is mostly tracker noise: trust it in
    # proportion to how far the coach's movement rises above that noise.
    s_move = float(s_ref[moving] @ part_w[moving] / part_w[moving].sum())
    trust = float(np.clip((s_move - _STILL_RAD) / (MOTION_TRUSTED_RAD - _STILL_RAD), 0.0, 1.0))
    return np.where(moving, 1.0 - trust * (1.0 - f), 1.0)


def _motion_emphasis(w: np.ndarray, ref: feat.Features) -> np.ndarray:
    """(P,) part weights ``w`` re-weighted by how much the coach moves each part in the move.

    ref: the move's reference rows. See MOTION_EMPHASIS_FLOOR; parts with weight 0 stay 0.
    """
    judged = w > 0
    if len(ref) < 2 or not judged.any():
        return w
    s_ref = feat.PART_MEMBERSHIP @ feat.spread(ref) / feat.PART_MEMBERSHIP.sum(axis=1)
    top = float(s_ref[judged].max())
    if not top > _STILL_RAD:
        return w  # a held pose: every part as authored
    rel = np.clip(s_ref / top, 0.0, 1.0)
    return w * (MOTION_EMPHASIS_FLOOR + (1.0 - MOTION_EMPHASIS_FLOOR) * rel ** MOTION_EMPHASIS_GAMMA)


def _weakest(coach_parts: dict[str, float], w: np.ndarray | None) -> str | None:
    """The part whose shortfall costs the move most: max of weight x (100 - part score)."""
    if w is None:
        return judge.weakest_part(coach_parts)
    return max(coach_parts, key=lambda p: (w[BODY_PARTS.index(p)] * (100.0 - coach_parts[p]), -coach_parts[p]))


def _importance(w: np.ndarray, importance: np.ndarray) -> np.ndarray:
    """Author weights times the parts' default importance (a move about one part keeps it)."""
    out = w * importance
    return out if out.sum() > 0 else w


def _check_reference(track: Any) -> None:
    if not isinstance(track, PoseTrack):
        raise TrackError(f"reference must be a pose track, got {type(track).__name__}")
    if track.skeleton != SKELETON:
        raise TrackError(f"reference track skeleton {track.skeleton!r} is not {SKELETON!r}")
    if len(track) == 0:
        raise TrackError("reference pose track is empty")
    if not track.found.any():
        raise TrackError("reference pose track has nobody in it")


def _nearest_frames(track: PoseTrack, times_s: np.ndarray) -> np.ndarray:
    """Index of the track frame nearest each time; -1 beyond the track's ends."""
    t = track.t
    k = np.clip(np.searchsorted(t, times_s), 1, max(len(t) - 1, 1))
    if len(t) == 1:
        idx = np.zeros(len(times_s), dtype=np.intp)
    else:
        idx = np.where(np.abs(t[k - 1] - times_s) <= np.abs(t[k] - times_s), k - 1, k)
    half = 0.5 / track.fps + 1e-9
    outside = (times_s < t[0] - half) | (times_s > t[-1] + half)
    return np.where(outside, -1, idx).astype(np.intp)


def score_track(choreo: "Choreography", ref_track: PoseTrack, player: PoseTrack, latency_s: float = 0.0,
                difficulty: str | None = None, time_offset_s: float = 0.0, **kwargs: Any) -> SessionResult:
    """Offline: push every frame of a player's pose track (its t + time_offset_s on the song clock)."""
    proc = ScoreProcessor(choreo, ref_track, latency_s=latency_s, difficulty=difficulty, **kwargs)
    for i in range(len(player)):
        proc.push(player.frame(i), float(player.t[i]) + time_offset_s)
    return proc.finish()


__all__: Sequence[str] = ("ScoreProcessor", "SessionResult", "score_track")
