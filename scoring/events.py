"""Judgement tiers and the immutable judgement event the processor emits.

The HUD, effects, session store and reports all consume ``Judgement``; add fields freely,
never remove or rename one.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Mapping


class Tier(IntEnum):
    """Ordered judgement: compare with <, >."""

    MISS = 0
    OK = 1
    GOOD = 2
    GREAT = 3
    PERFECT = 4


@dataclass(frozen=True)
class Judgement:
    """One authored move, judged.

    score: 0–100; parts: body part -> 0–100 for the parts that counted;
    offset_s: the player's estimated timing offset for this move (+ = late);
    time_s: song time at which the judgement was made; start_s/end_s: the move on the song clock.
    """

    move_index: int
    move_name: str
    score: float
    tier: Tier
    parts: Mapping[str, float]
    offset_s: float
    time_s: float
    start_s: float
    end_s: float
    gold: bool = False
    combo: int = 0
    tip: str = ""
    # Added by the scoring engine: a kind instruction for the weakest part of the child's
    # body ("Lift your left arm higher!"; "" for a PERFECT) and which part that was.
    hint: str = ""
    weakest_part: str = ""
    # Similarity 0..1 of the aligned pose at each reference sample of the move, from
    # start_s at sample_rate_hz (0 where the player was not seen): a report's timeline.
    samples: tuple[float, ...] = ()
    sample_rate_hz: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        object.__setattr__(self, "samples", tuple(float(x) for x in self.samples))

    def to_dict(self) -> dict:
        return {
            "index": self.move_index,
            "name": self.move_name,
            "score": round(float(self.score), 2),
            "judgement": self.tier.name,
            "parts": {k: round(float(v), 2) for k, v in self.parts.items()},
            "offset_s": round(float(self.offset_s), 3),
            "time_s": round(float(self.time_s), 3),
            "start_s": round(float(self.start_s), 3),
            "end_s": round(float(self.end_s), 3),
            "gold": self.gold,
            "combo": self.combo,
            "tip": self.tip,
            "hint": self.hint,
            "weakest_part": self.weakest_part,
            "samples": [round(x, 3) for x in self.samples],
            "sample_rate_hz": self.sample_rate_hz,
        }
