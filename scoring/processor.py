"""The one stateful scorer: player poses in on the song clock, judgement events out.

    proc = ScoreProcessor(choreo, ref_track, latency_s=0.12)
    proc.subscribe(hud.on_judgement)
    for frame, t in camera:               # frame: PoseFrame | None (nobody in view)
        proc.push(frame, t)               # -> new Judgements, also sent to subscribers
        bar = proc.live_score             # 0..1 or None
    result = proc.finish()                # SessionResult; to_json() = `dance score --json`

The live game and the offline scorer (`dance score`) drive exactly this class.

What it coordinates (each part testable on its own)
  * scoring.resample.PlayerGrid: player poses onto a fixed grid (``rate_hz``, 30 Hz) of the
    song clock shifted by the calibrated ``latency_s`` (camera + inference delay).
  * scoring.verdict.judge_move: one move judged from the coach's rows and the player's
    window, pure (the method is described there). A move [start_s, end_s) is judged once the
    player's clock passes end_s + max_late_s, on the player's samples in
    [start_s - max_early_s, end_s + max_late_s]; after the first move seen, the window
    follows the player's running offset (FOLLOW_WINDOW_S either side) and judge_move is
    given that offset as its timing prior.
  * scoring.judge: the policy as data (tiers, stars, combo, points, the hint table).
  * Here: the clock, the windows, the running offset, combo and points, live feedback,
    subscribers and the SessionResult.

Body-part names in judgements, ``live_parts`` and hints are the *player's own* body parts.
With ``choreo.mirror`` the child mirrors the coach, so the coach's left arm (as authored in
the move's ``parts``) is the child's right arm: features compare the mirrored player with
the coach, and names are swapped back before they leave this class.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from pose.errors import TrackError
from pose.frame import PoseFrame
from pose.landmarks import SKELETON
from pose.track import PoseTrack
from scoring import features as feat
from scoring import judge
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS
from scoring.resample import PlayerGrid
from scoring.similarity import MISSING_COST_RAD, combine, curve, part_errors, part_weight_vector
from scoring.verdict import MIRROR_PART, MoveVerdict, judge_move

if TYPE_CHECKING:
    from scoring.choreography import Choreography, Move

# Once the player's delay is known, a move's window reaches this far (s) around it.
FOLLOW_WINDOW_S = 0.3
# The left/right-swap check looks this far (s) before a move's window as well.
FACING_LOOKBACK_S = 2.0
# Live feedback compares the latest pose with the reference within this much of the
# expected time (the player's current timing offset), so the bar forgives a little timing.
_LIVE_SEARCH_S = 0.2

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
        self._player: PlayerGrid | None = None
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
                return []
            # Grid samples before the first pose: nobody.
            self._player = PlayerGrid(self._choose_mode(frame), self.rate_hz, start_s=self._last_t)
        f = feat.from_frame(frame, self._player.mode, self.mirror)
        self._player.push(t, f)
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
        return MIRROR_PART[coach_part] if self.mirror else coach_part

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
        """Cut the move's rows and the player's window, judge_move them, keep the offset."""
        move = self.moves[mi]
        mode = self._player.mode if self._player is not None else self._ref_mode
        r0 = max(int(math.ceil(move.start_s * self.rate_hz - 1e-9)), 0)
        r1 = min(max(int(math.ceil(move.end_s * self.rate_hz - 1e-9)), r0 + 1), self._n_ref)
        r0 = min(r0, r1 - 1)
        ref = self._ref(mode).take(slice(r0, r1))
        early_s, late_s = self._window(move)
        c0 = int(math.floor((move.start_s - early_s) * self.rate_hz))
        c1 = int(math.ceil((move.end_s + late_s) * self.rate_hz)) + 1
        c1 = max(c1, c0 + (len(ref) + 1) // 2 + 1)
        if self._player is not None:
            pl = self._player.window(c0, c1)
            swapped = self._player.swapped_fraction(c0 - int(FACING_LOOKBACK_S * self.rate_hz), c1)
        else:
            pl, swapped = feat.empty(c1 - c0, mode), None
        v = judge_move(ref, pl, self._move_w[mi], lead_rows=c0 - r0, rate_hz=self.rate_hz,
                       running_offset_s=self.offset_s if self._offsets else None, swapped_fraction=swapped,
                       difficulty=self.difficulty, mirror=self.mirror)
        if v.seen:
            self._rotation = v.rotation
            self._offsets.append(v.offset_s)
            self._offset_estimate = float(np.median(self._offsets[-3:]))
        return self._emit(move, v, time_s)

    def _emit(self, move: "Move", v: MoveVerdict, time_s: float) -> Judgement:
        self._combo = judge.next_combo(self._combo, v.tier)
        self._max_combo = max(self._max_combo, self._combo)
        return Judgement(
            # Full precision in the event (JSON rounds): ordering stays exact for reports.
            move_index=move.index, move_name=move.name, score=v.score, tier=v.tier, parts=v.parts,
            offset_s=v.offset_s, time_s=float(time_s), start_s=float(move.start_s), end_s=float(move.end_s),
            gold=bool(move.gold), combo=self._combo, tip=str(getattr(move, "tip", "") or ""), hint=v.hint,
            weakest_part=v.weakest_part, samples=v.samples, sample_rate_hz=self.rate_hz if v.samples else 0.0,
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
