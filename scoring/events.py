"""Judgement tiers and the immutable judgement record the scorers emit.

``Judgement`` is the one definition of a judged move. The HUD, effects, the session store,
the JSON and CSV exports and the score JSON all read it through ``scoring.record``, which
derives each format's fields from the metadata below, so a new field is written here once:
give it a default and a ``_rec(...)`` and every format carries it (in the store and the
exports it rides in ``extra`` unless it is given a column of its own). Add fields freely;
never remove or rename one (stored sessions and exports name them).
"""
from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any, Mapping


class Tier(IntEnum):
    """Ordered judgement: compare with <, >."""

    MISS = 0
    OK = 1
    GOOD = 2
    GREAT = 3
    PERFECT = 4


def _rec(kind: str, *, column: str | None = None, score_key: str | None = None, digits: int | None = None,
         default: Any = MISSING, factory: Any = None) -> Any:
    """A record field. kind: int | float | opt_float | str | bool | tier | parts | floats | extra.
    column: its column in the store's judgements table (None: kept in extra_json).
    score_key: its key in the score JSON (default: the field's name). digits: rounding in
    the score JSON (the store and exports keep full precision)."""
    meta = {"kind": kind, "column": column, "score_key": score_key, "digits": digits}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Judgement:
    """One authored move, judged.

    score: 0–100; parts: body part -> 0–100 for the parts that counted;
    offset_s: the player's estimated timing offset for this move (+ = late);
    time_s: song time at which the judgement was made; start_s/end_s: the move on the song
    clock (the scorers always set these four; a stored record imported without them has None);
    samples: (n,) similarity 0..1 of the aligned pose at each reference sample of the move,
    from start_s at sample_rate_hz (0 where the player was not seen): the one per-move
    similarity timeline reports draw;
    extra: fields this build does not know (written by a newer build or another scorer),
    kept as they came so that nothing stored is lost.
    """

    move_index: int = _rec("int", column="move_index", score_key="index")
    move_name: str = _rec("str", column="move_name", score_key="name")
    score: float = _rec("float", column="score", digits=2)
    tier: Tier = _rec("tier", column="tier", score_key="judgement")
    parts: Mapping[str, float] = _rec("parts", column="parts_json", digits=2)
    offset_s: float | None = _rec("opt_float", column="offset_s", digits=3)
    time_s: float | None = _rec("opt_float", column="time_s", digits=3)
    start_s: float | None = _rec("opt_float", column="start_s", digits=3)
    end_s: float | None = _rec("opt_float", column="end_s", digits=3)
    gold: bool = _rec("bool", column="gold", default=False)
    combo: int = _rec("int", column="combo", default=0)
    tip: str = _rec("str", column="tip", default="")
    # A kind instruction for the weakest part of the child's body ("Lift your left arm
    # higher!"; "" for a PERFECT) and which part that was.
    hint: str = _rec("str", default="")
    weakest_part: str = _rec("str", default="")
    samples: tuple[float, ...] = _rec("floats", digits=3, default=())
    sample_rate_hz: float = _rec("float", default=0.0)
    extra: Mapping[str, Any] = _rec("extra", factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.tier, Tier):
            raise TypeError(f"tier must be a Tier, got {type(self.tier).__name__}")
        object.__setattr__(self, "parts", MappingProxyType({str(k): float(v) for k, v in dict(self.parts).items()}))
        object.__setattr__(self, "samples", tuple(float(x) for x in self.samples))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        for name in ("offset_s", "time_s", "start_s", "end_s"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, float):
                object.__setattr__(self, name, float(v))
        if not (isinstance(self.sample_rate_hz, (int, float)) and math.isfinite(self.sample_rate_hz)
                and self.sample_rate_hz >= 0):
            raise ValueError(f"sample_rate_hz must be finite and >= 0, got {self.sample_rate_hz!r}")

    def to_dict(self) -> dict:
        """The move's entry in the score JSON (architecture.md: name, score, judgement,
        parts, offset_s, plus every other field of the record)."""
        from scoring.record import score_dict

        return score_dict(self)
