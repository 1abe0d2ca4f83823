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
