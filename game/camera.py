"""The child's camera for the game: the mode's vision pipelines on a ``pose.worker.MultiWorker``,
plus a mirrored view.

Every pipeline the mode names (body always, and hands, face, segmentation as asked) runs on
its own thread over the same camera frames; the newest result of each is kept, and the body's
every result is queued for the scorer. When the machine cannot keep up, the worker slows the
least important pipeline by the rule in ``pose.pipelines`` (hands / face / segmentation to
every 2nd frame, never the body); ``degradation_note`` says so on screen in a child's words.

A webcam runs one threaded worker for the whole session; each pose's song time is the
song clock at the frame's capture. A video file used as the camera is restarted at the
song's start and paced by the song clock, so a recorded dance lines up with the music;
headless runs step it synchronously (``process_until``: every pipeline on every frame) for
deterministic results. The render loop only ever reads the newest results: it never waits
for inference.
"""
from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

from pose.errors import VideoError

BODY_ALONE_THREADS = 2  # the body alone may use both cores; with company each pipeline gets one


def is_camera_index(source: str | int | None) -> bool:
    return isinstance(source, int) or (isinstance(source, str) and source.isdigit())


def describe(source: str | int) -> str:
    return f"camera {source}" if is_camera_index(source) else Path(str(source)).name


def _game_worker_class():
    """GameWorker, defined on first use so importing this module stays cheap."""
    global _GameWorker
    if _GameWorker is not None:
        return _GameWorker
    from pose.worker import Latest, LatestPose, MultiWorker, WorkerStats

    class GameWorker(MultiWorker):
        """A MultiWorker whose "body" results are ``LatestPose`` (what the play screens read)
        and whose body counters come as ``WorkerStats``. on_pose(LatestPose) for every body
        result; on_other(name, Latest) for every other pipeline's."""

        def __init__(self, source, pipelines, *, on_pose: Callable, on_other: Callable, **kwargs) -> None:
            super().__init__(source, pipelines, **kwargs)
            self.on_pose, self.on_other = on_pose, on_other
            self._body = self._runners["body"]

        def latest(self, name: str = "body"):  # type: ignore[override]
            return super().latest(name)

        def process_until(self, t_s: float):  # type: ignore[override]
            super().process_until(t_s)
            return self._body.latest

        def stats(self) -> WorkerStats:
            p = self.pipeline_stats("body")
            return WorkerStats(self.status, p.fps, p.latency_ms, p.latency_p95_ms, self.frames_read,
                               self.frames_dropped + p.dropped, p.runs, p.found, self.error)

        def _make_latest(self, r, result, f, done):
            if r.spec.name == "body":
                return LatestPose(result, f.rgb if self.keep_frame else None, f.index, f.timestamp_s,
                                  f.captured_at_s, done)
            return super()._make_latest(r, result, f, done)

        def _notify(self, r, latest) -> None:
            if r.spec.name != "body":
                self.on_other(r.spec.name, latest)
                return
            self.on_pose(latest)
            mask = getattr(latest.pose, "mask", None)
            if mask is not None and "segmentation" not in self._runners:
                # The body model's own person mask serves as the segmentation result.
                from pose.segmentation import SegmentationResult

                h, w = mask.shape[:2]
                seg = SegmentationResult(mask, latest.timestamp_s, (w, h))
                self.on_other("segmentation", Latest("segmentation", seg, latest.frame_rgb, latest.index,
                                                     latest.timestamp_s, latest.captured_at_s, latest.available_at_s))

    _GameWorker = GameWorker
    return GameWorker


_GameWorker = None


# The settings the modes were tuned with: Face Party is played close to the screen (the
# short-range face detector); gestures are debounced, so hands need no landmark smoothing.
GAME_OPTIONS: dict[str, dict] = {"face": {"detector_range": "short"}, "hands": {"smooth": False}}


def pipeline_specs(pipelines: tuple[str, ...], body_factory: Callable | None = None,
                   threads: int | None = None, segmentation: str = "body") -> list:
    """The worker's PipelineSpecs for a mode's pipelines: "body" first (always; from
    ``body_factory`` when given, else the standard BodyTracker), then the others as
    ``pose.pipelines`` defines them (priority, lowest rate), each on its own thread.
    threads: LiteRT threads per pipeline (default: both cores for the body alone, one each
    otherwise). segmentation: where the person mask comes from —
      "body"    the body landmark model's own mask, on the body's thread (no second model).
                Made for a whole body a few metres away: on pose2sim's dancer it follows the
                person, where the selfie models spill onto the room (they are made for
                people near the camera);
      "selfie"  the selfie segmenter, a pipeline on its own thread (a mode played close up).
    """
    from pose import pipelines as std
    from pose.worker import PipelineSpec

    if segmentation not in ("body", "selfie"):
        raise ValueError(f"segmentation must be 'body' or 'selfie', got {segmentation!r}")
    names = ("body",) + tuple(p for p in dict.fromkeys(pipelines) if p != "body")
    body_mask = segmentation == "body" and "segmentation" in names
    if body_mask:
        names = tuple(n for n in names if n != "segmentation")
    n_threads = threads or (BODY_ALONE_THREADS if len(names) == 1 else std.PIPELINE_THREADS)
    if body_factory is None:
        def body_factory():
            from pose.tracker import BodyTracker

            return BodyTracker(smooth=True, threads=n_threads, segmentation=body_mask)
    body = PipelineSpec("body", body_factory, *std.POLICY["body"], label="pose tracking")
    std.standard(*names[1:])  # an unknown or unavailable pipeline: the one-line error, here
    return [body] + [std.STANDARD[n](threads=n_threads, **GAME_OPTIONS.get(n, {})) for n in names[1:]]


