"""The child's camera for the game: a ``pose.worker.PoseWorker`` plus a mirrored view.

A webcam runs one threaded worker for the whole session; each pose's song time is the
song clock at the frame's capture. A video file used as the camera is restarted at the
song's start and paced by the song clock, so a recorded dance lines up with the music;
headless runs step it synchronously (``process_until``) for deterministic results.
The render loop only ever reads ``worker.latest()``: it never waits for inference.
"""
from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Callable


from pose.errors import VideoError


def is_camera_index(source: str | int | None) -> bool:
    return isinstance(source, int) or (isinstance(source, str) and source.isdigit())


def describe(source: str | int) -> str:
    return f"camera {source}" if is_camera_index(source) else Path(str(source)).name


class Camera:
    """One camera or video-as-camera and its pose worker.

    source: camera index or video path. headless: synchronous stepping (files only).
    tracker_factory: passed to PoseWorker (None: the default BodyTracker).
    Counters: poses_seen (new poses handed out by ``poll``).
    """

    def __init__(self, source: str | int, *, headless: bool = False,
                 tracker_factory: Callable | None = None, threads: int = 2) -> None:
        self.source = int(source) if is_camera_index(source) else str(source)
        self.is_file = not isinstance(self.source, int)
        if headless and not self.is_file:
            raise VideoError("headless play needs a video file as the camera (--camera FILE)")
        if self.is_file and not Path(self.source).exists():
            raise VideoError(f"{self.source}: no such file to use as the camera")
        self.headless = headless
        self.name = describe(self.source)
        self._factory = tracker_factory
        self._threads = threads
        self.worker = None
        self._synchronous = False
        self._last_index = -1
        self._surface = None
        self._surface_key: tuple | None = None
        self.poses_seen = 0
        # Every pose the worker publishes (worker thread appends, render thread drains), so the
        # scorer sees each camera frame even when several land between two updates.
        self._fresh: deque = deque(maxlen=240)
        self.song_clocked = False  # True: pose timestamps are song times (file paced by the song)
        self.pipelines: tuple[str, ...] = ("body",)  # what the worker runs (game_camera sets it)
        self.max_people = 1  # 2: the worker publishes Players (game_camera sets it)
        self.players_tracker = None  # the newest game.players.SidedPlayers the worker built
        # Other pipelines' results (hands, face): the newest (frame number, result) of each, and
        # every result since the last drain, for a mode that scores them.
        self.latest_of: dict[str, tuple[int, object]] = {}
        self._fresh_of: dict[str, deque] = {}

    def _on_result(self, name: str, n: int, result) -> None:
        import time as _time

        self.latest_of[name] = (n, result)  # one dict write: the render thread reads it lock-free
        self._fresh_of.setdefault(name, deque(maxlen=240)).append((result, _time.perf_counter()))

    def _on_players_built(self, tracker) -> None:
        self.players_tracker = tracker

    @property
    def hands_latest(self) -> tuple[int, object] | None:
        return self.latest_of.get("hands")

    def drain_results(self, name: str) -> list:
        """Every (result, perf_counter when it came) of pipeline ``name`` since the last call."""
        q = self._fresh_of.get(name)
        out = []
        while q:
            out.append(q.popleft())
        return out

    def drain_hands(self) -> list:
        return self.drain_results("hands")

    # -- lifetime ------------------------------------------------------------------------
    def start(self, *, song_clock: Callable[[], float] | None = None, loop: bool = True) -> None:
        """(Re)start from the source's beginning. Raises VideoError/ModelError if it can't open.

        song_clock: for a file, pace frames by this clock (the song position) — then pose
        timestamps are song times. loop: files restart at their end (pre-song scenes).
        """
        from pose.worker import PoseWorker

        self.stop()
        self._last_index = -1
        self._fresh.clear()
        kwargs = dict(loop=loop and self.is_file, keep_frame=True, threads=self._threads,
                      on_pose=self._fresh.append)
        if self._factory is not None:
            kwargs["tracker_factory"] = self._factory
        if self.headless:
            # Deterministic: the caller steps the file with poll(t_s).
            self.worker = PoseWorker(self.source, realtime=False, **kwargs)
            self._synchronous = True
            self.song_clocked = song_clock is not None
            self.worker.process_until(-1.0)  # opens source and models now, so errors surface here
        else:
            clock = song_clock if (self.is_file and song_clock is not None) else None
            self.worker = PoseWorker(self.source, realtime=True, clock=clock, **kwargs).start()
            self._synchronous = False
            self.song_clocked = clock is not None

    def stop(self) -> None:
        if self.worker is not None:
            if not self._synchronous:
                self.worker.stop()
            elif self.worker.source is not None:
                self.worker.source.close()
            self.worker = None

    # -- reading -------------------------------------------------------------------------
    def drain(self, media_t_s: float | None = None) -> list:
        """Every LatestPose published since the last drain, oldest first (maybe none).

        media_t_s: headless only — process the file's frames up to this media time first.
        """
        if self.worker is None:
            return []
        if self._synchronous and media_t_s is not None and not self.worker.finished:
            self.worker.process_until(media_t_s)
        out = []
        while self._fresh:
            out.append(self._fresh.popleft())
        self.poses_seen += len(out)
        return out

    def latest(self):
        return None if self.worker is None else self.worker.latest()

    @property
    def lost(self) -> bool:
        """The source failed, vanished or (for a real camera) ended."""
        w = self.worker
        if w is None:
            return True
        status = getattr(w.status, "value", str(w.status))
        return status == "failed" or (status == "ended" and not self.is_file)

    @property
    def ended(self) -> bool:
        """A video file used as the camera ran out (the song may go on)."""
        w = self.worker
        return w is not None and getattr(w.status, "value", "") == "ended"

    @property
    def error(self) -> str | None:
        return None if self.worker is None else self.worker.error

    def stats(self):
        return None if self.worker is None else self.worker.stats()

    def surface(self, box_px: tuple[int, int]):
        """The newest camera frame, mirrored (selfie view) and scaled to fit ``box_px``; or None.

        Converted once per new frame: the render loop may call this every frame.
        """
        import cv2
        import pygame

        from game.media import fit_size

        latest = self.latest()
        if latest is None or latest.frame_rgb is None:
            return self._surface
        key = (latest.index, box_px)
        if key == self._surface_key:
            return self._surface
        rgb = latest.frame_rgb
        size = fit_size((rgb.shape[1], rgb.shape[0]), box_px)
        # Bilinear, not area: this runs on the render thread, and area averaging of a
        # 1080p frame costs ~5 ms against ~0.5 ms; at preview size the difference is invisible.
        small = cv2.flip(cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR), 1)  # mirror view
        self._surface = pygame.image.frombuffer(small.tobytes(), size, "RGB")
        self._surface_key = key
        return self._surface


