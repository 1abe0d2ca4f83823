"""PoseWorker: body pose from a camera or a video file, off the render thread.

The game's render loop calls ``worker.latest()`` every frame; it returns at once (one
attribute read, no lock) with the newest pose, whatever the worker is doing.

Threads (``start()``):
  reader     grabs frames from the source. A camera is drained continuously so the driver
             never hands us a stale buffered frame; a file is paced so frame i is read
             when ``clock() >= i / fps`` (``realtime=True``) — a frame that is already
             overdue is skipped without decoding.
  inference  takes the newest frame from a one-frame slot and runs the tracker.
The slot is the whole queue: when inference is slower than the source, the reader
overwrites the waiting frame (counted in ``frames_dropped``) instead of queueing it, so
the pose is never more than one inference behind. With ``realtime=False`` (files only)
the reader waits for the slot to empty instead: every frame is processed, as fast as
possible.

Synchronous mode (no threads): ``process_until(t_s)`` processes, on the caller's thread,
every frame of a video file whose timestamp is <= t_s — deterministic, for headless runs
stepped by the song clock.

A source that ends, fails or disappears, or a tracker that raises, never reaches the
consumer as an exception: it is reported by ``status``, ``error`` (one line) and
``finished``. Only ``start()`` raises (VideoError/ModelError) — when the source or the
models cannot be opened at all. Camera frames stay in memory; nothing is written to disk.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Protocol

import numpy as np

from pose.errors import DanceError, VideoError
from pose.frame import PoseFrame
from pose.video import VideoFrame, VideoSource, open_video


class Tracker(Protocol):
    """What the worker needs from a tracker (pose.tracker.BodyTracker fits)."""

    def process(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame | None: ...

    def reset(self) -> None: ...


class WorkerStatus(str, Enum):
    IDLE = "idle"          # created, not started
    RUNNING = "running"
    ENDED = "ended"        # a video file played to its end (loop=False)
    FAILED = "failed"      # the source broke or vanished, or the tracker raised; see .error
    STOPPED = "stopped"    # stop() was called


_FINISHED = (WorkerStatus.ENDED, WorkerStatus.FAILED, WorkerStatus.STOPPED)
_FPS_STALL_S = 1.0


@dataclass(frozen=True, eq=False)
class LatestPose:
    """The newest result the worker has.

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
    """A snapshot of the worker's counters.

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
class _Item:
    frame: VideoFrame
    lap: int  # how many times a looping file has restarted; the tracker resets on a new lap


def _default_tracker_factory(smooth: bool, threads: int) -> Callable[[], Tracker]:
    def make() -> Tracker:
        from pose.tracker import BodyTracker

        return BodyTracker(smooth=smooth, threads=threads)

    return make


class PoseWorker:
    """Runs a body tracker over a camera or video file; see the module docstring.

    source: camera index (int or digit string) or video file path, or an open VideoSource.
    tracker_factory: builds the tracker (called once, in start()/first process_until());
        default: ``BodyTracker(smooth=smooth, threads=threads)``.
    realtime: files only — play at the file's fps (True) or as fast as possible (False).
    clock: files only, realtime — a callable returning the media time in seconds at which
        frames become due (e.g. the song position). Default: wall time since start().
        Expected not to go backwards; a paused clock pauses the video.
    loop: files only — restart at the end instead of finishing.
    mirror: flip frames left-right before tracking (selfie view).
    keep_frame: hand the processed frame back in LatestPose.frame_rgb (for display).
    on_pose: called on the worker thread with each new LatestPose; keep it short. If it
        raises, the worker stops with status FAILED.
    """

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
        self._source_arg = source
        self._tracker_factory = tracker_factory or _default_tracker_factory(smooth, threads)
        self.realtime = realtime
        self._clock = clock
        self.loop = loop
        self.mirror = mirror
        self.keep_frame = keep_frame
        self.on_pose = on_pose

        self._src: VideoSource | None = None
        self._tracker: Tracker | None = None
        self._latest: LatestPose | None = None
        self._status = WorkerStatus.IDLE
        self._error: str | None = None

        # The one-frame slot between reader and inference, and the flags they share.
        self._cond = threading.Condition()
        self._slot: _Item | None = None
        self._source_done = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False

        # File position bookkeeping (reader thread, or the caller in process_until).
        self._lap = 0
        self._lap_base_s = 0.0  # media time at which the current lap started
        self._lap_base_index = 0  # frames in the laps before this one
        self._tracked_lap = 0
        self._wall_t0 = 0.0

        self._stats_lock = threading.Lock()
        self._done_at: deque[float] = deque(maxlen=max(2, window))
        self._latencies_ms: deque[float] = deque(maxlen=max(2, window))
        self._frames_read = 0
        self._frames_dropped = 0
        self._poses = 0
        self._found = 0

    # -- the consumer's side -------------------------------------------------------------
    def latest(self) -> LatestPose | None:
        """The newest pose, or None before the first one. O(1), never blocks."""
        return self._latest

    @property
    def status(self) -> WorkerStatus:
        return self._status

    @property
    def error(self) -> str | None:
        """One-line reason for status FAILED (else None)."""
        return self._error

    @property
    def finished(self) -> bool:
        """True once no more poses will come (ended, failed or stopped)."""
        return self._status in _FINISHED

    @property
    def fps(self) -> float:
        return self.stats().fps

    @property
    def latency_ms(self) -> float:
        return self.stats().latency_ms

    @property
    def source(self) -> VideoSource | None:
        """The open source (size, fps, frame_count), once started."""
        return self._src

    def stats(self) -> WorkerStats:
        with self._stats_lock:
            done = list(self._done_at)
            lat = list(self._latencies_ms)
            counts = (self._frames_read, self._frames_dropped, self._poses, self._found)
        fps = 0.0
        if len(done) >= 2 and done[-1] > done[0]:
            # A stalled or finished worker should not keep showing its last rate: after a
            # second without a pose, count the silence in.
            end = max(done[-1], time.perf_counter() - _FPS_STALL_S)
            fps = (len(done) - 1) / (end - done[0])
        mean = float(np.mean(lat)) if lat else math.nan
        p95 = float(np.percentile(lat, 95)) if lat else math.nan
        return WorkerStats(self._status, fps, mean, p95, *counts, self._error)

    # -- lifetime ------------------------------------------------------------------------
    def start(self) -> "PoseWorker":
        """Open the source and the tracker (errors raise here), then start the threads."""
        if self._started:
            raise RuntimeError("a PoseWorker can be started once")
        self._open()
        self._started = True
        self._status = WorkerStatus.RUNNING
        self._wall_t0 = time.perf_counter()
        self._threads = [
            threading.Thread(target=self._reader_main, name="pose-reader", daemon=True),
            threading.Thread(target=self._inference_main, name="pose-inference", daemon=True),
        ]
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

    def __enter__(self) -> "PoseWorker":
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- synchronous mode ----------------------------------------------------------------
    def process_until(self, t_s: float) -> LatestPose | None:
        """Process every frame with timestamp <= t_s on this thread; return latest().

        Video files only; not while the threads run. At the end of the file the status
        becomes ENDED (or the file restarts, with loop=True); a broken file -> FAILED.
        """
        if self._started:
            raise RuntimeError("process_until() is the synchronous mode; this worker was start()ed")
        if self._status in _FINISHED:
            return self._latest
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
            if not self._run_tracker(item):
                break
        return self._latest

    # -- internals -----------------------------------------------------------------------
    def _open(self) -> None:
        src = self._source_arg
        if isinstance(src, VideoSource):
            self._src = src
        else:
            self._src = open_video(src, mirror=self.mirror)
        try:
            self._tracker = self._tracker_factory()
        except BaseException:
            self._src.close()
            raise

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

    def _inference_main(self) -> None:
        while True:
            with self._cond:
                while self._slot is None and not self._source_done and not self._stop.is_set():
                    self._cond.wait(0.1)
                if self._stop.is_set():
                    break
                item, self._slot = self._slot, None
                self._cond.notify_all()
            if item is None:  # the source is done and the slot empty
                break
            if not self._run_tracker(item):
                self._stop.set()  # the reader has nobody to feed any more
                with self._cond:
                    self._cond.notify_all()
                return
        if self._error is not None:
            self._status = WorkerStatus.FAILED
        elif self._stop.is_set():
            self._status = WorkerStatus.STOPPED
        else:
            self._status = WorkerStatus.ENDED

    def _run_tracker(self, item: _Item) -> bool:
        """Track one frame and publish it; False (and status FAILED) if anything raised."""
        f = item.frame
        tracker = self._tracker
        try:
            if item.lap != self._tracked_lap:
                tracker.reset()  # the video jumped back to its start; forget the motion
                self._tracked_lap = item.lap
            pose = tracker.process(f.rgb, f.timestamp_s)
        except DanceError as e:
            self._fail(str(e))
            return False
        except Exception as e:
            self._fail(f"pose tracking failed ({type(e).__name__}: {e})")
            return False
        done = time.perf_counter()
        latest = LatestPose(
            pose=pose,
            frame_rgb=f.rgb if self.keep_frame else None,
            index=f.index,
            timestamp_s=f.timestamp_s,
            captured_at_s=f.captured_at_s,
            available_at_s=done,
        )
        with self._stats_lock:
            self._poses += 1
            self._found += pose is not None
            self._done_at.append(done)
            self._latencies_ms.append(latest.latency_ms)
        self._latest = latest  # one reference store: latest() readers need no lock
        if self.on_pose is not None:
            try:
                self.on_pose(latest)
            except Exception as e:
                self._fail(f"on_pose callback raised {type(e).__name__}: {e}")
                return False
        return True
