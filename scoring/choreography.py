"""The choreography model every layer uses: frozen Moves inside a frozen Choreography.

Pure data: nothing here reads a file. ``content.load_choreography`` parses and checks a
YAML file into these types (with the reference pose track attached) and collects every
problem as a ``Diagnostic``; level-design warnings are kept on ``Choreography.warnings``.

    choreo = load_choreography("choreographies/demo/demo.yaml")   # from content
    for move in choreo.moves: ...   # frozen Moves, sorted by start, non-overlapping
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pose.errors import TrackError
from pose.track import PoseTrack
from scoring.parts import BODY_PARTS


# ---------------------------------------------------------------------------- diagnostics
@dataclass(frozen=True)
class Diagnostic:
    """One error or warning about a choreography file.

    line/col are 1-based, or None when the problem is about the whole file.
    path is the key path inside the document, e.g. ``moves[3].beats`` ("" for the root).
    """

    file: str
    line: int | None
    col: int | None
    path: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        loc = self.file if self.line is None else f"{self.file}:{self.line}:{self.col}"
        kind = "warning: " if self.severity == "warning" else ""
        where = f"{self.path}: " if self.path else ""
        return f"{loc}: {kind}{where}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col, "path": self.path,
                "message": self.message, "severity": self.severity}


# ---------------------------------------------------------------------------------- model
class PartWeights(Mapping[str, float]):
    """An immutable, hashable mapping body part -> weight (weights >= 0, in BODY_PARTS order)."""

    __slots__ = ("_items",)

    def __init__(self, weights: Mapping[str, float]) -> None:
        self._items = tuple((p, float(weights[p])) for p in BODY_PARTS if p in weights)

    def __getitem__(self, key: str) -> float:
        for p, w in self._items:
            if p == key:
                return w
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (p for p, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"PartWeights({dict(self._items)!r})"


ALL_PARTS = PartWeights({p: 1.0 for p in BODY_PARTS})


@dataclass(frozen=True)
class Move:
    """One judged move.

    index: position in ``Choreography.moves`` (time order).
    start_s/end_s: seconds into the media. start_beat/beats: as authored on the beat grid,
    or None for a move authored in seconds.
    parts: body part -> weight; all six BODY_PARTS with weight 1.0 when the author lists none.
    pictogram: absolute path inside the choreography folder, or None.
    """

    index: int
    name: str
    start_s: float
    end_s: float
    start_beat: float | None
    beats: float | None
    parts: Mapping[str, float]
    gold: bool
    tip: str
    pictogram: Path | None
    cue: str = ""  # what the move asks for in the choreography's mode (content.cues)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Choreography:
    """A loaded, checked choreography. Paths are absolute and inside ``folder``."""

    path: Path
    folder: Path
    format: int
    title: str
    artist: str | None
    video: Path | None
    audio: Path | None
    pose_track: Path
    cover: Path | None
    bpm: float
    offset_s: float
    mirror: bool
    difficulty: str
    duration_s: float
    moves: tuple[Move, ...]
    warnings: tuple[Diagnostic, ...] = ()
    _track: PoseTrack | None = field(default=None, repr=False, compare=False)
    mode: str = "dance"  # the game mode that plays it (game.modes)
    stage: str = "camera"  # what the play screen shows of the child: camera (the picture) | cutout

    @property
    def seconds_per_beat(self) -> float:
        return 60.0 / self.bpm

    def beat_to_s(self, beat: float) -> float:
        """Media time (s) of a beat; beat 0 is at ``offset_s``."""
        return self.offset_s + beat * 60.0 / self.bpm

    def s_to_beat(self, t_s: float) -> float:
        """Beat number (fractional) at media time ``t_s``."""
        return (t_s - self.offset_s) * self.bpm / 60.0

    def move_at(self, t_s: float) -> Move | None:
        """The move being danced at media time ``t_s`` (start inclusive, end exclusive)."""
        for m in self.moves:
            if m.start_s <= t_s < m.end_s:
                return m
        return None

    def load_track(self) -> PoseTrack:
        """The reference pose track, attached by the loader (``content.load_choreography``).

        Scoring reads no files: a Choreography built without its track says so.
        """
        if self._track is None:
            raise TrackError(f"{self.pose_track}: reference pose track not loaded "
                             "(load the choreography with content.load_choreography)")
        return self._track