def default_source() -> int | None:
    """Camera 0 when one can be opened (probed quickly), else None."""
    if os.environ.get("DANCE_NO_CAMERA"):
        return None
    try:
        import cv2

        if not any(Path("/dev").glob("video*")) and os.name == "posix" and not Path("/System").exists():
            return None  # Linux without a video device: skip the slow probe
        cap = cv2.VideoCapture(0)
        ok = cap.isOpened()
        cap.release()
        return 0 if ok else None
    except Exception:  # probing a camera must never crash the title screen
        return None


class BodyPlus:
    """Body pose plus other pipelines (hands, face) on the same camera frame, for the one
    camera worker.

    ``process`` returns the body PoseFrame (what the worker publishes); each other
    pipeline's result of the same frame goes to ``on_result(name, frame_number, result)``.
    """

    def __init__(self, body, others: dict, on_result: Callable) -> None:
        self.body = body
        self.others = dict(others)
        self.on_result = on_result
        self._n = 0

    def process(self, rgb, timestamp_s: float):
        pose = self.body.process(rgb, timestamp_s)
        self._n += 1
        for name, tracker in self.others.items():
            self.on_result(name, self._n, tracker.process(rgb, timestamp_s))
        return pose

    def reset(self) -> None:
        self.body.reset()
        for tracker in self.others.values():
            tracker.reset()


def tracker_factory_for(pipelines: tuple[str, ...], threads: int = 2,
                        on_result: Callable | None = None, max_people: int = 1,
                        on_built: Callable | None = None) -> Callable | None:
    """The camera worker's tracker for a mode's pipelines (None: the worker's default body
    tracker). "segmentation" is the body model's own person mask: the cut-out costs no
    second model on the worker. "hands" and "face" run their pipelines on the same frames.
    max_people > 1: a PlayerTracker (one Players per frame, slots by screen side, see
    game.players); on_built(tracker) hears of each one built (the step-in claims sides)."""
    if max_people > 1:
        def make_players():
            from game.players import SidedPlayers
            from pose.body.players import PlayerTracker

            tracker = SidedPlayers(PlayerTracker(n_players=max_people, smooth=True, threads=threads,
                                                 segmentation="segmentation" in pipelines))
            if on_built is not None:
                on_built(tracker)
            return tracker

        return make_players
    seg = "segmentation" in pipelines
    others = [p for p in ("hands", "face") if p in pipelines] if on_result is not None else []
    if not seg and not others:
        return None

    def make():
        from pose.tracker import BodyTracker

        body = BodyTracker(smooth=True, threads=threads, segmentation=seg)
        if not others:
            return body
        trackers = {}
        if "hands" in others:
            from pose.hands.tracker import HandTracker

            trackers["hands"] = HandTracker(threads=1)
        if "face" in others:
            from pose.face.tracker import FaceTracker

            trackers["face"] = FaceTracker(threads=1)
        return BodyPlus(body, trackers, on_result)

    return make


class NoCamera(VideoError):
    """No camera was configured and none could be found."""


def game_camera(app, game, *, loop: bool) -> Camera:
    """The game's camera, opened on first use (or after it was lost) and kept on ``game``.

    Uses ``game.config.camera_source``, else the default camera; NoCamera when there is
    none, VideoError (or another DanceError) when it cannot be opened.
    """
    cam = game.camera
    pipelines = tuple(game.mode.pipelines)
    if game.config.hands_free and "hands" not in pipelines:
        pipelines += ("hands",)  # the menus and pause work hands-free in every mode
    people = int(getattr(game.mode, "max_people", 1))
    if cam is not None and not cam.lost and cam.pipelines == pipelines and cam.max_people == people:
        return cam
    if cam is not None:
        cam.stop()  # another mode's pipelines (or lost): reopen
    source = game.config.camera_source
    if source is None:
        source = default_source()
    if source is None:
        raise NoCamera("No camera found")
    cam = Camera(source, headless=app.headless)
    cam._factory = game.config.tracker_factory or tracker_factory_for(
        pipelines, on_result=cam._on_result, max_people=people, on_built=cam._on_players_built)
    cam.pipelines = pipelines
    cam.max_people = people
    cam.start(loop=loop)
    game.camera = cam
    return cam
