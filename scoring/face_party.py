"""Face Party scoring: copy the coach's face on the beat (big O mouth, smile, eyebrows up,
wink, head tilt), judged from the face mesh's signals (pose.face.signals).

Each move's cue names the face. Every camera frame gives a match value in [0, 1] for that
face (the signal against the level that counts as "showing it", ``FULL``); a move is judged
on when the face first showed (timing, as in Hand Jive) and how much of the rest of the
window it was held. Input: pose.face.FaceResult per camera frame (None: no frame). Pure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring import judge
from scoring.events import Judgement, Tier
from scoring.windowed import WindowedScorer

# Signal level (FaceSignals, [0, 1] or radians) that counts as fully showing each face.
FULL = {"big_o": 0.55, "smile": 0.6, "eyebrows_up": 0.6, "wink": 0.6, "head_tilt": 0.25}
WORDS = {"big_o": "Big O mouth", "smile": "Big smile", "eyebrows_up": "Eyebrows up", "wink": "Wink",
         "head_tilt": "Head tilt"}
HINTS = {"big_o": "Open your mouth wide like an O!", "smile": "Show me your biggest smile!",
         "eyebrows_up": "Lift your eyebrows up high - surprise!", "wink": "Close just one eye!",
         "head_tilt": "Tilt your head to the side!"}


@dataclass(frozen=True)
class FacePolicy:
    sustain_s: float = 0.2
    early_s: float = 0.25
    on_time_s: float = 0.5
    late_s: float = 1.5
    timing_weight: float = 0.4
    sample_rate_hz: float = 10.0


POLICY = FacePolicy()


def match(cue: str, signals: Any) -> float:
    """How much ``signals`` (FaceSignals or None) show the cued face, 0..1."""
    if signals is None:
        return 0.0
    if cue == "big_o":
        v = signals.mouth_open
    elif cue == "smile":
        v = signals.smile
    elif cue == "eyebrows_up":
        v = signals.brows_raised
    elif cue == "wink":
        v = abs(signals.left_eye_closed - signals.right_eye_closed)
    elif cue == "head_tilt":
        v = abs(signals.roll_rad)
    else:
        raise ValueError(f"not a face_party cue: {cue!r}")
    return float(np.clip(v / FULL[cue], 0.0, 1.0))


class FacePartyScorer(WindowedScorer):
    player_mode = "face_party"

    def __init__(self, choreo: Any, ref_track: Any = None, latency_s: float = 0.0,
                 difficulty: str | None = None, policy: FacePolicy = POLICY) -> None:
        super().__init__(choreo, latency_s, difficulty)
        bad = [m.cue for m in self.moves if m.cue not in FULL]
        if bad:
            raise ValueError(f"face_party moves need a face cue ({', '.join(FULL)}), got {bad}")
        self.policy = policy
        self._frames: list[tuple[float, Any]] = []  # (t, FaceSignals | None)
        self._live_score: float | None = None

    @property
    def live_score(self) -> float | None:
        return self._live_score

    @property
    def live_parts(self) -> dict[str, float]:
        return {}

    def move_index_at(self, t: float) -> int | None:
        for i, m in enumerate(self.moves):
            if m.start_s - self.policy.early_s <= t < m.end_s:
                return i
        return None

    @property
    def current_move(self):
        i = self.move_index_at(self._last_t)
        return None if i is None else self.moves[i]

    def push(self, face: Any, song_time_s: float) -> list[Judgement]:
        if self._result is not None or not math.isfinite(song_time_s):
            return []
        t = float(song_time_s) - self.latency_s
        if t <= self._last_t:
            return []
        self._last_t = t
        signals = getattr(face, "signals", None)
        self._frames.append((t, signals))
        i = self.move_index_at(t)
        self._live_score = None if i is None or signals is None else match(self.moves[i].cue, signals)
        return self._judge_due(t)

    def _judge(self, i: int, time_s: float) -> Judgement:
        m, p = self.moves[i], self.policy
        window = [(t, match(m.cue, s), s is not None) for t, s in self._frames if m.start_s - p.early_s <= t < m.end_s]
        onset, run = None, None
        for t, v, _ in window:
            if v >= 1.0:
                run = t if run is None else run
                if t - run >= p.sustain_s - 1e-9:
                    onset = run
                    break
            else:
                run = None
        if onset is not None:
            late = max(0.0, onset - m.start_s - p.on_time_s)
            timing = float(np.clip(1.0 - late / (p.late_s - p.on_time_s), 0.0, 1.0))
            after = [v for t, v, _ in window if t >= onset]
            score = 100.0 * (p.timing_weight * timing + (1 - p.timing_weight) * float(np.mean(after)))
            offset_s = onset - m.start_s
        else:
            best = max((v for _, v, _ in window), default=0.0)
            score = 100.0 * 0.5 * best  # trying counts, a little
            offset_s = m.duration_s
        tier = judge.tier_for(score, self.difficulty)
        combo = self._next_combo(tier)
        if not any(seen for _, _, seen in window):
            hint = "Look at the camera so it can see your face!"
        elif tier == Tier.PERFECT:
            hint = ""
        elif onset is not None and offset_s > p.on_time_s:
            hint = f"Quicker! {WORDS[m.cue]} right on the beat!"
        else:
            hint = HINTS[m.cue]
        grid: tuple[float, ...] = ()
        if window:
            ts = np.array([t for t, _, _ in window])
            vals = np.array([v for _, v, _ in window])
            gt = m.start_s + np.arange(int(m.duration_s * p.sample_rate_hz)) / p.sample_rate_hz
            idx = np.clip(np.searchsorted(ts, gt), 0, len(ts) - 1)
            grid = tuple(float(x) for x in np.where(gt >= ts[0], vals[idx], 0.0))
        return Judgement(move_index=m.index, move_name=m.name, score=float(score), tier=tier, parts={"head": score},
                         offset_s=float(offset_s), time_s=float(time_s), start_s=m.start_s, end_s=m.end_s,
                         gold=bool(m.gold), combo=combo, tip=m.tip, hint=hint, samples=grid,
                         sample_rate_hz=p.sample_rate_hz if grid else 0.0)
