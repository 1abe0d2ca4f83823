"""Workers: the pipelines a game mode asks for, run on one camera or video, off the render thread.

``MultiWorker`` feeds each camera frame to a set of named pipelines (body, hands, face,
segmentation, ...; each a factory making an object with ``process(rgb, timestamp_s)`` and
``reset()``) and keeps the newest result of each: ``latest(name)`` returns at once (one
attribute read, no lock), whatever the pipelines are doing. ``PoseWorker`` is the one-
pipeline configuration (the body tracker), with the API the game has always used.

Threads (``start()``):
  reader     grabs frames from the source. A camera is drained continuously so the driver
             never hands us a stale buffered frame; a file is paced so frame i is read
             when ``clock() >= i / fps`` (``realtime=True``) — a frame that is already
             overdue is skipped without decoding.
  dispatch   takes the newest frame from a one-frame slot and hands it to the pipelines
             whose turn it is (see "Degradation"), each into its own one-frame slot.
  one per pipeline
             takes the newest frame from its slot and runs the pipeline on it. Pipelines
             run in parallel (LiteRT and OpenCV release the GIL), so on two cores the body
             and a second pipeline each get one; build them with one LiteRT thread each.
The slots are the whole queue: when a pipeline is slower than the source, a newer frame
overwrites the one waiting for it instead of queueing, so a result is never more than one
run behind. With ``realtime=False`` (files only) nothing is overwritten: every frame is
processed by every pipeline whose turn it is, as fast as possible.

Degradation (threaded mode, ``adapt=True``). Each pipeline has a priority (0 = most
important) and a lowest rate it may be cut to (``max_stride``: it runs at least on every
max_stride-th frame). Every half second the dispatcher compares the measured CPU cost of
the active set with the frame budget:
  budget_ms = frame interval x (cores x 0.9 - cores used by everything else in this
              process: decoding, the game's render loop, ...), frame interval = 1 /
              min(source fps, target_fps);
  load_ms   = sum over active pipelines of (CPU ms per run, recent mean) / stride.
While load > budget, the least important pipeline that is not yet at its lowest rate is
slowed one step (every 2nd frame, then every 3rd, ...), then the next least important.
When the load would fit within 80 % of the budget at a step faster, the most important
slowed pipeline speeds up again (the gap keeps it from flapping). Pipelines with the same
stride take alternate frames, so e.g. hands and segmentation at 1/2 never share a frame.
If every pipeline is already at its lowest rate the set is "over budget": frames are then
dropped by the slots as above. ``degradation`` is the current decision (for the HUD:
``degradation.describe()``, e.g. "hands 1/2, segmentation 1/2").
``process_until`` (synchronous) runs every active pipeline on every frame, deterministic.

Synchronous mode (no threads): ``process_until(t_s)`` processes, on the caller's thread,
every frame of a video file whose timestamp is <= t_s — deterministic, for headless runs
stepped by the song clock.

A source that ends, fails or disappears, or a pipeline that raises, never reaches the
consumer as an exception: it is reported by ``status``, ``error`` (one line) and
``finished``. Only ``start()`` and ``use()`` raise (VideoError/ModelError) — when the
source or the models cannot be opened at all. Camera frames stay in memory; nothing is
written to disk.
"""
from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

import numpy as np

from pose.errors import DanceError, VideoError
from pose.frame import PoseFrame
from pose.video import VideoFrame, VideoSource, open_video


class Pipeline(Protocol):
    """What the worker needs from a pipeline (BodyTracker, SelfieSegmenter, ... fit)."""

    def process(self, rgb: np.ndarray, timestamp_s: float) -> Any: ...

    def reset(self) -> None: ...


Tracker = Pipeline  # the body tracker's name for it, kept for callers of PoseWorker


class WorkerStatus(str, Enum):
    IDLE = "idle"          # created, not started
    RUNNING = "running"
    ENDED = "ended"        # a video file played to its end (loop=False)
    FAILED = "failed"      # the source broke or vanished, or a pipeline raised; see .error
    STOPPED = "stopped"    # stop() was called


_FINISHED = (WorkerStatus.ENDED, WorkerStatus.FAILED, WorkerStatus.STOPPED)
_FPS_STALL_S = 1.0
# The degradation rule's constants (see the module docstring).
UTILISATION = 0.9      # share of the machine's cores the worker plans to fill
RECOVER_MARGIN = 0.8   # speed a pipeline up only if the load then fits in 80 % of the budget
ADAPT_EVERY_S = 0.5    # how often the rule looks at the measurements
MIN_RUNS_TO_ADAPT = 3  # a pipeline's cost is known after this many runs
COST_WINDOW = 15       # runs in a pipeline's recent mean cost


