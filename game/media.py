"""The reference video and its music, in sync, on one song clock.

The music position is the master clock. ``pygame.mixer.music.get_pos()`` moves in coarse
steps (one audio buffer, ~20-90 ms), so ``MusicClock`` runs a smooth wall-clock estimate and
pulls it gently towards get_pos; the estimate never goes backwards. A choreography without
music runs on ``WallClock``; headless runs give ``WallClock`` the app's simulated time.

``VideoPlayer`` picks the frame for a song time. Live, a decoder thread reads ahead into a
small queue and frames whose time has passed are dropped, never shown late; headless, it
decodes on demand so runs are deterministic.
"""
from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable

import numpy as np

from pose.errors import VideoError
from pose.paths import cache_dir


class SongClock:
    """Song position in seconds. Subclasses say where time comes from."""

    duration_s: float = float("inf")

    def __init__(self, now_fn: Callable[[], float] = time.perf_counter) -> None:
        self._now = now_fn
        self._start_wall_s: float | None = None
        self._paused_at_s: float | None = None
        self._paused_total_s = 0.0
        self._offset_s = 0.0

    @property
    def started(self) -> bool:
        return self._start_wall_s is not None

    @property
    def paused(self) -> bool:
        return self._paused_at_s is not None

    def start(self, from_s: float = 0.0) -> None:
        self._offset_s = float(from_s)
        self._start_wall_s = self._now()
        self._paused_at_s = None
        self._paused_total_s = 0.0

    def pause(self) -> None:
        if self.started and not self.paused:
            self._paused_at_s = self._now()

    def resume(self) -> None:
        if self.paused:
            self._paused_total_s += self._now() - self._paused_at_s
            self._paused_at_s = None

    def stop(self) -> None:
        self._start_wall_s = None

    def wall_position_s(self) -> float:
        """Position by the wall clock alone."""
        if self._start_wall_s is None:
            return 0.0
        now = self._paused_at_s if self._paused_at_s is not None else self._now()
        return self._offset_s + (now - self._start_wall_s - self._paused_total_s)

    def position_s(self) -> float:
        return self.wall_position_s()

    def time_at_s(self, wall_s: float) -> float:
        """Song position at an earlier wall time (e.g. a camera frame's capture time)."""
        return self.position_s() - max(0.0, self._now() - wall_s)

    @property
    def finished(self) -> bool:
        return self.started and self.position_s() >= self.duration_s


class WallClock(SongClock):
    """No music: the wall clock (or the app's simulated clock) is the song."""

    def __init__(self, duration_s: float = float("inf"), now_fn: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(now_fn)
        self.duration_s = float(duration_s)


class MusicClock(SongClock):
    """pygame.mixer.music playback as the master clock, smoothed.

    The estimate is wall position + a skew; each time get_pos moves, the skew is pulled 10 %
    towards (get_pos - wall) so that the audio device, not the CPU clock, decides the pace
    over a whole song, while the picture never jumps by a buffer's length.
    """

    SKEW_GAIN = 0.1

    def __init__(self, audio: Path, duration_s: float | None = None,
                 now_fn: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(now_fn)
        import pygame

        self._music = pygame.mixer.music
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=44100, buffer=1024)
            self._music.load(str(audio))
        except pygame.error as e:
            raise VideoError(f"{audio}: cannot play the music ({e})") from None
        self.duration_s = float(duration_s) if duration_s else _audio_length_s(audio)
        self._skew_s = 0.0
        self._last_raw_ms = -1
        self._last_estimate_s = 0.0

    def start(self, from_s: float = 0.0) -> None:
        self._music.play(start=float(from_s)) if from_s > 0 else self._music.play()
        super().start(from_s)
        self._skew_s = 0.0
        self._last_raw_ms = -1
        self._last_estimate_s = from_s

    def pause(self) -> None:
        self._music.pause()
        super().pause()

    def resume(self) -> None:
        self._music.unpause()
        super().resume()

    def stop(self) -> None:
        self._music.stop()
        super().stop()

    def position_s(self) -> float:
        if not self.started:
            return 0.0
        wall = self.wall_position_s()
        raw_ms = self._music.get_pos()
        if raw_ms >= 0 and raw_ms != self._last_raw_ms and not self.paused:
            self._last_raw_ms = raw_ms
            self._skew_s += self.SKEW_GAIN * ((self._offset_s + raw_ms / 1000.0 - wall) - self._skew_s)
        est = wall + self._skew_s
        # Monotonic: a skew correction may slow the song clock down, never rewind it.
        self._last_estimate_s = max(self._last_estimate_s, est)
        return self._last_estimate_s

    @property
    def finished(self) -> bool:
        return self.started and not self.paused and (
            self.position_s() >= self.duration_s or (not self._music.get_busy() and self.position_s() > 0.5)
        )


def _audio_length_s(path: Path) -> float:
    try:
        import pygame

        return float(pygame.mixer.Sound(str(path)).get_length())
    except Exception:  # an unreadable length just means "until the music stops"
        return float("inf")


def extract_audio(video: Path) -> Path | None:
    """The video's sound track as a cached WAV (for a choreography with no audio file), or None."""
    import imageio_ffmpeg

    video = Path(video)
    key = hashlib.sha256(f"{video.resolve()}:{video.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    out = cache_dir() / "audio" / f"{video.stem}-{key}.wav"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.wav")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", str(video), "-vn",
           "-ac", "2", "-ar", "44100", "-f", "wav", str(tmp)]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0 or not tmp.is_file() or tmp.stat().st_size < 1024:
        tmp.unlink(missing_ok=True)
        return None  # no audio stream: the caller falls back to the wall clock
    tmp.replace(out)
    return out