# What a slowed pipeline means for the child, in kind words (the play screen shows it).
KIND_WORDS = {
    "hands": "Hand tracking is taking small breaks - hold each hand shape a little longer",
    "face": "Face tracking is taking small breaks - hold each face a little longer",
    "segmentation": "Your stage picture updates a bit slower - your dancing still counts",
}
TAKING_TURNS_WORDS = "Hands, face and stage picture take turns so the game stays smooth"
OVER_BUDGET_WORDS = "The computer is very busy - scores may be lower than your dancing"


def degradation_note(degradation) -> str | None:
    """What the screen says about a pose.worker.Degradation, in kind words: which pipeline is
    slowed and what that means for the child (one line), plus a second line when even the
    slowest rates do not fit (over budget); None when nothing is slowed."""
    if degradation is None or not degradation.degraded:
        return None
    slowed = [n for n, s in degradation.strides.items() if s > 1]
    words = [KIND_WORDS.get(n, f"{n} runs on every {degradation.strides[n]}th picture") for n in slowed]
    lines = [words[0] if len(words) == 1 else TAKING_TURNS_WORDS] if words else []
    if degradation.over_budget:
        lines.append(OVER_BUDGET_WORDS)
    return "\n".join(lines)


class Camera:
    """One camera or video-as-camera and its pipelines' worker.

    source: camera index or video path. headless: synchronous stepping (files only).
    tracker_factory: builds the "body" pipeline (None: the default BodyTracker).
    pipelines: what the worker runs ("body" always; game_camera sets the mode's).
    cores: CPU cores the degradation rule plans for (None: the machine's).
    segmentation: "body" (the body model's person mask) or "selfie" (the selfie segmenter on
    its own thread); see ``pipeline_specs``.
    Counters: poses_seen (new poses handed out by ``drain``).
    """

    def __init__(self, source: str | int, *, headless: bool = False,
                 tracker_factory: Callable | None = None, threads: int | None = None,
                 pipelines: tuple[str, ...] = ("body",), cores: float | None = None,
                 segmentation: str = "body") -> None:
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
        self._cores = cores  # what the degradation rule plans for (None: the machine's cores)
        self.segmentation = segmentation  # where the person mask comes from (pipeline_specs)
        self.worker = None
        self._synchronous = False
        self._surface = None
        self._surface_key: tuple | None = None
        self.poses_seen = 0
        # Every pose the worker publishes (worker thread appends, render thread drains), so the
        # scorer sees each camera frame even when several land between two updates.
        self._fresh: deque = deque(maxlen=240)
        self.song_clocked = False  # True: pose timestamps are song times (file paced by the song)
        self.pipelines: tuple[str, ...] = tuple(pipelines)
        self.max_people = 1  # 2: the body pipeline publishes Players (game_camera sets it)
        self.players_tracker = None  # the newest game.players.SidedPlayers the worker built
        # Other pipelines' results (hands, face, segmentation): the newest (frame number,
        # result) of each, and every result since the last drain, for a mode that scores them.
        self.latest_of: dict[str, tuple[int, object]] = {}
        self._latest_full: dict[str, Any] = {}
        self._fresh_of: dict[str, deque] = {}

    def _on_result(self, name: str, n: int, result) -> None:
        self.latest_of[name] = (n, result)  # one dict write: the render thread reads it lock-free
        self._fresh_of.setdefault(name, deque(maxlen=240)).append((result, time.perf_counter()))

    def _on_other(self, name: str, latest) -> None:
        self._latest_full[name] = latest
        self._on_result(name, latest.index, latest.result)

    def _on_players_built(self, tracker) -> None:
        self.players_tracker = tracker

    @property
    def hands_latest(self) -> tuple[int, object] | None:
        return self.latest_of.get("hands")

    def latest_result(self, name: str):
        """The newest pose.worker.Latest of a non-body pipeline (result, frame_rgb, index...), or None."""
        return self._latest_full.get(name)

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
        self.stop()
        self._fresh.clear()
        self._fresh_of.clear()
        self.latest_of.clear()
        self._latest_full.clear()
        specs = pipeline_specs(self.pipelines, self._factory, self._threads, self.segmentation)
        kwargs = dict(loop=loop and self.is_file, keep_frame=True, on_pose=self._fresh.append,
                      on_other=self._on_other)
        worker_cls = _game_worker_class()
        if self.headless:
            # Deterministic: the caller steps the file with drain(t_s).
            self.worker = worker_cls(self.source, specs, realtime=False, **kwargs)
            self._synchronous = True
            self.song_clocked = song_clock is not None
            self.worker.process_until(-1.0)  # opens source and models now, so errors surface here
        else:
            clock = song_clock if (self.is_file and song_clock is not None) else None
            self.worker = worker_cls(self.source, specs, realtime=True, clock=clock, cores=self._cores,
                                     **kwargs).start()
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
        """The newest body LatestPose, or None."""
        return None if self.worker is None else self.worker.latest("body")

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
        """The body pipeline's pose.worker.WorkerStats (fps, frames read / dropped...), or None."""
        return None if self.worker is None else self.worker.stats()

    def pipeline_stats(self) -> dict:
        """name -> pose.worker.PipelineStats (fps, CPU ms a run, stride...) of every pipeline."""
        return {} if self.worker is None else self.worker.all_stats()

    @property
    def degradation(self):
        """The worker's pose.worker.Degradation (which pipelines run on every n-th frame), or None."""
        return None if self.worker is None or self._synchronous else self.worker.degradation

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