@dataclass(frozen=True)
class PipelineSpec:
    """One pipeline a worker can run.

    name: how results are asked for (``latest(name)``), e.g. "body", "segmentation".
    factory: builds the pipeline (called once, when it is first used; may raise ModelError).
    priority: 0 = most important; the degradation rule slows the largest numbers first.
    max_stride: the lowest rate the rule may cut it to — it runs at least on every
        max_stride-th frame (1: every frame, never slowed).
    label: what failed, in the one-line error when process() raises.
    """

    name: str
    factory: Callable[[], Pipeline]
    priority: int = 0
    max_stride: int = 1
    label: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise ValueError(f"pipeline name must be a word, got {self.name!r}")
        if self.max_stride < 1:
            raise ValueError(f"{self.name}: max_stride must be >= 1, got {self.max_stride}")
        if not self.label:
            object.__setattr__(self, "label", f"{self.name} pipeline")


@dataclass(frozen=True, eq=False)
class Latest:
    """The newest result of one pipeline.

    name: the pipeline's name. result: what its process() returned (None: nothing found).
    frame_rgb: (H, W, 3) uint8 frame the result came from (for display), or None if the
        worker was created with keep_frame=False.
    index: frame number in the source (counting on across loops).
    timestamp_s: capture time of that frame — media time for a file, seconds since
        opening for a camera. It is also the time passed to the pipeline.
    captured_at_s / available_at_s: time.perf_counter() when the frame was captured and
        when its result was published.
    """

    name: str
    result: Any
    frame_rgb: np.ndarray | None
    index: int
    timestamp_s: float
    captured_at_s: float
    available_at_s: float

    @property
    def latency_ms(self) -> float:
        """Frame-to-result latency: capture -> result available."""
        return (self.available_at_s - self.captured_at_s) * 1000.0


@dataclass(frozen=True, eq=False)
class LatestPose:
    """The newest result the body worker (PoseWorker) has.

    pose: the person found, or None (nobody in the frame).
    frame_rgb: (H, W, 3) uint8 frame the pose came from (for display), or None if the
        worker was created with keep_frame=False.
    index: frame number in the source (counting on across loops).
    timestamp_s: capture time of that frame — media time for a file, seconds since
        opening for a camera. It is also the time passed to the tracker.
    captured_at_s / available_at_s: time.perf_counter() when the frame was captured and
        when its pose was published.
    """

    pose: PoseFrame | None
    frame_rgb: np.ndarray | None
    index: int
    timestamp_s: float
    captured_at_s: float
    available_at_s: float

    @property
    def latency_ms(self) -> float:
        """Frame-to-pose latency: capture -> pose available."""
        return (self.available_at_s - self.captured_at_s) * 1000.0


@dataclass(frozen=True)
class WorkerStats:
    """A snapshot of the body worker's counters.

    fps: poses per second over the last ``window`` poses (falling once no pose has come
    for a second); latency_ms / latency_p95_ms:
    frame-to-pose latency (capture -> pose available) mean and 95th percentile over the
    same window; frames_read: frames taken from the source; frames_dropped: frames that
    were read or due but never processed because a newer one came; poses: frames
    processed; found: poses with a person.
    """

    status: WorkerStatus
    fps: float
    latency_ms: float
    latency_p95_ms: float
    frames_read: int
    frames_dropped: int
    poses: int
    found: int
    error: str | None


@dataclass(frozen=True)
class PipelineStats:
    """A snapshot of one pipeline's counters in a MultiWorker.

    fps: results per second over the last ``window`` results (falling once none has come
    for a second). latency_ms / latency_p95_ms: capture -> result, mean and 95th
    percentile over that window. cpu_ms / wall_ms: mean CPU time (user + sys of its
    thread) and wall time of one process() call, recent runs. runs: frames processed;
    found: results that found something (not None, not empty); dropped: frames handed to it but overtaken by a
    newer one before it got to them; skipped: frames it sat out by the degradation rule.
    stride: it currently runs on every stride-th frame. active: in the set the mode asked for.
    """

    name: str
    active: bool
    fps: float
    latency_ms: float
    latency_p95_ms: float
    cpu_ms: float
    wall_ms: float
    runs: int
    found: int
    dropped: int
    skipped: int
    stride: int


