"""Video input: a video file or a camera, as RGB frames with timestamps.

``open_video(source)`` checks the source at the door and turns every way it can be bad
(missing, empty, not a video, no decodable frame, camera absent) into one ``VideoError``
line. Iterating yields ``VideoFrame``s; a file that stops decoding before its declared
length (truncated or corrupt) raises ``VideoError`` instead of silently ending early.

Timestamps: for a file, ``timestamp_s = index / fps`` (the media time, as the pose-track
format wants); for a camera, seconds since the camera was opened. ``captured_at_s`` is
always ``time.perf_counter()`` when the frame was in hand, for latency measurements.

Frames from a camera live only in memory; nothing here writes them anywhere.
"""
from __future__ import annotations

import math
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from pose.errors import VideoError

# FFmpeg prints decoder complaints (e.g. "moov atom not found") straight to stderr; we
# report problems as one VideoError line instead. Must be set before cv2 loads FFmpeg.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_VIDEOIO_DEBUG", "0")

# A container's frame count is an estimate for some formats (duration × fps); allow this
# much shortfall before calling a file truncated.
_TRUNCATION_SLACK = 0.02
# A camera may drop a read now and then; this many failures in a row means it is gone.
_CAMERA_MAX_FAILED_READS = 15


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame.

    rgb: (H, W, 3) uint8, RGB order, C-contiguous.
    index: 0-based frame number from the start of the source.
    timestamp_s: media time (files: index / fps) or seconds since the camera opened.
    captured_at_s: ``time.perf_counter()`` when the frame was in hand.
    """

    rgb: np.ndarray
    index: int
    timestamp_s: float
    captured_at_s: float


def to_rgb(image: np.ndarray, *, bgr: bool = True) -> np.ndarray:
    """Any 8-bit frame -> (H, W, 3) uint8 RGB.

    Accepts gray (H, W) or (H, W, 1), 3-channel (BGR if ``bgr`` else RGB) and 4-channel
    (BGRA/RGBA; alpha dropped). Anything else is a VideoError, not a crash deeper down.
    """
    import cv2

    a = np.asarray(image)
    if a.dtype != np.uint8:
        raise VideoError(f"frames must be 8-bit (uint8), got {a.dtype}")
    if a.ndim in (2, 3) and (a.shape[0] < 1 or a.shape[1] < 1):
        raise VideoError(f"empty frame {a.shape}")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 2:
        out = cv2.cvtColor(a, cv2.COLOR_GRAY2RGB)
    elif a.ndim == 3 and a.shape[2] == 3:
        out = cv2.cvtColor(a, cv2.COLOR_BGR2RGB) if bgr else a
    elif a.ndim == 3 and a.shape[2] == 4:
        out = cv2.cvtColor(a, cv2.COLOR_BGRA2RGB if bgr else cv2.COLOR_RGBA2RGB)
    else:
        raise VideoError(f"frames must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {a.shape}")
    return np.ascontiguousarray(out)


class VideoSource:
    """An open video file or camera. Use ``open_video``; iterate for frames; close() or ``with``.

    size: (width, height) in pixels; fps: frames per second (a camera's nominal rate);
    frame_count: declared number of frames (None for a camera); is_camera.
    """

    def __init__(self, cap, name: str, *, is_camera: bool, mirror: bool = False):
        import cv2

        self._cap = cap
        self.name = name
        self.is_camera = is_camera
        self.mirror = mirror
        self.size: tuple[int, int] = (
            int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not (math.isfinite(fps) and 0 < fps <= 1000):
            if not is_camera:
                cap.release()
                raise VideoError(f"{name}: the video has no usable frame rate ({fps})")
            fps = 30.0  # some camera drivers report 0; 30 is what webcams deliver
        self.fps = fps
        count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count: int | None = (
            None if is_camera or not (math.isfinite(count) and count > 0) else int(round(count))
        )
        self._next_index = 0
        self._t0 = time.perf_counter()
        self._failed_reads = 0
        self._pending: VideoFrame | None = None  # frame 0, decoded at the door by open_video
        # The grabbed, not yet converted frame: a VideoFrame (the pending one) or
        # (index, captured_at_s) for the decoder's current picture.
        self._held: VideoFrame | tuple[int, float] | None = None
        self._closed = False

    # -- reading -----------------------------------------------------------------------
    @property
    def duration_s(self) -> float | None:
        return None if self.frame_count is None else self.frame_count / self.fps

    @property
    def next_index(self) -> int:
        """Index of the frame the next read()/grab() gives."""
        return self._pending.index if self._pending is not None else self._next_index

    @property
    def at_declared_end(self) -> bool:
        """A file whose declared frames have all been grabbed (the next grab will fail)."""
        return self.frame_count is not None and self.next_index >= self.frame_count

    def read(self) -> VideoFrame | None:
        """The next frame, or None at the end of a file.

        Raises VideoError when a file stops decoding well before its declared length, or a
        camera stops delivering frames.
        """
        return self.retrieve() if self.grab() else None

    def grab(self) -> bool:
        """Advance to the next frame without converting it; False at the end of a file.

        The decoder does its work here; ``retrieve()`` then converts the picture (about
        3 of 4 ms at 1080p), so a frame that turns out stale can be dropped cheaply.
        Raises like read().
        """
        self._held = None
        if self._pending is not None:
            self._held, self._pending = self._pending, None
            return True
        while not self._closed:
            ok = self._cap.grab()
            now = time.perf_counter()
            if ok:
                self._failed_reads = 0
                self._held = (self._next_index, now)
                self._next_index += 1
                return True
            if not self._grab_failed():
                return False
        return False

    def retrieve(self) -> VideoFrame:
        """The frame the last successful grab() advanced to, as RGB."""
        held = self._held
        if held is None:
            raise VideoError(f"{self.name}: no frame grabbed")
        if isinstance(held, VideoFrame):
            return held
        index, captured_at_s = held
        ok, image = self._cap.retrieve()
        if not ok or image is None:
            raise VideoError(f"{self.name}: frame {index} could not be decoded (corrupt video?)")
        return self._make_frame(image, index, captured_at_s)

    def skip(self, n: int) -> int:
        """Advance past up to n frames without converting them (cheaper than read()).

        Returns how many were skipped (fewer at the end of a file).
        """
        done = 0
        while done < n and self.grab():
            done += 1
        return done

    def rewind(self) -> None:
        """Back to frame 0 (files only), for looping playback."""
        import cv2

        if self.is_camera:
            return
        self._pending = self._held = None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._next_index = 0

    def _make_frame(self, image: np.ndarray, index: int, captured_at_s: float) -> VideoFrame:
        import cv2

        rgb = to_rgb(image)
        if self.mirror:
            rgb = np.ascontiguousarray(cv2.flip(rgb, 1))
        t = (captured_at_s - self._t0) if self.is_camera else index / self.fps
        return VideoFrame(rgb=rgb, index=index, timestamp_s=t, captured_at_s=captured_at_s)

    def _grab_failed(self) -> bool:
        """After a failed grab: True to try again (camera hiccup), False at a file's end."""
        if self.is_camera:
            self._failed_reads += 1
            if self._failed_reads >= _CAMERA_MAX_FAILED_READS:
                raise VideoError(f"{self.name} stopped delivering frames (disconnected?)")
            time.sleep(0.01)
            return True
        decoded = self._next_index
        if self.frame_count and decoded < self.frame_count * (1 - _TRUNCATION_SLACK) - 1:
            raise VideoError(
                f"{self.name}: the video ended after {decoded} of {self.frame_count} frames "
                "(truncated or corrupt)"
            )
        return False

    def __iter__(self) -> Iterator[VideoFrame]:
        while True:
            f = self.read()
            if f is None:
                return
            yield f

    # -- lifetime ----------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._cap.release()

    def __enter__(self) -> "VideoSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        w, h = self.size
        n = "camera" if self.is_camera else f"{self.frame_count} frames"
        return f"VideoSource({self.name!r}, {w}x{h} @ {self.fps:g} fps, {n})"


def open_video(source: int | str | os.PathLike, *, mirror: bool = False) -> VideoSource:
    """Open a camera (int index, or a digit string) or a video file, checked at the door.

    mirror: flip frames left-right (selfie view).
    """
    import cv2

    if os.environ.get("OPENCV_LOG_LEVEL") == "ERROR":
        # cv2 may have been imported (and read the variable) before this module was.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    if isinstance(source, str) and source.isdigit():
        source = int(source)
    if isinstance(source, bool) or not isinstance(source, (int, str, os.PathLike)):
        raise VideoError(f"a video source is a camera index or a file path, not {source!r}")
    if isinstance(source, int):
        name = f"camera {source}"
        cap = cv2.VideoCapture(source)
        if not cap.isOpened():
            cap.release()
            raise VideoError(f"{name} could not be opened (no such camera, or it is in use)")
        # The worker drains the camera continuously; a deep driver queue would only add lag.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        src = VideoSource(cap, name, is_camera=True, mirror=mirror)
    else:
        path = Path(source)
        name = str(path)
        if not path.exists():
            raise VideoError(f"{name}: no such file")
        if path.is_dir():
            raise VideoError(f"{name}: is a directory, not a video")
        if not os.access(path, os.R_OK):
            raise VideoError(f"{name}: permission denied")
        if path.stat().st_size == 0:
            raise VideoError(f"{name}: the file is empty (0 bytes), not a video")
        # FFmpeg only: other backends (e.g. the image-sequence reader) accept odd things.
        cap = cv2.VideoCapture(name, cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise VideoError(f"{name}: not a readable video (unknown format, or corrupt/truncated)")
        src = VideoSource(cap, name, is_camera=False, mirror=mirror)
    # Decode one frame now so "opens but nothing decodes" is reported here, at the door.
    try:
        first = src.read()
    except VideoError:
        src.close()
        raise
    if first is None:
        src.close()
        raise VideoError(f"{name}: no decodable frames (corrupt, truncated or zero-length video)")
    if src.size != (first.rgb.shape[1], first.rgb.shape[0]):
        src.size = (first.rgb.shape[1], first.rgb.shape[0])  # trust pixels over metadata
    src._pending, src._held = first, None
    return src


def prefetch(frames: Iterator[VideoFrame], depth: int = 4) -> Iterator[VideoFrame]:
    """Decode on a reader thread, ``depth`` frames ahead, so decoding overlaps inference.

    Errors raised by the reader (e.g. a truncated file) re-raise in the consumer at the
    point where the stream broke. Stops the reader if the consumer stops early.
    """
    q: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    _END = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def reader() -> None:
        try:
            for f in frames:
                if not put(f):
                    return
            put(_END)
        except BaseException as e:  # handed to the consumer, re-raised there
            put(e)

    th = threading.Thread(target=reader, name="video-prefetch", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        th.join(timeout=2.0)
