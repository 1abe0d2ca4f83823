"""What ``dance track --what KIND`` can write: one writer per kind, registered by name.

A writer turns a video into a track file and returns the one-line summary the CLI prints:

    def write_face_track(video: Path, out: Path, opts: TrackOptions) -> str: ...
    register("face", write_face_track)

Kinds whose pipeline is not built yet are listed in KINDS so the CLI can name them; their
module in PLUGINS is imported on first use and calls ``register`` itself. Until it exists,
asking for the kind is a one-line "not available yet" error. Every file has ``t`` float64
(T,), ``fps``, ``size`` = (width, height), ``kind`` and ``version`` (``save_track`` writes
them); the fields per kind are in docs/tracks.md.
"""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pose.errors import DanceError

KINDS = ("body", "face", "hands", "segmentation")
# kind -> the module that registers its writer when imported (one line per pipeline).
PLUGINS: dict[str, str] = {
    "body": "pose.cli_track",
    "face": "pose.face.track",
    "hands": "pose.hands.track",
    "segmentation": "pose.segmentation.track",
}
TRACK_KIND_VERSION = 1


@dataclass(frozen=True)
class TrackOptions:
    """What every writer is given besides the video and the output path.

    smooth: apply the pipeline's temporal filters (``--no-smooth`` turns them off);
    threads: inference threads; prefetch: decode on a reader thread (None: by CPU count);
    progress: a progress bar on stderr (None: only on a terminal).
    """

    smooth: bool = True
    threads: int = 2
    prefetch: bool | None = None
    progress: bool | None = None


Writer = Callable[[Path, Path, TrackOptions], str]
_WRITERS: dict[str, Writer] = {}


def register(kind: str, writer: Writer) -> None:
    """Make ``dance track --what kind`` call ``writer(video, out, opts) -> summary line``."""
    if kind not in KINDS:
        raise ValueError(f"unknown track kind {kind!r}; known: {', '.join(KINDS)}")
    _WRITERS[kind] = writer


def writer_for(kind: str) -> Writer:
    """The registered writer of ``kind``, importing its plugin module on first use."""
    if kind not in KINDS:
        raise DanceError(f"unknown track kind {kind!r}; known: {', '.join(KINDS)}")
    _load(kind)
    if kind not in _WRITERS:
        raise DanceError(f"--what {kind}: not available yet (this build tracks: {', '.join(available())})")
    return _WRITERS[kind]


def _load(kind: str) -> None:
    """Import the plugin module of ``kind`` if it exists and has not registered yet."""
    module = PLUGINS.get(kind)
    if kind in _WRITERS or module is None:
        return
    try:
        if module in sys.modules:  # imported while the registry was another (tests swap it)
            importlib.reload(sys.modules[module])
        else:
            importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name is None or not module.startswith(e.name):
            raise  # the plugin exists but one of its imports is missing: a real error


def available() -> list[str]:
    """The kinds with a writer (importing every plugin that exists)."""
    for kind in KINDS:
        _load(kind)
    return [k for k in KINDS if k in _WRITERS]


@dataclass(frozen=True)
class VideoRun:
    """A whole video through one per-frame function: its results, timestamps and timings.

    results: one per frame (whatever ``process`` returned); t (T,) seconds = index / fps;
    fps; size (width, height); wall_s / cpu_s: decode + processing time; video_s: T / fps.
    """

    results: list[Any]
    t: np.ndarray
    fps: float
    size: tuple[int, int]
    wall_s: float
    cpu_s: float

    @property
    def video_s(self) -> float:
        return len(self.results) / self.fps if self.fps else 0.0

    @property
    def ms_per_frame(self) -> float:
        return self.wall_s * 1e3 / len(self.results) if self.results else 0.0

    @property
    def realtime_factor(self) -> float:
        return self.video_s / self.wall_s if self.wall_s > 0 else float("inf")


def run_video(video: str | os.PathLike, process: Callable[[np.ndarray, float], Any], *,
              prefetch: bool | None = None, progress: bool | None = None) -> VideoRun:
    """Call ``process(rgb (H, W, 3) uint8, timestamp_s)`` on every frame of ``video``.

    Every frame is processed (none dropped); timestamps are frame index / fps. Raises
    VideoError for a bad video.
    """
    from tqdm import tqdm

    from pose.video import open_video, prefetch as prefetched

    if prefetch is None:
        prefetch = (os.cpu_count() or 1) >= PREFETCH_MIN_CPUS
    with open_video(video) as src:
        frames = prefetched(iter(src)) if prefetch else iter(src)
        results, times = [], []
        bar = tqdm(total=src.frame_count, unit="frame", desc=Path(src.name).name,
                   disable=(not progress) if progress is not None else None, leave=False, file=sys.stderr)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            for f in frames:
                results.append(process(f.rgb, f.timestamp_s))
                times.append(f.timestamp_s)
                bar.update(1)
        finally:
            wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            bar.close()
            if hasattr(frames, "close"):
                frames.close()  # stops the reader thread if we left early
        return VideoRun(results, np.asarray(times, np.float64), src.fps, src.size, wall_s, cpu_s)


# Overlapping decode with inference needs a core to spare (inference uses two).
PREFETCH_MIN_CPUS = 4


def save_npz(path: str | os.PathLike, **arrays: Any) -> Path:
    """Write arrays to ``path`` atomically: a crash never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        # mkstemp makes 0600 files; a track is ordinary content, readable like any other file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_track(path: str | os.PathLike, kind: str, t: np.ndarray, fps: float, size: tuple[int, int],
               **fields: Any) -> Path:
    """A track file of ``kind``: the common fields (t, fps, size, kind, version) + ``fields``."""
    if kind not in KINDS:
        raise ValueError(f"unknown track kind {kind!r}")
    return save_npz(path, t=np.asarray(t, np.float64), fps=np.float64(fps),
                    size=np.asarray(size, np.int64), kind=np.str_(kind),
                    version=np.int64(TRACK_KIND_VERSION), **fields)