@dataclass(frozen=True)
class Degradation:
    """The degradation rule's current decision (see the module docstring).

    strides: active pipeline name -> n (it runs on every n-th frame); budget_ms: CPU ms a
    frame the pipelines may use; load_ms: their estimated CPU ms a frame at these strides
    (NaN before the costs are known); over_budget: load > budget with every pipeline
    already at its lowest rate.
    """

    strides: Mapping[str, int]
    budget_ms: float = math.nan
    load_ms: float = math.nan
    over_budget: bool = False

    @property
    def degraded(self) -> bool:
        return self.over_budget or any(s > 1 for s in self.strides.values())

    def describe(self) -> str:
        """One line for the screen: "" when nothing is slowed, else e.g. "hands 1/2, segmentation 1/2"."""
        parts = [f"{n} 1/{s}" for n, s in self.strides.items() if s > 1]
        if self.over_budget:
            parts.append("over budget")
        return ", ".join(parts)


def plan_strides(costs_ms: Mapping[str, float], specs: Sequence[PipelineSpec], budget_ms: float,
                 current: Mapping[str, int]) -> Degradation:
    """The degradation rule, as a pure function of the measurements.

    costs_ms: active pipeline -> CPU ms per run; specs: those pipelines (priority,
    max_stride); budget_ms: CPU ms a frame; current: the strides now in force (the
    starting point, so the rule moves one step at a time with hysteresis).
    """
    by_name = {s.name: s for s in specs}
    names = [s.name for s in specs]
    stride = {n: max(1, min(int(current.get(n, 1)), by_name[n].max_stride)) for n in names}

    def load() -> float:
        return sum(costs_ms[n] / stride[n] for n in names)

    # Least important first; among equals the later-listed one.
    slow_order = sorted(names, key=lambda n: (-by_name[n].priority, -names.index(n)))
    over = False
    while load() > budget_ms:
        for n in slow_order:
            if stride[n] < by_name[n].max_stride:
                stride[n] += 1
                break
        else:
            over = True
            break
    if not over:
        moved = True
        while moved:  # speed up, most important first, while it fits with the margin
            moved = False
            for n in reversed(slow_order):
                if stride[n] > 1:
                    trial = load() - costs_ms[n] / stride[n] + costs_ms[n] / (stride[n] - 1)
                    if trial <= RECOVER_MARGIN * budget_ms:
                        stride[n] -= 1
                        moved = True
                    break  # only the most important slowed one may move; then look again
    return Degradation(dict(stride), float(budget_ms), float(load()), over)


@dataclass(frozen=True)
class _Item:
    frame: VideoFrame
    lap: int  # how many times a looping file has restarted; pipelines reset on a new lap


class _Runner:
    """One pipeline's state in a worker (guarded by the worker's condition)."""

    def __init__(self, spec: PipelineSpec, window: int):
        self.spec = spec
        self.pipeline: Pipeline | None = None
        self.slot: _Item | None = None
        self.busy = False
        self.lap = 0
        self.latest: Any = None
        self.thread: threading.Thread | None = None
        self.done_at: deque[float] = deque(maxlen=max(2, window))
        self.latencies_ms: deque[float] = deque(maxlen=max(2, window))
        self.cpu_ms: deque[float] = deque(maxlen=COST_WINDOW)
        self.wall_ms: deque[float] = deque(maxlen=COST_WINDOW)
        self.cpu_total_s = 0.0
        self.runs = self.found = self.dropped = self.skipped = 0
        self.stride = 1
        self.phase = 0
        self.needs_reset = False

    def idle(self) -> bool:
        return not self.busy and self.slot is None

    def due(self, k: int) -> bool:
        return (k + self.phase) % self.stride == 0


def _found(result: Any) -> bool:
    """Did this result find something? None: no; a result with ``found`` (FaceResult,
    SegmentationResult) or a length (HandsResult) says so itself; anything else: yes."""
    if result is None:
        return False
    found = getattr(result, "found", None)
    if found is not None:
        return bool(found)
    try:
        return len(result) > 0
    except TypeError:
        return True


def _rate(done: list[float]) -> float:
    if len(done) >= 2 and done[-1] > done[0]:
        # A stalled or finished worker should not keep showing its last rate: after a
        # second without a result, count the silence in.
        end = max(done[-1], time.perf_counter() - _FPS_STALL_S)
        return (len(done) - 1) / (end - done[0])
    return 0.0