def tracker_factory_for(pipelines: tuple[str, ...], threads: int = 2,
                        on_result: Callable | None = None, max_people: int = 1,
                        on_built: Callable | None = None) -> Callable | None:
    """The factory of the camera worker's "body" pipeline for a mode's pipelines (None: the
    worker's default BodyTracker). The other pipelines (hands, face, segmentation) are not
    built here: each runs on its own worker thread (``pipeline_specs``). on_result is unused
    (kept for callers of the one-thread camera).
    max_people > 1: a PlayerTracker (one Players per frame, slots by screen side, see
    game.players); on_built(tracker) hears of each one built (the step-in claims sides)."""
    if max_people <= 1:
        return None

    def make_players():
        from game.players import SidedPlayers
        from pose.body.players import PlayerTracker

        tracker = SidedPlayers(PlayerTracker(n_players=max_people, smooth=True, threads=threads))
        if on_built is not None:
            on_built(tracker)
        return tracker

    return make_players


class NoCamera(VideoError):
    """No camera was configured and none could be found."""


def camera_pipelines(game) -> tuple[str, ...]:
    """What the camera runs for this game: the mode's pipelines, hands when the menus follow
    the hands, segmentation when the dance mode shows the child cut out on the stage."""
    pipelines = tuple(game.mode.pipelines)
    if game.config.hands_free and "hands" not in pipelines:
        pipelines += ("hands",)  # the menus and pause work hands-free in every mode
    if wants_cutout(game) and "segmentation" not in pipelines:
        pipelines += ("segmentation",)
    return pipelines


def wants_cutout(game) -> bool:
    """Does the dance mode show the child cut out on the stage? ``config.cutout`` (--cutout /
    --no-cutout) when set, else the selected song's ``stage: cutout``."""
    cfg = game.config
    if game.mode.name != "dance":
        return False
    if getattr(cfg, "cutout", None) is not None:
        return bool(cfg.cutout)
    try:
        song = Path(cfg.choreographies[cfg.selected])
    except (IndexError, TypeError):
        return False
    return _song_key(song, "stage") == "cutout"


def _song_key(path: Path, key: str) -> str | None:
    """A top-level scalar of a choreography file, read cheaply (no media, no checks: the
    loader says what is wrong with a bad file)."""
    import yaml

    try:
        with open(path, encoding="utf-8-sig") as fh:
            for line in fh:
                if line.startswith(f"{key}:"):
                    value = yaml.safe_load(line.split(":", 1)[1])
                    return None if value is None else str(value)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass
    return None


def game_camera(app, game, *, loop: bool) -> Camera:
    """The game's camera, opened on first use (or after it was lost) and kept on ``game``.

    Uses ``game.config.camera_source``, else the default camera; NoCamera when there is
    none, VideoError (or another DanceError) when it cannot be opened.
    """
    cam = game.camera
    pipelines = camera_pipelines(game)
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
    cam = Camera(source, headless=app.headless, pipelines=pipelines)
    from pose.pipelines import PIPELINE_THREADS

    threads = BODY_ALONE_THREADS if len(set(pipelines) | {"body"}) == 1 else PIPELINE_THREADS
    cam._factory = game.config.tracker_factory or tracker_factory_for(
        pipelines, threads=threads, max_people=people, on_built=cam._on_players_built)
    cam.max_people = people
    cam.start(loop=loop)
    game.camera = cam
    return cam
