"""Hand Jive scoring: show the cued gesture with the cued hand(s), on the beat.

Each authored move is a window with a cue ``gesture/hand`` (content.cues): gesture one of
thumbs_up, victory, open_palm, fist, point_up; hand left, right (the child's own hand) or
both. A move is judged on

- timing: when the right gesture first showed (held at least ``SUSTAIN_S``), against the
  window's start; on time within ``ON_TIME_S``, no timing credit ``LATE_S`` after it;
- hold: the share of the rest of the window the gesture was kept up.

The right gesture on the wrong hand earns part of the credit and a hint that says so.
Input: pose.hands.HandsResult per camera frame (None: no camera frame / nobody). Pure,
deterministic; the same judgements, tiers, combo and stars as the dance game.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring import judge
from scoring.events import Judgement, Tier
from scoring.windowed import WindowedScorer

GESTURE_OF_CUE = {"thumbs_up": "Thumb_Up", "victory": "Victory", "open_palm": "Open_Palm",
                  "fist": "Closed_Fist", "point_up": "Pointing_Up"}
WORDS = {"thumbs_up": "Thumbs up", "victory": "Peace sign", "open_palm": "High five",
         "fist": "Fist", "point_up": "Point up"}


@dataclass(frozen=True)
class JivePolicy:
    sustain_s: float = 0.2     # a gesture counts once held this long
    early_s: float = 0.25      # a gesture may start this much before the beat
    on_time_s: float = 0.35    # full timing credit within this of the window's start
    late_s: float = 1.2        # no timing credit this late
    wrong_hand_credit: float = 0.4
    timing_weight: float = 0.5
    sample_rate_hz: float = 10.0


POLICY = JivePolicy()


@dataclass(frozen=True)
class Cue:
    gesture: str  # the gesture classifier's name (Thumb_Up, ...)
    hand: str     # left | right | both
    word: str

    @classmethod
    def parse(cls, cue: str) -> "Cue":
        g, _, hand = cue.partition("/")
        if g not in GESTURE_OF_CUE or hand not in ("left", "right", "both"):
            raise ValueError(f"not a hand_jive cue: {cue!r}")
        return cls(GESTURE_OF_CUE[g], hand, WORDS[g])


def _parts(hand: str, score: float) -> dict[str, float]:
    """The judged hand as the body part reports know (a hand is the end of its arm)."""
    sides = ("left", "right") if hand == "both" else (hand,)
    return {f"{s}_arm": float(score) for s in sides}


def _shown(result: Any) -> dict[str, str]:
    """hand side -> this frame's gesture, from a HandsResult (or {} for None)."""
    out: dict[str, str] = {}
    for h in getattr(result, "hands", ()) or ():
        side = "left" if int(h.handedness) == 0 else "right"
        out[side] = str(getattr(h, "gesture_raw", "") or getattr(h, "gesture", ""))
    return out


