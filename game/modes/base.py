"""A game mode: one object that tells the shell everything a game needs.

The shell (app, title, step-in, pause, results, session store) runs any mode the same way:
it lists the songs whose ``mode:`` is the mode's ``content_kind``, opens the camera with the
mode's ``pipelines``, and hands the chosen song to ``play_scene``. The play scene scores with
the mode's ``make_scorer`` and ends on the mode's ``results_scene``. Nothing in the shell
asks which mode is running.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

PIPELINES = ("body", "face", "hands", "segmentation")
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


class Scorer(Protocol):
    """What a play scene needs from a mode's scorer (scoring.processor.ScoreProcessor fits).

    push(observation, song_time_s) -> judgements due; finish(song_time_s) -> SessionResult;
    subscribe(callback(Judgement)); live_score 0..1 or None; live_parts part -> 0..1.
    """

    def push(self, observation: Any, song_time_s: float) -> list: ...

    def finish(self, song_time_s: float | None = None) -> Any: ...

    def subscribe(self, callback: Callable[[Any], None]) -> None: ...


def default_results(app, game, result, choreo, **options):
    """The shared results screen; options pass through (e.g. watched=True: nobody was scored)."""
    from game.scenes.results import ResultsScene

    return ResultsScene(app, game, result, choreo, **options)


@dataclass(frozen=True)
class Mode:
    """One game mode.

    name: id used on the command line and in YAML (``mode: freeze``), [a-z0-9_].
    title / tagline: what the title screen shows. colour: its tab's RGB.
    pipelines: vision pipelines the camera worker runs for it (subset of PIPELINES).
    content_kind: the ``mode:`` value of the songs it plays (usually ``name``).
    play_scene(app, game, choreo_path) -> Scene: one play of one song.
    make_scorer(choreo, ref_track, latency_s, difficulty) -> Scorer.
    results_scene(app, game, result, choreo, watched=bool) -> Scene: the shared results screen by default.
    template(title, bpm) -> YAML text for ``dance new --mode NAME`` (None: no template).
    min_fps: below this camera rate its judgements are not fair; the play screen says so.
    step_in_scene(app, game, choreo_path) -> Scene: its own step-in (None: the shared one).
    max_people: how many children it follows at once (2: the camera runs a PlayerTracker and
        publishes a pose.body.players.Players per frame instead of one PoseFrame).
    how_to: one line telling a child how to play (title screen, under the tabs).
    """

    name: str
    title: str
    pipelines: tuple[str, ...]
    play_scene: Callable[..., Any]
    make_scorer: Callable[..., Scorer]
    content_kind: str = ""
    tagline: str = ""
    how_to: str = ""
    colour: tuple[int, int, int] = (255, 92, 170)
    results_scene: Callable[..., Any] = default_results
    template: Callable[[str, float], str] | None = None
    min_fps: float = 25.0
    max_people: int = 1
    step_in_scene: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if not self.name or not set(self.name) <= NAME_CHARS:
            raise ValueError(f"mode name must be [a-z0-9_]+, got {self.name!r}")
        bad = [p for p in self.pipelines if p not in PIPELINES]
        if bad or not self.pipelines:
            raise ValueError(f"mode {self.name}: pipelines must be some of {PIPELINES}, got {self.pipelines}")
        object.__setattr__(self, "pipelines", tuple(self.pipelines))
        if not isinstance(self.max_people, int) or not 1 <= self.max_people <= 4:
            raise ValueError(f"mode {self.name}: max_people must be 1..4, got {self.max_people!r}")
        if not self.content_kind:
            object.__setattr__(self, "content_kind", self.name)
        for attr in ("play_scene", "make_scorer", "results_scene"):
            if not callable(getattr(self, attr)):
                raise ValueError(f"mode {self.name}: {attr} must be callable")

    def plays(self, choreo_mode: str) -> bool:
        return choreo_mode == self.content_kind

    def songs(self, paths: list[Path]) -> list[Path]:
        """The choreographies among ``paths`` this mode plays (unreadable ones count as dance,
        so the dance picker shows them with their error)."""
        return [p for p in paths if self.plays(song_mode(p))]


def song_mode(path: Path) -> str:
    """The ``mode:`` a choreography file declares, read cheaply (no media); "dance" if none
    or if the file cannot be read (its loader will say what is wrong)."""
    import yaml

    try:
        with open(path, encoding="utf-8-sig") as fh:
            for line in fh:
                if line.startswith("mode:"):
                    value = yaml.safe_load(line.split(":", 1)[1])
                    return str(value) if value else "dance"
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass
    return "dance"
