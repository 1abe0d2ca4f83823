"""Helpers for the reports tests: realistic judgements and whole recorded sessions.

(A module of its own, not conftest.py: tests run with --import-mode=importlib, so
conftest is not importable; conftest.py puts this folder on sys.path.)
"""
from __future__ import annotations

import random
from pathlib import Path

from reports.store import SessionStore
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS

MOVE_NAMES = ["Bunny ears", "Hop hop", "Star jump", "Robot arms", "Twirl", "Big wave",
              "Stomp left", "Stomp right", "Penguin walk", "Freeze!"]


def tier_for(score: float) -> Tier:
    for threshold, tier in ((90, Tier.PERFECT), (75, Tier.GREAT), (55, Tier.GOOD), (35, Tier.OK)):
        if score >= threshold:
            return tier
    return Tier.MISS


def make_judgement(i: int, score: float, rng: random.Random | None = None, beat_s: float = 2.0) -> Judgement:
    rng = rng or random.Random(i)
    parts = {p: max(0.0, min(100.0, score + rng.uniform(-25, 20))) for p in BODY_PARTS}
    start = 4.0 + i * beat_s
    return Judgement(
        move_index=i, move_name=MOVE_NAMES[i % len(MOVE_NAMES)], score=score, tier=tier_for(score),
        parts=parts, offset_s=rng.uniform(-0.2, 0.3), time_s=start + beat_s + 0.1,
        start_s=start, end_s=start + beat_s, gold=(i % 4 == 3), combo=i,
        tip="Reach up high like a bunny!" if i % 2 == 0 else "Bend your knees and bounce!",
    )


def play(store: SessionStore, player: str, scores: list[float], *, group: str | None = None,
         choreography: str = "Bunny Hop", started_at: str | None = None, finish: bool = True,
         choreography_path: str | None = None) -> int:
    """Record a whole session the way the game does; returns its id."""
    rng = random.Random(hash((player, started_at)) & 0xFFFF)
    sid = store.start_session(player=player, group=group, choreography=choreography,
                              choreography_path=choreography_path, difficulty="easy",
                              latency_s=0.12, started_at=started_at)
    for i, sc in enumerate(scores):
        store.record_judgement(sid, make_judgement(i, sc, rng))
    if finish:
        total = sum(scores) / len(scores) if scores else 0.0
        store.finish_session(sid, total=total, stars=min(5, int(total // 20)))
    return sid
