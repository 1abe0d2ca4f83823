"""Freeze Dance scoring: move while the music plays, stand still as a statue when it stops.

Each authored move is a window with a cue: ``dance`` (keep moving) or ``freeze`` (hold
still). Motion is measured from the body pose: the speed of the body's keypoints over a
short baseline (``BASELINE_S``, so pose jitter averages out), in torso lengths per second,
so a child near the camera and one far away move "as much" for the same movement.

- A dance window scores how much of it the child kept moving (speed >= DANCE_FULL).
- A freeze window first gives the child time to react (``REACT_S``: nobody freezes on the
  exact beat the music stops); after that every wobble (speed above STILL) costs points,
  down to zero at WOBBLE_FULL. The reaction time is the judgement's ``offset_s``.
- Nobody in the picture scores zero for that moment.

Judgements, tiers, combo and stars are the dance game's (scoring.judge), so the HUD,
results screen, session store and reports need nothing new. Pure numpy, deterministic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pose.frame import PoseFrame
from scoring import judge
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS, PART_LANDMARKS
from scoring.windowed import WindowedScorer


@dataclass(frozen=True)
class FreezePolicy:
    """The thresholds, in torso lengths per second (policy as data)."""

    baseline_s: float = 0.2     # speed = displacement over this long
    still: float = 0.25         # at or below: a perfect statue
    wobble_full: float = 1.2    # at or above: no points for that moment
    dance_min: float = 0.15     # below: not dancing
    dance_full: float = 0.7     # at or above: full marks for dancing
    react_s: float = 0.6        # free reaction time at the start of a freeze
    sample_rate_hz: float = 10.0

    def __post_init__(self) -> None:
        if not (0 <= self.still < self.wobble_full and 0 <= self.dance_min < self.dance_full):
            raise ValueError("FreezePolicy: need still < wobble_full and dance_min < dance_full")


POLICY = FreezePolicy()
KEYPOINTS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
MIN_VISIBILITY = 0.5
HINTS = {
    "freeze_wobble": "Freeze like a statue when the music stops - not even a wiggle!",
    "freeze_late": "Stop the moment the music stops - be quick!",
    "dance": "Keep moving the whole time the music plays!",
    "nobody": "Stay in the picture so the camera can see you!",
}


def torso_px(xy_px: np.ndarray, vis: np.ndarray) -> float | None:
    """Shoulder-centre to hip-centre distance in pixels, or None if not seen."""
    if min(vis[11], vis[12], vis[23], vis[24]) < MIN_VISIBILITY:
        return None
    d = float(np.linalg.norm((xy_px[11] + xy_px[12]) / 2 - (xy_px[23] + xy_px[24]) / 2))
    return d if d > 1.0 else None


class FreezeScorer(WindowedScorer):
    """Scores one play of a Freeze Dance song; the ScoreProcessor interface.

    choreo: a loaded choreography whose moves carry cues ``dance`` / ``freeze``.
    Per push: the pose (or None) at the song time of its capture; latency_s is subtracted.
    """

    player_mode = "freeze"

    def __init__(self, choreo: Any, ref_track: Any = None, latency_s: float = 0.0,
                 difficulty: str | None = None, policy: FreezePolicy = POLICY) -> None:
        super().__init__(choreo, latency_s, difficulty)
        bad = [m.name for m in self.moves if m.cue not in ("dance", "freeze")]
        if bad:
            raise ValueError(f"freeze moves need cue dance or freeze: {bad}")
        self.policy = policy
        self._hist: list[tuple[float, np.ndarray | None, float | None]] = []  # (t, xy_px (K,2), torso_px)
        self._samples: list[tuple[float, float, dict[str, float]]] = []  # (t, body speed, part speeds); NaN nobody
        self._live_score: float | None = None
        self._live_parts: dict[str, float] = {}

    @property
    def live_score(self) -> float | None:
        return self._live_score

    @property
    def live_parts(self) -> dict[str, float]:
        return dict(self._live_parts)

    @property
    def current_move(self):
        t = self._last_t
        for m in self.moves:
            if m.start_s <= t < m.end_s:
                return m
        return None

    def speed_now(self) -> float | None:
        """The latest body speed (torso lengths / s), None if nobody."""
        if not self._samples or not math.isfinite(self._samples[-1][1]):
            return None
        return self._samples[-1][1]

    def push(self, frame: PoseFrame | None, song_time_s: float) -> list[Judgement]:
        if self._result is not None or not math.isfinite(song_time_s):
            return []
        t = float(song_time_s) - self.latency_s
        if t <= self._last_t:
            return []
        self._last_t = t
        self._hist.append((t, *self._keypoints(frame)))
        while len(self._hist) > 2 and self._hist[1][0] <= t - self.policy.baseline_s:
            self._hist.pop(0)
        speed, parts = self._speed(t)
        self._samples.append((t, speed, parts))
        self._update_live(t, speed, parts)
        return self._judge_due(t)

    # -- motion ------------------------------------------------------------------------------
    @staticmethod
    def _keypoints(frame: PoseFrame | None) -> tuple[np.ndarray | None, float | None]:
        if frame is None:
            return None, None
        xy = frame.xy_px()
        vis = frame.visibility
        scale = torso_px(xy, vis)
        if scale is None:
            return None, None
        pts = np.where((vis >= MIN_VISIBILITY)[:, None], xy, np.nan)
        return pts, scale

    def _speed(self, t: float) -> tuple[float, dict[str, float]]:
        """Body speed: the 75th percentile of keypoint speeds (one waving arm is a wobble)."""
        now = self._hist[-1]
        old = self._hist[0]
        if now[1] is None or old[1] is None or now[0] - old[0] < 0.5 * self.policy.baseline_s:
            return (math.nan if now[1] is None else 0.0), {}
        dt = now[0] - old[0]
        scale = 0.5 * (now[2] + old[2])
        v = np.linalg.norm(now[1] - old[1], axis=1) / scale / dt  # (33,), NaN where unseen
        body = v[list(KEYPOINTS)]
        body = body[np.isfinite(body)]
        if body.size < 4:
            return math.nan, {}
        parts = {}
        for p in BODY_PARTS:
            pv = v[list(PART_LANDMARKS[p])]
            pv = pv[np.isfinite(pv)]
            if pv.size:
                parts[p] = float(pv.mean())
        return float(np.percentile(body, 75)), parts

    def stillness(self, speed: float) -> float:
        """0..1: 1 = a statue, 0 = wobbling at WOBBLE_FULL or more."""
        p = self.policy
        return float(np.clip(1.0 - (speed - p.still) / (p.wobble_full - p.still), 0.0, 1.0))

    def dancing(self, speed: float) -> float:
        """0..1: 1 = moving at DANCE_FULL or more."""
        p = self.policy
        return float(np.clip((speed - p.dance_min) / (p.dance_full - p.dance_min), 0.0, 1.0))

    def _score_of(self, cue: str, speed: float) -> float:
        if not math.isfinite(speed):
            return 0.0
        return self.stillness(speed) if cue == "freeze" else self.dancing(speed)

    def _update_live(self, t: float, speed: float, parts: dict[str, float]) -> None:
        m = self.current_move
        if m is None or not math.isfinite(speed):
            self._live_score, self._live_parts = None, {}
            return
        self._live_score = self._score_of(m.cue, speed)
        self._live_parts = {p: self._score_of(m.cue, v) for p, v in parts.items()}

    # -- judging -----------------------------------------------------------------------------
    def _judge(self, i: int, time_s: float) -> Judgement:
        m = self.moves[i]
        p = self.policy
        react_s = min(p.react_s, 0.3 * m.duration_s) if m.cue == "freeze" else 0.0
        window = [(t, v, parts) for t, v, parts in self._samples if m.start_s + react_s <= t < m.end_s]
        scores = [self._score_of(m.cue, v) for _, v, _ in window]
        score = 100.0 * float(np.mean(scores)) if scores else 0.0
        part_scores: dict[str, float] = {}
        for part in BODY_PARTS:
            vals = [self._score_of(m.cue, parts[part]) for _, _, parts in window if part in parts]
            if vals:
                part_scores[part] = 100.0 * float(np.mean(vals))
        offset_s = self._reaction_s(m) if m.cue == "freeze" else 0.0
        tier = judge.tier_for(score, self.difficulty)
        combo = self._next_combo(tier)
        seen = [v for _, v, _ in window if math.isfinite(v)]
        if not seen:
            hint = HINTS["nobody"]
        elif tier == Tier.PERFECT:
            hint = ""
        elif m.cue == "dance":
            hint = HINTS["dance"]
        else:
            hint = HINTS["freeze_late"] if offset_s > p.react_s else HINTS["freeze_wobble"]
        weakest = min(part_scores, key=part_scores.get) if part_scores and tier < Tier.PERFECT else ""
        grid = self._grid(m, window)
        return Judgement(
            move_index=m.index, move_name=m.name, score=score, tier=tier, parts=part_scores,
            offset_s=float(offset_s), time_s=float(time_s), start_s=m.start_s, end_s=m.end_s,
            gold=bool(m.gold), combo=combo, tip=m.tip, hint=hint, weakest_part=weakest,
            samples=grid, sample_rate_hz=p.sample_rate_hz if grid else 0.0,
        )

    def _reaction_s(self, m) -> float:
        """Seconds from the freeze's start until the child was still (and stayed still for
        0.2 s); the whole window if they never were."""
        p = self.policy
        run_start = None
        for t, v, _ in self._samples:
            if t < m.start_s or t >= m.end_s:
                continue
            if math.isfinite(v) and v <= p.still:
                run_start = t if run_start is None else run_start
                if t - run_start >= 0.2:
                    return max(0.0, run_start - m.start_s)
            else:
                run_start = None
        return m.duration_s

    def _grid(self, m, window) -> tuple[float, ...]:
        if not window:
            return ()
        ts = np.array([t for t, _, _ in window])
        vals = np.array([self._score_of(m.cue, v) for _, v, _ in window])
        grid_t = m.start_s + np.arange(int(m.duration_s * self.policy.sample_rate_hz)) / self.policy.sample_rate_hz
        idx = np.clip(np.searchsorted(ts, grid_t), 0, len(ts) - 1)
        return tuple(float(x) for x in np.where(grid_t >= ts[0], vals[idx], 0.0))