def make_clock(audio: Path | None, video: Path | None, duration_s: float, *, headless: bool,
               now_fn: Callable[[], float]) -> SongClock:
    """Music clock when there is sound to play, else a wall clock (simulated when headless)."""
    if headless:
        return WallClock(duration_s, now_fn)
    if audio is None and video is not None:
        try:
            audio = extract_audio(video)
        except OSError:
            audio = None
    if audio is not None:
        try:
            clock = MusicClock(audio, duration_s, now_fn)
            return clock
        except VideoError:
            pass  # no audio device: the song still plays silently on the wall clock
    return WallClock(duration_s, now_fn)


class VideoPlayer:
    """Frames of the reference video by song time, scaled to ``size_px`` (w, h).

    threaded=True: a decoder thread keeps a few frames ahead; ``frame_at`` never blocks.
    threaded=False: decodes on demand (deterministic, for headless runs).
    Counters: frames_shown, frames_dropped.
    """

    AHEAD = 4

    def __init__(self, path: Path, size_px: tuple[int, int], *, threaded: bool = True) -> None:
        import cv2

        self._cv2 = cv2
        self.path = Path(path)
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise VideoError(f"{self.path}: cannot open the coach video")
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 30.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.native_size = (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.size_px = fit_size(self.native_size, size_px)
        self.duration_s = self.frame_count / self.fps if self.frame_count > 0 else float("inf")
        self.frames_shown = 0
        self.frames_dropped = 0
        self._next_index = 0  # index of the next frame the decoder will read
        self._current: tuple[int, np.ndarray] | None = None
        self._surface = None
        self._surface_index = -1
        self._threaded = threaded
        self._queue: deque[tuple[int, np.ndarray]] = deque()
        self._cond = threading.Condition()
        self._seek_to: int | None = None
        self._stop = False
        self._eof = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._decode_loop, name="coach-video", daemon=True)
            self._thread.start()

    # -- decoding ------------------------------------------------------------------------
    def _read(self) -> tuple[int, np.ndarray] | None:
        ok, bgr = self._cap.read()
        if not ok:
            return None
        idx = self._next_index
        self._next_index += 1
        # Area averaging looks best but costs ~5 ms a 1080p frame: fine on the decoder thread,
        # too much on the caller's thread in synchronous (headless) mode.
        interp = self._cv2.INTER_AREA if self._threaded else self._cv2.INTER_LINEAR
        rgb = self._cv2.cvtColor(self._cv2.resize(bgr, self.size_px, interpolation=interp), self._cv2.COLOR_BGR2RGB)
        return idx, rgb

    def _seek(self, index: int) -> None:
        self._cap.set(self._cv2.CAP_PROP_POS_FRAMES, index)
        self._next_index = index
        self._eof = False

    def _decode_loop(self) -> None:
        while True:
            with self._cond:
                while not self._stop and self._seek_to is None and (len(self._queue) >= self.AHEAD or self._eof):
                    self._cond.wait(0.1)
                if self._stop:
                    return
                if self._seek_to is not None:
                    self._seek(self._seek_to)
                    self._queue.clear()
                    self._seek_to = None
            item = self._read()  # outside the lock: decoding must not block the render loop
            with self._cond:
                if self._seek_to is not None:
                    continue
                if item is None:
                    self._eof = True
                else:
                    self._queue.append(item)
                self._cond.notify_all()

    # -- by song time --------------------------------------------------------------------
    def index_at(self, t_s: float) -> int:
        return int(np.floor(max(0.0, t_s) * self.fps + 1e-6))

    def frame_at(self, t_s: float):
        """The pygame Surface for song time ``t_s`` (latest decoded frame not after it), or None."""
        target = min(self.index_at(t_s), max(0, self.frame_count - 1)) if self.frame_count else self.index_at(t_s)
        if self._current is not None and target < self._current[0]:
            self._rewind(target)
        if self._threaded:
            with self._cond:
                while self._queue and self._queue[0][0] <= target:
                    if self._current is not None and self._current[0] != self._surface_index:
                        self.frames_dropped += 1
                    self._current = self._queue.popleft()
                self._cond.notify_all()
        else:
            while self._current is None or self._current[0] < target:
                if self._next_index < target:
                    # Skip frames we'd never show: grab() avoids colour conversion and scaling.
                    if not self._cap.grab():
                        break
                    self._next_index += 1
                    self.frames_dropped += 1
                    continue
                item = self._read()
                if item is None:
                    break
                self._current = item
        return self._to_surface()

    def _rewind(self, index: int) -> None:
        self._current = None
        if self._threaded:
            with self._cond:
                self._seek_to = index
                self._queue.clear()
                self._cond.notify_all()
        else:
            self._seek(index)

    def _to_surface(self):
        import pygame

        if self._current is None:
            return self._surface
        idx, rgb = self._current
        if idx != self._surface_index:
            self._surface = pygame.image.frombuffer(rgb.tobytes(), self.size_px, "RGB")
            self._surface_index = idx
            self.frames_shown += 1
        return self._surface

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._cap.release()


def fit_size(native: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest (w, h) with ``native``'s aspect ratio inside ``box``."""
    nw, nh = max(1, native[0]), max(1, native[1])
    scale = min(box[0] / nw, box[1] / nh)
    return max(1, int(round(nw * scale))), max(1, int(round(nh * scale)))