class HandJiveScorer(WindowedScorer):
    """Scores one play of a Hand Jive song; the ScoreProcessor interface."""

    player_mode = "hand_jive"

    def __init__(self, choreo: Any, ref_track: Any = None, latency_s: float = 0.0,
                 difficulty: str | None = None, policy: JivePolicy = POLICY) -> None:
        super().__init__(choreo, latency_s, difficulty)
        self.cues = [Cue.parse(m.cue) for m in self.moves]
        self.policy = policy
        self._frames: list[tuple[float, dict[str, str]]] = []
        self._live_score: float | None = None

    @property
    def live_score(self) -> float | None:
        return self._live_score

    @property
    def live_parts(self) -> dict[str, float]:
        return {}

    @property
    def current_move(self):
        i = self.move_index_at(self._last_t)
        return None if i is None else self.moves[i]

    def move_index_at(self, t: float) -> int | None:
        for i, m in enumerate(self.moves):
            if m.start_s - self.policy.early_s <= t < m.end_s:
                return i
        return None

    def shown_now(self) -> dict[str, str]:
        return dict(self._frames[-1][1]) if self._frames else {}

    def push(self, hands: Any, song_time_s: float) -> list[Judgement]:
        if self._result is not None or not math.isfinite(song_time_s):
            return []
        t = float(song_time_s) - self.latency_s
        if t <= self._last_t:
            return []
        self._last_t = t
        shown = _shown(hands)
        self._frames.append((t, shown))
        i = self.move_index_at(t)
        self._live_score = None if i is None else self._match(self.cues[i], shown)
        return self._judge_due(t)

    # -- judging -----------------------------------------------------------------------------
    def _match(self, cue: Cue, shown: dict[str, str]) -> float:
        """1 = the right gesture on the right hand(s); wrong_hand_credit = right gesture,
        other hand; 0 otherwise."""
        sides = ("left", "right") if cue.hand == "both" else (cue.hand,)
        if all(shown.get(s) == cue.gesture for s in sides):
            return 1.0
        if any(g == cue.gesture for g in shown.values()):
            return self.policy.wrong_hand_credit
        return 0.0

    def _judge(self, i: int, time_s: float) -> Judgement:
        m, cue, p = self.moves[i], self.cues[i], self.policy
        window = [(t, self._match(cue, s), s) for t, s in self._frames if m.start_s - p.early_s <= t < m.end_s]
        onset = None
        run_start = None
        best_partial = 0.0
        for t, v, _ in window:
            best_partial = max(best_partial, v)
            if v >= 1.0:
                run_start = t if run_start is None else run_start
                if t - run_start >= p.sustain_s - 1e-9:
                    onset = run_start
                    break
            else:
                run_start = None
        if onset is not None:
            late = max(0.0, onset - m.start_s - p.on_time_s)
            timing = float(np.clip(1.0 - late / (p.late_s - p.on_time_s), 0.0, 1.0))
            after = [v for t, v, _ in window if t >= onset]
            hold = float(np.mean(after)) if after else 0.0
            score = 100.0 * (p.timing_weight * timing + (1 - p.timing_weight) * hold)
            offset_s = onset - m.start_s
        else:
            score = 100.0 * best_partial * (1 - p.timing_weight) * 0.5 if best_partial else 0.0
            offset_s = m.duration_s
        tier = judge.tier_for(score, self.difficulty)
        combo = self._next_combo(tier)
        hand_words = {"left": "your left hand", "right": "your right hand", "both": "both hands"}[cue.hand]
        if not any(s for _, _, s in window):
            hint = "Hold your hands up where the camera can see them!"
        elif tier == Tier.PERFECT:
            hint = ""
        elif onset is None and best_partial > 0:
            hint = f"{cue.word} with {hand_words}!"
        elif onset is None:
            hint = f"Make a {cue.word.lower()} with {hand_words}!"
        elif offset_s > p.on_time_s:
            hint = f"Be quicker: {cue.word.lower()} right on the beat!"
        else:
            hint = f"Keep your {cue.word.lower()} up until the next cue!"
        grid = self._grid(m, window)
        return Judgement(
            move_index=m.index, move_name=m.name, score=float(score), tier=tier,
            parts=_parts(cue.hand, score),
            offset_s=float(offset_s), time_s=float(time_s), start_s=m.start_s, end_s=m.end_s,
            gold=bool(m.gold), combo=combo, tip=m.tip, hint=hint, weakest_part="",
            samples=grid, sample_rate_hz=p.sample_rate_hz if grid else 0.0,
        )

    def _grid(self, m, window) -> tuple[float, ...]:
        if not window:
            return ()
        ts = np.array([t for t, _, _ in window])
        vals = np.array([v for _, v, _ in window])
        grid_t = m.start_s + np.arange(int(m.duration_s * self.policy.sample_rate_hz)) / self.policy.sample_rate_hz
        idx = np.clip(np.searchsorted(ts, grid_t), 0, len(ts) - 1)
        return tuple(float(x) for x in np.where(grid_t >= ts[0], vals[idx], 0.0))
