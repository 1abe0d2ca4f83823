"""What the scenes share across one run of the game: settings, the camera, the last result."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED = REPO_ROOT / "choreographies"


@dataclass
class GameConfig:
    """Settings from the command line.

    camera_source: camera index or video path; None = look for camera 0.
    stop_after_s: end the song early (headless smoke runs); None = play it all.
    shots_dir: save one screenshot per scene here (for looking at the screens).
    """

    choreographies: list[Path]
    selected: int = 0
    player: str | None = None  # None: nobody chose a name yet / a guest (stored as Guest)
    players: tuple = ()  # a battle's (left, right) names (--player A --player B); None = a guest
    difficulty: str | None = None
    camera_source: str | int | None = None
    headless: bool = False
    stop_after_s: float | None = None
    latency_s: float = 0.0
    store_path: Path | None = None
    use_store: bool = True
    shots_dir: Path | None = None
    # A video camera restarts at its end instead of "camera ended". None: loop when the
    # video is shorter than the song (a 2 s sample clip must not leave 57 s of "ended").
    loop_camera: bool | None = None
    tracker_factory: Any = None  # tests and benchmarks may pass their own; None = BodyTracker
    mode: str = "dance"  # the game mode the title opens on (game.modes)
    autoplay: bool = True  # headless: the title and step-in move on by themselves
    hand_source: Any = None  # game.input.sources.HandSource driving hands-free control, or None
    hands_free: bool = False  # the camera also runs the hand pipeline; the menus follow the hands
    # The dance mode shows the child cut out onto the stage (the camera runs segmentation too).
    # None: as the song says (its ``stage:``); True / False: --cutout / --no-cutout.
    cutout: bool | None = None


@dataclass
class Game:
    """Mutable state shared by scenes."""

    config: GameConfig
    app: Any = None  # the game.app.App running the scenes
    camera: Any = None  # game.camera.Camera once opened
    camera_error: str | None = None
    body_height_norm: float | None = None  # measured in the step-in scene
    last_result: Any = None
    last_session_path: Path | None = None
    play_scene: Any = None  # the latest PlayScene (for tests and the benchmark to read counters)
    player_chosen: bool | None = None  # None: chosen iff config.player was given (--player)
    avatar: str | None = None  # the dancer's avatar (game.scenes.profiles)
    shots_taken: set[str] = field(default_factory=set)
    _mode: Any = None

    @property
    def mode(self):
        """The game.modes.Mode being played (the title sets it; else config.mode)."""
        if self._mode is None or self._mode.name != self.config.mode:
            from game.modes import get

            self._mode = get(self.config.mode)
        return self._mode

    @mode.setter
    def mode(self, value) -> None:
        self._mode = value
        self.config.mode = value.name

    def shot(self, app, name: str) -> Path | None:
        """Save a screenshot of the current screen once per scene name (when asked to)."""
        if self.config.shots_dir is None or name in self.shots_taken:
            return None
        self.shots_taken.add(name)
        path = Path(self.config.shots_dir) / f"{name}.png"
        if getattr(app, "drawing", False):
            # Saved once the whole frame is drawn: overlays and the hand cursor included.
            app.after_draw.append(lambda: app.screenshot(path))
            return path
        return app.screenshot(path)


def find_choreographies(extra: list[Path] | None = None) -> list[Path]:
    """The bundled choreographies plus any under DANCE_HOME/choreographies, YAML paths sorted."""
    from pose.paths import dance_home

    found: list[Path] = []
    for root in (BUNDLED, dance_home() / "choreographies"):
        if root.is_dir():
            found.extend(sorted(p for p in root.glob("*/*.yaml") if p.is_file()))
    for p in extra or []:
        if p not in found:
            found.insert(0, p)
    return found


def resolve_choreography(arg: str | Path) -> Path:
    """A YAML path, or a folder holding exactly one YAML; a DanceError otherwise."""
    from pose.errors import DanceError

    p = Path(arg).expanduser()
    if p.is_dir():
        ymls = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
        if len(ymls) != 1:
            raise DanceError(f"{p}: expected one choreography .yaml in the folder, found {len(ymls)}")
        return ymls[0]
    if not p.is_file():
        raise DanceError(f"{p}: no such choreography")
    return p
