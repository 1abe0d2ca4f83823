"""The timeline of one practised move: count-in, the move, a short breath, looped.

Practice time runs at the slowed pace; coach time is the song's own (the video, the pose
track, the move's window). One loop covers coach time [lead_in_s, tail_s]: the
``count_in_beats`` beats before the move (clicked on the slowed beat), the move, and one
beat after it (the late part of the judging window). Practice time t inside a loop maps
to coach time ``lead_in_s + t * speed``, so the beat grid the child hears and the windows
the move is judged on are both the song's, slowed by ``1 / speed``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

COUNT_IN_BEATS = 4
TAIL_BEATS = 1.0


@dataclass(frozen=True)
class PracticePlan:
    """move_start_s/move_end_s: the move in coach (song) seconds; beat_s: coach seconds per
    beat; speed: 0 < speed <= 1; count_in_beats: clicks before the move."""

    move_start_s: float
    move_end_s: float
    beat_s: float
    speed: float
    count_in_beats: int = COUNT_IN_BEATS

    def __post_init__(self) -> None:
        if not (self.move_end_s > self.move_start_s and self.beat_s > 0):
            raise ValueError("a move needs end > start and a positive beat")
        if not (0.0 < self.speed <= 1.0 and math.isfinite(self.speed)):
            raise ValueError(f"speed must be in (0, 1], got {self.speed}")
        if self.count_in_beats < 1:
            raise ValueError("count_in_beats must be >= 1")

    @property
    def lead_in_s(self) -> float:
        """Coach time where a loop starts (may be < 0 for a move at the song's start)."""
        return self.move_start_s - self.count_in_beats * self.beat_s

    @property
    def tail_s(self) -> float:
        return self.move_end_s + TAIL_BEATS * self.beat_s

    @property
    def loop_s(self) -> float:
        """Practice seconds one loop lasts."""
        return (self.tail_s - self.lead_in_s) / self.speed

    @property
    def slowed_beat_s(self) -> float:
        return self.beat_s / self.speed

    @property
    def move_end_in_loop_s(self) -> float:
        return (self.move_end_s - self.lead_in_s) / self.speed

    def count_in_times_s(self) -> list[float]:
        """Practice seconds (from a loop's start) of the count-in clicks: 1, 2, 3, 4."""
        return [i * self.slowed_beat_s for i in range(self.count_in_beats)]

    def loop_of(self, practice_t_s: float) -> int:
        return max(0, int(math.floor(practice_t_s / self.loop_s + 1e-9)))

    def coach_time_s(self, practice_t_s: float) -> float:
        """Coach (song) time shown/judged at practice time ``practice_t_s``."""
        k = self.loop_of(practice_t_s)
        return self.lead_in_s + (practice_t_s - k * self.loop_s) * self.speed

    def pose_time(self, capture_s: float, latency_s: float) -> tuple[int, float]:
        """(loop, coach time) of a camera pose captured at practice time ``capture_s``.

        The latency (camera + inference) is a real-time delay, the same at any song speed:
        it comes off the practice time first, and only then is the slowing undone, so a
        0.1 s latency moves the coach time by 0.1 x speed, not by 0.1."""
        t = capture_s - latency_s
        return self.loop_of(max(0.0, t)), self.coach_time_s(max(0.0, t))

    def count_in_left(self, practice_t_s: float) -> int | None:
        """4, 3, 2, 1 during a loop's count-in, None once the move has begun."""
        inside = practice_t_s - self.loop_of(practice_t_s) * self.loop_s
        beat = int(inside / self.slowed_beat_s)
        return self.count_in_beats - beat if beat < self.count_in_beats else None


# -- the break-it-down progression ----------------------------------------------------------
STEP_KINDS = ("move", "chain", "section")
# A loop passes when every move in it is judged GOOD or better; this many passing loops
# pass the step. The full-speed section is the finale, played until it passes once.
LOOPS_TO_PASS = {"move": 2, "chain": 2, "section": 1}
DEFAULT_LOOPS = {"move": 6, "chain": 4, "section": 2}


@dataclass(frozen=True)
class PracticeStep:
    """One stage of a practice: ``moves`` (1-based move numbers, consecutive, ascending) of
    the choreography at ``choreo_path``, looped at ``speed`` for at most ``max_loops``
    loops, passed after ``loops_to_pass`` loops with every move GOOD or better.

    kind: "move" (one move alone), "chain" (the move with its neighbour), "section" (the
    move among its neighbours at full speed)."""

    choreo_path: str
    kind: str
    moves: tuple[int, ...]
    speed: float
    max_loops: int
    loops_to_pass: int

    def __post_init__(self) -> None:
        if self.kind not in STEP_KINDS:
            raise ValueError(f"step kind must be one of {STEP_KINDS}, got {self.kind!r}")
        m = tuple(int(i) for i in self.moves)
        if not m or m[0] < 1 or any(b != a + 1 for a, b in zip(m, m[1:])):
            raise ValueError(f"a step's moves must be consecutive move numbers from 1, got {self.moves}")
        object.__setattr__(self, "moves", m)
        if not (0.0 < self.speed <= 1.0 and math.isfinite(self.speed)):
            raise ValueError(f"speed must be in (0, 1], got {self.speed}")
        if self.max_loops < 1 or not 1 <= self.loops_to_pass:
            raise ValueError("a step needs max_loops >= 1 and loops_to_pass >= 1")


def section_moves(n_moves: int, move: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(chain, section) move numbers around ``move`` (1-based) of a song of ``n_moves``.

    The chain is the move with the one after it (the one before, for the last move). The
    section adds the neighbour on the other side: the three moves around it, so the move is
    danced coming in from the move before and going out into the move after. The format
    has no authored sections; a song of one or two moves has a shorter section."""
    if not 1 <= move <= n_moves:
        raise ValueError(f"move {move} is not in 1..{n_moves}")
    if n_moves == 1:
        return (move,), (move,)
    chain = (move, move + 1) if move < n_moves else (move - 1, move)
    lo, hi = max(1, min(chain) - 1), min(n_moves, max(chain) + 1)
    if hi - lo + 1 > 3:  # both neighbours exist: keep the move in the middle
        lo, hi = (move - 1, move + 1) if 1 < move < n_moves else (lo, lo + 2)
    return chain, tuple(range(lo, hi + 1))


def programme(choreo_path: str, n_moves: int, move: int, speed: float,
              kinds: tuple[str, ...] = STEP_KINDS, max_loops: int | None = None) -> tuple[PracticeStep, ...]:
    """The steps of practising ``move``: alone at ``speed``, chained with its neighbour at
    ``speed``, then its section at full speed (``kinds`` picks which, in this order).
    ``max_loops`` caps every step (else DEFAULT_LOOPS); a step that runs out of loops
    unpassed still hands on to the next (the done screen says which to keep practising).
    A chain or section that would repeat the move alone (a one-move song) is skipped."""
    bad = [k for k in kinds if k not in STEP_KINDS]
    if bad or not kinds:
        raise ValueError(f"steps must be among {', '.join(STEP_KINDS)}, got {', '.join(kinds) or 'none'}")
    chain, section = section_moves(n_moves, move)
    spans = {"move": ((move,), speed), "chain": (chain, speed), "section": (section, 1.0)}
    out: list[PracticeStep] = []
    for kind in STEP_KINDS:
        if kind not in kinds:
            continue
        moves, s = spans[kind]
        if kind != "move" and len(moves) == 1 and any(st.moves == moves and st.speed == s for st in out):
            continue
        loops = max_loops if max_loops is not None else DEFAULT_LOOPS[kind]
        out.append(PracticeStep(str(choreo_path), kind, moves, s, loops, LOOPS_TO_PASS[kind]))
    return tuple(out)