class MultiWorker:
    """Runs a set of named pipelines over one camera or video file; see the module docstring.

    source: camera index (int or digit string) or video file path, or an open VideoSource.
    pipelines: every pipeline this worker may run (PipelineSpec; names unique).
    active: the names to run from the start (default: all); change with ``use()``.
    realtime: files only — play at the file's fps (True) or as fast as possible (False).
    clock: files only, realtime — a callable returning the media time in seconds at which
        frames become due (e.g. the song position). Default: wall time since start().
        Expected not to go backwards; a paused clock pauses the video.
    loop: files only — restart at the end instead of finishing (pipelines are reset).
    mirror: flip frames left-right before processing (selfie view).
    keep_frame: hand the processed frame back in each result (for display).
    on_result: called on the pipeline's thread with (name, Latest) for each new result;
        keep it short. If it raises, the worker stops with status FAILED.
    target_fps: the frame rate the degradation rule budgets for (capped by the source's).
    adapt: apply the degradation rule (threaded mode only); False runs every pipeline on
        every frame it can get.
    cores: CPU cores the rule plans for (default: os.cpu_count(); a fraction is fine, e.g.
        to leave room for something else).
    window: results over which fps and latency are measured.
    """

    _callback_name = "on_result"

    def __init__(
        self,
        source: int | str | Any,
        pipelines: Sequence[PipelineSpec],
        *,
        active: Iterable[str] | None = None,
        realtime: bool = True,
        clock: Callable[[], float] | None = None,
        loop: bool = False,
        mirror: bool = False,
        keep_frame: bool = True,
        on_result: Callable[[str, Latest], None] | None = None,
        target_fps: float = 30.0,
        adapt: bool = True,
        cores: float | None = None,
        window: int = 30,
    ):
        specs = list(pipelines)
        if not specs:
            raise ValueError("a worker needs at least one pipeline")
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"pipeline names must be unique, got {', '.join(names)}")
        self._source_arg = source
        self.realtime = realtime
        self._clock = clock
        self.loop = loop
        self.mirror = mirror
        self.keep_frame = keep_frame
        self.on_result = on_result
        self.target_fps = float(target_fps)
        self.adapt = adapt
        self.cores = float(cores or os.cpu_count() or 1)
        self._runners: dict[str, _Runner] = {s.name: _Runner(s, window) for s in specs}
        self._active: tuple[str, ...] = self._check_names(names if active is None else active)
        self._degradation = Degradation({n: 1 for n in self._active})

        self._src: VideoSource | None = None
        self._status = WorkerStatus.IDLE
        self._error: str | None = None

        # The one-frame slot between reader and dispatcher, and the flags threads share.
        self._cond = threading.Condition()
        self._slot: _Item | None = None
        self._source_done = False
        self._dispatch_done = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False
        self._k = 0  # frames dispatched

        # File position bookkeeping (reader thread, or the caller in process_until).
        self._lap = 0
        self._lap_base_s = 0.0  # media time at which the current lap started
        self._lap_base_index = 0  # frames in the laps before this one
        self._wall_t0 = 0.0

        self._stats_lock = threading.Lock()
        self._frames_read = 0
        self._frames_dropped = 0
        self._adapt_at = (0.0, 0.0, 0.0)  # (wall, process CPU, pipelines' CPU) at the last look

    # -- the consumer's side -------------------------------------------------------------
    def latest(self, name: str) -> Latest | None:
        """The newest result of pipeline ``name``, or None before its first. O(1), never blocks."""
        return self._runner(name).latest

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._runners)

    @property
    def active(self) -> tuple[str, ...]:
        return self._active

    @property
    def degradation(self) -> Degradation:
        """The degradation rule's current decision (one attribute read)."""
        return self._degradation

    @property
    def status(self) -> WorkerStatus:
        return self._status

    @property
    def error(self) -> str | None:
        """One-line reason for status FAILED (else None)."""
        return self._error

    @property
    def finished(self) -> bool:
        """True once no more results will come (ended, failed or stopped)."""
        return self._status in _FINISHED

    @property
    def source(self) -> VideoSource | None:
        """The open source (size, fps, frame_count), once started."""
        return self._src

    @property
    def frames_read(self) -> int:
        return self._frames_read

    @property
    def frames_dropped(self) -> int:
        """Frames read or due that no pipeline got, because a newer one came first."""
        return self._frames_dropped

    def pipeline_stats(self, name: str) -> PipelineStats:
        r = self._runner(name)
        with self._stats_lock:
            done, lat = list(r.done_at), list(r.latencies_ms)
            cpu, wall = list(r.cpu_ms), list(r.wall_ms)
            counts = (r.runs, r.found, r.dropped, r.skipped)
        return PipelineStats(
            name, name in self._active, _rate(done),
            float(np.mean(lat)) if lat else math.nan, float(np.percentile(lat, 95)) if lat else math.nan,
            float(np.mean(cpu)) if cpu else math.nan, float(np.mean(wall)) if wall else math.nan,
            *counts, r.stride)

    def all_stats(self) -> dict[str, PipelineStats]:
        return {n: self.pipeline_stats(n) for n in self._runners}

    def use(self, names: Iterable[str]) -> None:
        """Run exactly these pipelines from the next frame on (a mode change).

        Pipelines used for the first time are built here, on the caller's thread, so a
        missing model raises ModelError now; ones coming back are reset (their motion
        state is stale). Results of dropped ones stay readable but stop updating.
        """
        new = self._check_names(names)
        for n in new:
            r = self._runners[n]
            if r.pipeline is None:
                r.pipeline = r.spec.factory()
        with self._cond:
            for n, r in self._runners.items():
                if n in new and n not in self._active:
                    r.needs_reset = True  # done by its own thread, never under a running process()
                if n not in new:
                    r.slot = None  # a frame handed out before the change is not run
                r.stride, r.phase = 1, 0
            self._active = new
            self._degradation = Degradation({n: 1 for n in new})
            self._cond.notify_all()

    # -- lifetime ------------------------------------------------------------------------
    def start(self) -> "MultiWorker":
        """Open the source and the active pipelines (errors raise here), then start the threads."""
        if self._started:
            raise RuntimeError(f"a {type(self).__name__} can be started once")
        self._open()
        self._started = True
        self._status = WorkerStatus.RUNNING
        self._wall_t0 = time.perf_counter()
        self._adapt_at = (self._wall_t0, time.process_time(), 0.0)
        self._threads = [threading.Thread(target=self._reader_main, name="pose-reader", daemon=True),
                         threading.Thread(target=self._dispatch_main, name="pose-dispatch", daemon=True)]
        for r in self._runners.values():
            r.thread = threading.Thread(target=self._runner_main, args=(r,), name=f"pose-{r.spec.name}", daemon=True)
            self._threads.append(r.thread)
        for th in self._threads:
            th.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop and join the threads, release the source. Safe to call twice."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        alive = False
        for th in self._threads:
            th.join(timeout_s)
            alive |= th.is_alive()
        if self._status in (WorkerStatus.RUNNING, WorkerStatus.IDLE):
            self._status = WorkerStatus.STOPPED
        # A reader stuck inside a driver call still owns the capture; leave it to exit.
        if self._src is not None and not alive:
            self._src.close()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait until the worker finishes by itself (e.g. a file ends). True if it did."""
        deadline = None if timeout_s is None else time.perf_counter() + timeout_s
        for th in self._threads:
            th.join(None if deadline is None else max(0.0, deadline - time.perf_counter()))
        return not any(th.is_alive() for th in self._threads)

    def __enter__(self):
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- synchronous mode ----------------------------------------------------------------
    def process_until(self, t_s: float):
        """Process every frame with timestamp <= t_s on this thread, every active pipeline
        on every frame (deterministic); returns ``self._sync_result()``.

        Video files only; not while the threads run. At the end of the file the status
        becomes ENDED (or the file restarts, with loop=True); a broken file -> FAILED.
        """
        if self._started:
            raise RuntimeError("process_until() is the synchronous mode; this worker was start()ed")
        if self._status in _FINISHED:
            return self._sync_result()
        if self._src is None:
            self._open()
            if self._src.is_camera:
                self._src.close()
                self._src = None
                raise VideoError("process_until() needs a video file, not a camera")
            self._status = WorkerStatus.RUNNING
        src = self._src
        while self._lap_base_s + src.next_index / src.fps <= t_s + 1e-9:
            try:
                item = self._read_item()
            except DanceError as e:
                self._fail(str(e))
                break
            if item is None:
                self._status = WorkerStatus.ENDED
                break
            if not all(self._run(self._runners[n], item) for n in self._active):
                break
        return self._sync_result()

    def _sync_result(self):
        return {n: self._runners[n].latest for n in self._active}

    # -- internals -----------------------------------------------------------------------
    def _runner(self, name: str) -> _Runner:
        try:
            return self._runners[name]
        except KeyError:
            raise KeyError(f"no pipeline {name!r}; this worker has {', '.join(self._runners)}") from None

    def _check_names(self, names: Iterable[str]) -> tuple[str, ...]:
        want = list(dict.fromkeys(names))
        unknown = [n for n in want if n not in self._runners]
        if unknown:
            raise ValueError(f"unknown pipeline {', '.join(unknown)}; this worker has {', '.join(self._runners)}")
        if not want:
            raise ValueError("use() needs at least one pipeline")
        # Keep the declared order (it breaks priority ties in the rule).
        return tuple(n for n in self._runners if n in want)

    def _open(self) -> None:
        src = self._source_arg
        if isinstance(src, VideoSource):
            self._src = src
        else:
            self._src = open_video(src, mirror=self.mirror)
        try:
            for n in self._active:
                r = self._runners[n]
                if r.pipeline is None:
                    r.pipeline = r.spec.factory()
        except BaseException:
            self._src.close()
            raise

    # -- dispatch ------------------------------------------------------------------------
    def _ready(self) -> bool:
        """May the dispatcher take the waiting frame? (called holding the condition)"""
        runners = [self._runners[n] for n in self._active]
        if self.realtime or self._src.is_camera:
            # Some pipeline is free to start on it; busy ones get it in their slot.
            return any(r.idle() for r in runners)
        # Every frame processed: wait until each pipeline whose turn it is has room.
        return all(r.slot is None for r in runners if r.due(self._k))

    def _dispatch_main(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._stop.is_set():
                        if self._slot is not None and self._ready():
                            break
                        if self._source_done and self._slot is None:
                            break
                        self._cond.wait(0.1)
                    if self._stop.is_set():
                        break
                    item, self._slot = self._slot, None
                    if item is None:  # the source is done and the slot empty
                        break
                    self._assign(item)
                    self._cond.notify_all()
                # A file read as fast as possible has no frame budget to keep: every
                # frame goes to every pipeline (degradation is for live sources).
                if self.adapt and (self.realtime or self._src.is_camera):
                    self._maybe_adapt()
        finally:
            with self._cond:
                self._dispatch_done = True
                self._cond.notify_all()
            for r in self._runners.values():
                if r.thread is not None:
                    r.thread.join()
            if self._error is not None:
                self._status = WorkerStatus.FAILED
            elif self._stop.is_set():
                self._status = WorkerStatus.STOPPED
            else:
                self._status = WorkerStatus.ENDED

    def _assign(self, item: _Item) -> None:
        """Hand one frame to every active pipeline whose turn it is (holding the condition)."""
        k = self._k
        self._k += 1
        given = False
        for n in self._active:
            r = self._runners[n]
            if not r.due(k):
                r.skipped += 1
                continue
            if r.slot is not None:
                r.dropped += 1  # overtaken before the pipeline got to it
            r.slot = item
            given = True
        if not given:
            self._drop()

    def _maybe_adapt(self) -> None:
        now = time.perf_counter()
        t_prev, cpu_prev, pipes_prev = self._adapt_at
        if now - t_prev < ADAPT_EVERY_S:
            return
        cpu_now = time.process_time()
        with self._stats_lock:
            pipes_now = sum(r.cpu_total_s for r in self._runners.values())
            active = [self._runners[n] for n in self._active]
            costs = {r.spec.name: float(np.mean(r.cpu_ms)) for r in active if len(r.cpu_ms) >= MIN_RUNS_TO_ADAPT}
        self._adapt_at = (now, cpu_now, pipes_now)
        if len(costs) < len(active):
            return  # not every cost is known yet
        other_cores = max(0.0, ((cpu_now - cpu_prev) - (pipes_now - pipes_prev)) / (now - t_prev))
        src_fps = self._src.fps if self._src is not None and self._src.fps > 0 else self.target_fps
        interval_ms = 1000.0 / min(src_fps, self.target_fps)
        budget_ms = interval_ms * max(0.1, self.cores * UTILISATION - other_cores)
        with self._cond:
            if tuple(costs) != tuple(self._active):
                return  # use() changed the set meanwhile
            plan = plan_strides(costs, [r.spec for r in active], budget_ms,
                                {r.spec.name: r.stride for r in active})
            # Equal strides take turns: the i-th pipeline with stride s runs on frames
            # where (k + i) % s == 0.
            seen: dict[int, int] = {}
            for r in active:
                r.stride = plan.strides[r.spec.name]
                r.phase = seen.get(r.stride, 0) % r.stride
                seen[r.stride] = seen.get(r.stride, 0) + 1
            self._degradation = plan

    def _runner_main(self, r: _Runner) -> None:
        while True:
            with self._cond:
                while r.slot is None and not self._dispatch_done and not self._stop.is_set():
                    self._cond.wait(0.1)
                if self._stop.is_set() or r.slot is None:
                    break
                item, r.slot = r.slot, None
                r.busy = True
                self._cond.notify_all()
            ok = self._run(r, item)
            with self._cond:
                r.busy = False
                self._cond.notify_all()
            if not ok:
                self._stop.set()  # the reader and the others have nobody to feed any more
                with self._cond:
                    self._cond.notify_all()
                return

    def _make_latest(self, r: _Runner, result: Any, f: VideoFrame, done: float) -> Any:
        return Latest(r.spec.name, result, f.rgb if self.keep_frame else None, f.index,
                      f.timestamp_s, f.captured_at_s, done)

    def _notify(self, r: _Runner, latest: Any) -> None:
        if self.on_result is not None:
            self.on_result(r.spec.name, latest)

    def _run(self, r: _Runner, item: _Item) -> bool:
        """Run one pipeline on one frame and publish it; False (and status FAILED) if anything raised."""
        f = item.frame
        try:
            if item.lap != r.lap or r.needs_reset:
                r.pipeline.reset()  # the video jumped back to its start, or the pipeline was off
                r.lap, r.needs_reset = item.lap, False
            c0, t0 = time.thread_time(), time.perf_counter()
            result = r.pipeline.process(f.rgb, f.timestamp_s)
            cpu_s, done = time.thread_time() - c0, time.perf_counter()
        except DanceError as e:
            self._fail(str(e))
            return False
        except Exception as e:
            self._fail(f"{r.spec.label} failed ({type(e).__name__}: {e})")
            return False
        latest = self._make_latest(r, result, f, done)
        with self._stats_lock:
            r.runs += 1
            r.found += _found(result)
            r.done_at.append(done)
            r.latencies_ms.append((done - f.captured_at_s) * 1000.0)
            r.cpu_ms.append(cpu_s * 1000.0)
            r.wall_ms.append((done - t0) * 1000.0)
            r.cpu_total_s += cpu_s
        r.latest = latest  # one reference store: latest() readers need no lock
        try:
            self._notify(r, latest)
        except Exception as e:
            self._fail(f"{self._callback_name} callback raised {type(e).__name__}: {e}")
            return False
        return True

    # -- reading -------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        if self._error is None:
            self._error = message
        self._status = WorkerStatus.FAILED

    def _advance(self) -> bool:
        """Grab the next frame (restarting a looping file at its end); False at the end."""
        src = self._src
        if src.grab():
            return True
        if self.loop and not src.is_camera and src.next_index > 0:
            self._lap_base_s += src.next_index / src.fps
            self._lap_base_index += src.next_index
            self._lap += 1
            src.rewind()
            return src.grab()
        return False

    def _take(self, captured_at_s: float | None = None) -> _Item:
        """Convert the grabbed frame into an item (lap-adjusted index and time)."""
        f = self._src.retrieve()
        with self._stats_lock:
            self._frames_read += 1
        if self._lap or captured_at_s is not None:
            f = dataclasses.replace(
                f,
                index=self._lap_base_index + f.index,
                timestamp_s=self._lap_base_s + f.timestamp_s,
                captured_at_s=f.captured_at_s if captured_at_s is None else captured_at_s,
            )
        return _Item(f, self._lap)

    def _read_item(self) -> _Item | None:
        """Next frame of the source, converted; None at the end."""
        return self._take() if self._advance() else None

    def _media_now_s(self) -> float:
        return self._clock() if self._clock is not None else time.perf_counter() - self._wall_t0

    def _drop(self, n: int = 1) -> None:
        if n:
            with self._stats_lock:
                self._frames_dropped += n

    def _reader_main(self) -> None:
        src = self._src
        try:
            if not src.is_camera and self.realtime:
                self._paced_reader()
            else:
                self._free_reader()
        except DanceError as e:
            self._error = str(e)
        except Exception as e:  # a driver/decoder fault must not kill the game
            self._error = f"{src.name}: reading failed ({type(e).__name__}: {e})"
        finally:
            with self._cond:
                self._source_done = True
                self._cond.notify_all()

    def _free_reader(self) -> None:
        """Camera (newest frame wins) or a file as fast as possible (every frame)."""
        drop_stale = self._src.is_camera or self.realtime
        while not self._stop.is_set():
            item = self._read_item()
            if item is None:
                return
            with self._cond:
                if drop_stale:
                    if self._slot is not None:
                        self._drop()
                else:
                    while self._slot is not None and not self._stop.is_set():
                        self._cond.wait(0.1)
                self._slot = item
                self._cond.notify_all()

    def _paced_reader(self) -> None:
        """A file in real time: frame i becomes due at clock() = i / fps.

        Every due frame is grabbed (the decoder needs them all), but only converted when
        inference is ready for it, so a frame that a newer one overtakes costs a grab,
        not a conversion. Overdue frames are grabbed and dropped straight away.
        """
        src = self._src
        held_at: float | None = None  # capture time of a grabbed, unconverted frame
        while not self._stop.is_set():
            with self._cond:
                free = self._slot is None
            if held_at is not None and free:
                item = self._take(held_at)
                held_at = None
                with self._cond:
                    self._slot = item
                    self._cond.notify_all()
                continue
            now_s = self._media_now_s()
            due_s = self._lap_base_s + src.next_index / src.fps
            # The last frame of a file is never overtaken: keep it until inference is ready.
            last = held_at is not None and src.at_declared_end and not self.loop
            if now_s >= due_s and not last:
                if held_at is not None:
                    self._drop()  # overtaken before inference got to it
                    held_at = None
                # The newest due frame is the one to keep; the ones before it are stale.
                behind = int(math.floor((now_s - due_s) * src.fps + 1e-6))
                if src.frame_count is not None and not self.loop:
                    behind = min(behind, max(0, src.frame_count - src.next_index - 1))
                self._drop(src.skip(behind) if behind > 0 else 0)
                mark = time.perf_counter()
                if not self._advance():
                    return
                held_at = mark  # the frame existed once due; decoding counts as latency
                continue
            if last or now_s >= due_s:
                wait_s = 0.05  # only the slot emptying can move us on
            else:
                # An external clock may pause or jump, so nap briefly and look again.
                wait_s = due_s - now_s if self._clock is None else min(due_s - now_s, 0.005)
            with self._cond:
                if held_at is None or self._slot is not None:
                    self._cond.wait(max(wait_s, 0.0005))


def _default_tracker_factory(smooth: bool, threads: int) -> Callable[[], Tracker]:
    def make() -> Tracker:
        from pose.tracker import BodyTracker

        return BodyTracker(smooth=smooth, threads=threads)

    return make


class PoseWorker(MultiWorker):
    """Runs a body tracker over a camera or video file: a MultiWorker with one pipeline,
    "body", every frame (nothing to degrade). See the module docstring.

    source: camera index (int or digit string) or video file path, or an open VideoSource.
    tracker_factory: builds the tracker (called once, in start()/first process_until());
        default: ``BodyTracker(smooth=smooth, threads=threads)``.
    realtime, clock, loop, mirror, keep_frame, window: as for MultiWorker.
    on_pose: called on the worker thread with each new LatestPose; keep it short. If it
        raises, the worker stops with status FAILED.
    """

    _callback_name = "on_pose"

    def __init__(
        self,
        source: int | str | Any,
        tracker_factory: Callable[[], Tracker] | None = None,
        *,
        realtime: bool = True,
        clock: Callable[[], float] | None = None,
        loop: bool = False,
        mirror: bool = False,
        keep_frame: bool = True,
        on_pose: Callable[[LatestPose], None] | None = None,
        smooth: bool = True,
        threads: int = 2,
        window: int = 30,
    ):
        spec = PipelineSpec("body", tracker_factory or _default_tracker_factory(smooth, threads),
                            label="pose tracking")
        super().__init__(source, [spec], realtime=realtime, clock=clock, loop=loop, mirror=mirror,
                         keep_frame=keep_frame, adapt=False, window=window)
        self.on_pose = on_pose
        self._body = self._runners["body"]

    def latest(self) -> LatestPose | None:  # type: ignore[override]
        """The newest pose, or None before the first one. O(1), never blocks."""
        return self._body.latest

    def process_until(self, t_s: float) -> LatestPose | None:  # type: ignore[override]
        """Process every frame with timestamp <= t_s on this thread; return latest().

        Video files only; not while the threads run. At the end of the file the status
        becomes ENDED (or the file restarts, with loop=True); a broken file -> FAILED.
        """
        return super().process_until(t_s)

    def _sync_result(self) -> LatestPose | None:
        return self._body.latest

    @property
    def fps(self) -> float:
        return self.stats().fps

    @property
    def latency_ms(self) -> float:
        return self.stats().latency_ms

    def stats(self) -> WorkerStats:
        p = self.pipeline_stats("body")
        return WorkerStats(self._status, p.fps, p.latency_ms, p.latency_p95_ms, self._frames_read,
                           self._frames_dropped + p.dropped, p.runs, p.found, self._error)

    def _make_latest(self, r: _Runner, result: Any, f: VideoFrame, done: float) -> LatestPose:
        return LatestPose(result, f.rgb if self.keep_frame else None, f.index, f.timestamp_s,
                          f.captured_at_s, done)

    def _notify(self, r: _Runner, latest: Any) -> None:
        if self.on_pose is not None:
            self.on_pose(latest)
