"""The game loop and the scene stack.

One loop for every scene: events go to the top scene; gameplay updates at a fixed step
(``FIXED_DT_S``) with a lag accumulator and a catch-up cap, so a slow frame never makes the
simulation spiral; drawing happens once per loop at whatever rate the machine manages and
gets ``alpha`` (how far between two updates we are) for smooth motion.

Headless runs (``headless=True``) use a simulated clock that advances exactly one frame
period per loop, so a run is deterministic and as fast as the machine allows.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Protocol, Sequence

from game.input.actions import ActionEvent
from pose.errors import DanceError

FIXED_DT_S = 1.0 / 60.0
MAX_UPDATES_PER_FRAME = 5  # catch-up cap: past this we drop simulated time instead of spiralling
DEFAULT_SIZE_PX = (1280, 720)


class FrameSink(Protocol):
    """Something that wants every drawn frame (the --record video writer)."""

    def write(self, surface) -> None: ...


class Scene:
    """A screen of the game. Owns its input, update and draw; the App owns the loop.

    ``transparent`` scenes (the pause overlay) are drawn over the scene below them.
    """

    transparent = False

    def __init__(self, app: "App") -> None:
        self.app = app

    def enter(self) -> None:
        """Called when the scene becomes the top of the stack (again)."""

    def leave(self) -> None:
        """Called when the scene is popped or covered."""

    def handle(self, event) -> None:
        """One pygame event: the input layer turns it into actions for ``on_action``."""
        for action in self.app.input.translate(event, self.targets()):
            self.on_action(action)

    def on_action(self, action: ActionEvent) -> None:
        """One named action (keys, mouse, touch and hands all arrive here)."""

    def targets(self) -> Sequence[object]:
        """What a pointer can choose on this screen (objects with a pygame ``rect``)."""
        return ()

    def update(self, dt_s: float) -> None:
        """Advance by the fixed step ``dt_s`` seconds."""

    def draw(self, screen, alpha: float) -> None:
        """Draw the scene; ``alpha`` in [0, 1) is the fraction of a step since the last update."""


class App:
    """Owns the window, the clock, and a stack of scenes.

    headless: no window (SDL dummy driver), simulated time at ``frame_rate_hz``.
    simulated_clock: override the clock choice (None: simulated iff headless); the benchmark
        renders off-screen on the real clock.
    sink: receives every drawn frame (recording).
    """

    def __init__(
        self,
        size_px: tuple[int, int] = DEFAULT_SIZE_PX,
        *,
        headless: bool = False,
        frame_rate_hz: float = 60.0,
        sink: FrameSink | None = None,
        title: str = "DanceStudio",
        simulated_clock: bool | None = None,
    ) -> None:
        if headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ["SDL_AUDIODRIVER"] = "dummy"
        import pygame

        self.pg = pygame
        try:
            pygame.display.init()
        except pygame.error as e:
            raise DanceError(f"cannot open a window ({e}); to play off-screen use --headless --camera FILE") from None
        if not headless and not os.environ.get("SDL_VIDEODRIVER") and pygame.display.get_driver() in ("offscreen", "dummy"):
            # SDL found no screen and fell back to drawing nowhere: the game would run unseen.
            pygame.display.quit()
            raise DanceError("no screen to open the game window on (is DISPLAY set?); "
                             "to play off-screen use --headless --camera FILE")
        pygame.font.init()
        self.headless = headless
        self.simulated = headless if simulated_clock is None else bool(simulated_clock)
        self.size_px = (int(size_px[0]), int(size_px[1]))
        offscreen = headless or os.environ.get("SDL_VIDEODRIVER") == "dummy"
        flags = 0 if offscreen else pygame.RESIZABLE | pygame.SCALED
        self.screen = pygame.display.set_mode(self.size_px, flags)
        pygame.display.set_caption(title)
        self.frame_period_s = 1.0 / float(frame_rate_hz)
        self.sink = sink
        self.scenes: list[Scene] = []
        self.running = False
        self.frames_drawn = 0
        self.exit_code = 0
        self._sim_time_s = 0.0
        self._t0 = time.perf_counter()
        self.draw_times_ms: list[float] = []  # per-frame draw cost, for the benchmark
        self.frame_times_ms: list[float] = []  # per-frame work: events + updates + draw + flip
        self.frame_cpu_ms: list[float] = []  # the same, in this thread's CPU time (immune to a busy machine)
        self.on_frame: list[Callable[["App"], None]] = []
        self.after_draw: list[Callable[[], None]] = []  # one-shot calls once this frame is drawn
        self.drawing = False
        from game.input.layer import InputLayer

        # One input stream for every scene; a window losing focus pauses only a real window.
        self.input = InputLayer(self.size_px, pause_on_focus_loss=not headless)

    # -- clock ---------------------------------------------------------------------------
    def now_s(self) -> float:
        """Seconds since the app started: wall time live, simulated time headless."""
        if self.simulated:
            return self._sim_time_s
        return time.perf_counter() - self._t0

    # -- scene stack ---------------------------------------------------------------------
    @property
    def top(self) -> Scene | None:
        return self.scenes[-1] if self.scenes else None

    def push(self, scene: Scene) -> None:
        if self.top is not None:
            self.top.leave()
        self.scenes.append(scene)
        scene.enter()

    def pop(self) -> Scene | None:
        if not self.scenes:
            return None
        scene = self.scenes.pop()
        scene.leave()
        if self.top is not None:
            self.top.enter()
        else:
            self.running = False
        return scene

    def replace(self, scene: Scene) -> None:
        if self.scenes:
            self.scenes.pop().leave()
        self.scenes.append(scene)
        scene.enter()

    def quit(self, exit_code: int = 0) -> None:
        self.exit_code = exit_code
        self.running = False

    # -- loop ----------------------------------------------------------------------------
    def run(self, first: Scene | None = None, *, max_frames: int | None = None) -> int:
        """Run until a scene quits or the stack empties; returns the exit code."""
        pg = self.pg
        if first is not None:
            self.push(first)
        self.running = True
        lag_s = 0.0
        last_s = self.now_s()
        while self.running and self.scenes:
            if max_frames is not None and self.frames_drawn >= max_frames:
                break
            t_frame = time.perf_counter()
            cpu_frame = time.thread_time()
            if self.simulated:
                self._sim_time_s += self.frame_period_s
            now = self.now_s()
            lag_s += now - last_s
            last_s = now
            for event in pg.event.get():
                if event.type == pg.QUIT:
                    self.quit(0)
                elif self.top is not None:
                    self.top.handle(event)
            if self.top is not None:
                for action in self.input.poll(self.now_s(), self.top.targets()):
                    if self.top is None:
                        break
                    self.top.on_action(action)
            steps = 0
            while lag_s >= FIXED_DT_S and steps < MAX_UPDATES_PER_FRAME and self.top is not None:
                self.top.update(FIXED_DT_S)
                lag_s -= FIXED_DT_S
                steps += 1
            if steps == MAX_UPDATES_PER_FRAME:
                lag_s = min(lag_s, FIXED_DT_S)  # drop the backlog rather than spiral
            if not self.running or self.top is None:
                break
            t_draw = time.perf_counter()
            self.draw(lag_s / FIXED_DT_S)
            self.draw_times_ms.append((time.perf_counter() - t_draw) * 1000.0)
            pg.display.flip()
            if self.sink is not None:
                self.sink.write(self.screen)
            self.frames_drawn += 1
            self.frame_times_ms.append((time.perf_counter() - t_frame) * 1000.0)
            self.frame_cpu_ms.append((time.thread_time() - cpu_frame) * 1000.0)
            for fn in self.on_frame:
                fn(self)
            if not self.simulated:
                # Sleep off spare time so a fast machine doesn't spin a core at 100 %.
                spare = self.frame_period_s - (self.now_s() - now)
                if spare > 0.002:
                    time.sleep(spare - 0.001)
        while self.scenes:
            self.scenes.pop().leave()
        return self.exit_code

    def draw(self, alpha: float) -> None:
        """Draw the top scene, and the scenes under it while they are covered by overlays."""
        first = len(self.scenes) - 1
        while first > 0 and self.scenes[first].transparent:
            first -= 1
        self.drawing = True
        for scene in self.scenes[first:]:
            scene.draw(self.screen, alpha)
        self.input.draw(self.screen, self.now_s())
        self.drawing = False
        pending, self.after_draw = self.after_draw, []
        for fn in pending:  # e.g. screenshots: they show the finished frame, cursor included
            fn()

    def screenshot(self, path: str | os.PathLike) -> Path:
        """Save what the screen shows now as PNG."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pg.image.save(self.screen, str(path))
        return path

    def close(self) -> None:
        self.pg.display.quit()
