"""Judgement policy as data: tier thresholds and stars per difficulty, combo, kind hints.

Everything a designer may want to tune lives in the tables below (plain dicts, so a test or
a future settings file can swap them); the functions only read them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from scoring.events import Tier

DIFFICULTIES: tuple[str, ...] = ("easy", "normal", "hard")

# Lowest move score (0-100) that earns each tier; below the OK line a move is a MISS.
TIER_THRESHOLDS: dict[str, dict[Tier, float]] = {
    "easy": {Tier.PERFECT: 85.0, Tier.GREAT: 70.0, Tier.GOOD: 50.0, Tier.OK: 30.0},
    "normal": {Tier.PERFECT: 90.0, Tier.GREAT: 78.0, Tier.GOOD: 60.0, Tier.OK: 40.0},
    "hard": {Tier.PERFECT: 94.0, Tier.GREAT: 85.0, Tier.GOOD: 70.0, Tier.OK: 50.0},
}

# Lowest session total (0-100) for 1..5 stars.
STAR_THRESHOLDS: dict[str, tuple[float, ...]] = {
    "easy": (15.0, 35.0, 55.0, 70.0, 85.0),
    "normal": (20.0, 40.0, 60.0, 75.0, 88.0),
    "hard": (25.0, 45.0, 65.0, 80.0, 92.0),
}

# How much each body part counts relative to the others, multiplied into a move's authored
# part weights. Arms and legs carry a dance; the head is the least reliable part of a
# camera pose (ears and nose from behind or the side) and rarely what a move is about.
PART_IMPORTANCE: dict[str, float] = {
    "left_arm": 1.0, "right_arm": 1.0, "left_leg": 1.0, "right_leg": 1.0, "torso": 0.5, "head": 0.25,
}

# A gold move counts this many times in the session total.
GOLD_WEIGHT = 2.0

# Points, the number a child watches climb: each move earns up to its share of POINTS_MAX
# (a gold move a GOLD_WEIGHT share), so the count never goes down during a song, and once
# every move is judged points == round(total x 100): a perfect song is exactly 10,000.
POINTS_MAX = 10_000

# A judgement at or above this tier keeps the combo going.
COMBO_MIN_TIER = Tier.GOOD

# Signed differences (player - coach) smaller than these are not worth a hint.
_MIN_LIFT = 0.12  # difference of a limb's up-component (unit vectors, -1..1)
_MIN_BEND_RAD = 0.25  # difference of a joint angle

# What a judgement is called wherever a person reads it: the game's results screen and the
# teacher's reports use these same words.
TIER_LABELS: dict[Tier, str] = {
    Tier.PERFECT: "PERFECT", Tier.GREAT: "GREAT", Tier.GOOD: "GOOD", Tier.OK: "OK", Tier.MISS: "missed",
}

PRAISE: dict[Tier, str] = {
    Tier.PERFECT: "Perfect! You're a star!",
    Tier.GREAT: "Great moves!",
    Tier.GOOD: "Good job, keep going!",
    Tier.OK: "Nice try, you can do it!",
    Tier.MISS: "Let's try that one again together!",
}


def check_difficulty(difficulty: str) -> str:
    if difficulty not in TIER_THRESHOLDS:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}")
    return difficulty


def tier_for(score: float, difficulty: str = "normal") -> Tier:
    """Move score 0-100 -> tier by the difficulty's table (NaN -> MISS)."""
    table = TIER_THRESHOLDS[check_difficulty(difficulty)]
    if not np.isfinite(score):
        return Tier.MISS
    for tier in sorted(table, reverse=True):
        if score >= table[tier]:
            return tier
    return Tier.MISS


def stars_for(total: float, difficulty: str = "normal") -> int:
    """Session total 0-100 -> 0..5 stars."""
    if not np.isfinite(total):
        return 0
    return int(sum(total >= t for t in STAR_THRESHOLDS[check_difficulty(difficulty)]))


def next_combo(combo: int, tier: Tier) -> int:
    return combo + 1 if tier >= COMBO_MIN_TIER else 0


def move_points(score: float, gold: bool, song_weight: float) -> float:
    """Points (unrounded) a move scoring ``score`` 0-100 earns in a song whose moves weigh
    ``song_weight`` in all (one per move, GOLD_WEIGHT per gold move)."""
    if not np.isfinite(score) or song_weight <= 0:
        return 0.0
    w = GOLD_WEIGHT if gold else 1.0
    return POINTS_MAX * w * float(np.clip(score, 0.0, 100.0)) / 100.0 / song_weight


