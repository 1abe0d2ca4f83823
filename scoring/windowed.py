"""What every cue-window scorer (Freeze Dance, Hand Jive, ...) shares with the dance scorer:
subscribers, judging the moves that are due, combo, points that only grow, an early stop,
and the SessionResult. A subclass says how one move is judged (``_judge``)."""
from __future__ import annotations

import math
from typing import Any, Callable

from scoring import judge
from scoring.events import Judgement, Tier
from scoring.processor import SessionResult


class WindowedScorer:
    """Base of a mode's scorer with the ScoreProcessor interface; subclasses implement
    ``_judge(i, time_s) -> Judgement`` (using ``_next_combo``) and ``push``."""

    player_mode = ""

    def __init__(self, choreo: Any, latency_s: float, difficulty: str | None) -> None:
        self.choreo = choreo
        self.moves = tuple(sorted(choreo.moves, key=lambda m: m.start_s))
        self.difficulty = judge.check_difficulty(difficulty or getattr(choreo, "difficulty", "normal") or "normal")
        self.latency_s = float(latency_s)
        self._subscribers: list[Callable[[Judgement], None]] = []
        self._next = 0
        self._combo = 0
        self._max_combo = 0
        self._judgements: list[Judgement] = []
        self._song_weight = sum(judge.GOLD_WEIGHT if m.gold else 1.0 for m in self.moves)
        self._points = 0.0
        self._last_t = -math.inf
        self._stopped_at_s: float | None = None
        self._result: SessionResult | None = None

    def subscribe(self, callback: Callable[[Judgement], None]) -> None:
        self._subscribers.append(callback)

    @property
    def judgements(self) -> tuple[Judgement, ...]:
        return tuple(self._judgements)

    @property
    def points(self) -> int:
        """0..judge.POINTS_MAX, only ever growing during a song."""
        return int(round(self._points))

    def finish(self, song_time_s: float | None = None, *, stopped: bool = False) -> SessionResult:
        """Judge what is left (stopped: only the moves that ended by the stop) and return the result."""
        if self._result is None:
            if stopped:
                end = song_time_s if song_time_s is not None and math.isfinite(song_time_s) else self._last_t
                self._stopped_at_s = float(max(0.0, end))
                self._judge_due(self._stopped_at_s)
            else:
                self._judge_due(math.inf)
            self._result = self._make_result()
        return self._result

    def _next_combo(self, tier: Tier) -> int:
        self._combo = judge.next_combo(self._combo, tier)
        self._max_combo = max(self._max_combo, self._combo)
        return self._combo

    def _judge(self, i: int, time_s: float) -> Judgement:  # pragma: no cover - abstract
        raise NotImplementedError

    def _judge_due(self, t: float) -> list[Judgement]:
        out = []
        while self._next < len(self.moves) and t >= self.moves[self._next].end_s:
            m = self.moves[self._next]
            out.append(self._judge(self._next, m.end_s if not math.isfinite(t) else min(t, m.end_s + 1.0)))
            self._next += 1
        for j in out:
            self._judgements.append(j)
            self._points += judge.move_points(j.score, j.gold, self._song_weight)
            for cb in self._subscribers:
                cb(j)
        return out

    def _make_result(self) -> SessionResult:
        js = self._judgements
        total = judge.session_total([j.score for j in js], [j.gold for j in js])
        counts = {t.name: 0 for t in sorted(Tier, reverse=True)}
        for j in js:
            counts[j.tier.name] += 1
        best: list[str] = []
        for j in sorted(js, key=lambda j: (-j.score, j.move_index)):
            if j.tier >= Tier.GOOD and j.move_name not in best:
                best.append(j.move_name)
        tips: list[str] = []
        for j in sorted(js, key=lambda j: (j.score, j.move_index)):
            if j.hint and j.hint not in tips:
                tips.append(j.hint)
        stopped = self._stopped_at_s is not None
        stars = judge.stars_for(self.points * 100.0 / judge.POINTS_MAX if stopped else total, self.difficulty)
        return SessionResult(total=float(total), stars=stars, judgements=tuple(js), tier_counts=counts,
                             max_combo=self._max_combo, best_moves=tuple(best[:3]), tips=tuple(tips[:3]),
                             difficulty=self.difficulty, title=str(getattr(self.choreo, "title", "")),
                             player_mode=self.player_mode, points=self.points, stopped_at_s=self._stopped_at_s)