def format_points(points: float) -> str:
    """Points as the game, results and reports all show them: a whole number, thousands
    separated ("7,420")."""
    return f"{int(round(points)):,}"


def session_total(scores: list[float], gold: list[bool]) -> float:
    """Weighted mean of move scores, gold moves counting GOLD_WEIGHT times; no moves -> 0."""
    if not scores:
        return 0.0
    w = np.array([GOLD_WEIGHT if g else 1.0 for g in gold])
    return float(np.dot(np.nan_to_num(np.asarray(scores, dtype=np.float64)), w) / w.sum())


@dataclass(frozen=True)
class PartDiff:
    """How the player's body part differed from the coach's, averaged over a move.

    lift: player - coach up-component of the part's end (wrist, ankle, nose; -2..2);
        negative = the player's limb was lower.
    bend_rad: player - coach angle of the part's middle joint (elbow, knee; radians);
        negative = the player bent it more (an angle of pi is straight).
    lean: player - coach up-component of the spine (torso only); negative = leaning more.
    """

    lift: float = 0.0
    bend_rad: float = 0.0
    lean: float = 0.0


@dataclass(frozen=True)
class HintRule:
    """One line of the hint table: when ``quantity`` of the PartDiff is past ``threshold``
    on the side ``sign`` (-1: player below / less, +1: above / more), say ``text``.

    ``{side}`` in the text is the player's left or right. ``over``: the rule applies only
    when |quantity| * over_factor >= |PartDiff.over| (one difference dominates another).
    """

    quantity: str  # "lift" | "bend_rad" | "lean"
    sign: int
    threshold: float
    text: str
    over: str | None = None
    over_factor: float = 1.0


def _both(quantity: str, threshold: float, below: str, above: str, **kw) -> tuple[HintRule, HintRule]:
    return HintRule(quantity, -1, threshold, below, **kw), HintRule(quantity, +1, threshold, above, **kw)


# Part kind -> (rules tried in order, the text when none applies). Kind, specific words a
# child can act on; edit the table, not the code, to change what the game says.
HINTS: dict[str, tuple[tuple[HintRule, ...], str]] = {
    "arm": ((*_both("lift", _MIN_LIFT, "Lift your {side} arm higher!", "Bring your {side} arm down a little!",
                    over="bend_rad", over_factor=2.0),
             *_both("bend_rad", _MIN_BEND_RAD, "Stretch your {side} arm out straight!", "Bend your {side} elbow more!")),
            "Watch the coach's {side} arm and copy it!"),
    "leg": ((*_both("bend_rad", _MIN_BEND_RAD, "Straighten your {side} leg!", "Bend your knees more!"),
             *_both("lift", _MIN_LIFT, "Lift your {side} knee higher!", "Keep your {side} foot nearer the floor!")),
            "Step with your {side} leg like the coach!"),
    "torso": (_both("lean", _MIN_LIFT, "Stand up tall!", "Lean your body more, like the coach!"),
              "Turn your body like the coach!"),
    "head": ((HintRule("lift", -1, _MIN_LIFT + 1e-12, "Keep your head up and look at the screen!"),),
             "Move your head like the coach!"),
}
DEFAULT_HINT = "Keep dancing!"


def hint_for(part: str, diff: PartDiff | None) -> str:
    """A short, kind, specific instruction for the child's weakest part (see HINTS)."""
    side, _, limb = part.partition("_")
    kind = limb if limb in ("arm", "leg") and side in ("left", "right") else part
    if kind not in HINTS:
        return DEFAULT_HINT
    rules, fallback = HINTS[kind]
    if diff is not None:
        for r in rules:
            v = float(getattr(diff, r.quantity))
            if abs(v) < r.threshold or np.sign(v) != r.sign:
                continue
            if r.over is not None and abs(v) * r.over_factor < abs(float(getattr(diff, r.over))):
                continue
            return r.text.format(side=side)
    return fallback.format(side=side)


def weakest_part(parts: Mapping[str, float]) -> str | None:
    if not parts:
        return None
    return min(parts, key=lambda p: parts[p])
