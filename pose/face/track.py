"""Face tracks: a whole video's face mesh in the ``dance track --what face`` format.

face float32 (T, 468, 3): x, y normalised to the frame, z on x's scale; rows of NaN where
    no face was found.
t float64 (T,): seconds from the start of the video; fps; size = (width, height);
kind = "face"; version. Importing this module registers the ``dance track --what face``
writer with pose.track_kinds.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from pose import track_kinds
from pose.errors import TrackError
from pose.face.mesh import NUM_FACE_LANDMARKS
from pose.face.result import FaceResult

KIND = "face"
FACE_TRACK_VERSION = track_kinds.TRACK_KIND_VERSION


@dataclass(frozen=True, eq=False)
class FaceTrack:
    """One face per frame over a video; shapes in the module docstring."""

    face: np.ndarray
    t: np.ndarray
    fps: float
    size: tuple[int, int]
    version: int = FACE_TRACK_VERSION

    def __post_init__(self) -> None:
        face = np.asarray(self.face, dtype=np.float32)
        t = np.asarray(self.t, dtype=np.float64)
        if face.ndim != 3 or face.shape[1:] != (NUM_FACE_LANDMARKS, 3):
            raise TrackError(f"face must be (T, 468, 3), got {face.shape}")
        if t.shape != (face.shape[0],):
            raise TrackError(f"t must be ({face.shape[0]},), got {t.shape}")
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise TrackError(f"fps must be > 0, got {self.fps}")
        if t.size and (not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0)):
            raise TrackError("t must be finite and strictly increasing")
        rows = np.isfinite(face).reshape(len(face), -1)
        if (rows.any(axis=1) & ~rows.all(axis=1)).any():
            raise TrackError("a frame's face must be all finite (found) or all NaN (none)")
        object.__setattr__(self, "face", face)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "fps", float(self.fps))
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def found(self) -> np.ndarray:
        """(T,) bool: a face in that frame."""
        return np.isfinite(self.face[:, 0, 0])

    @classmethod
    def from_results(cls, results: Sequence[FaceResult], times_s: Sequence[float], fps: float,
                     size: tuple[int, int]) -> "FaceTrack":
        face = np.full((len(results), NUM_FACE_LANDMARKS, 3), np.nan, np.float32)
        for i, r in enumerate(results):
            if r.found:
                face[i] = r.landmarks
        return cls(face, np.asarray(times_s, np.float64), fps, size)

    def save(self, path: str | os.PathLike) -> Path:
        """Write atomically (track_kinds.save_track): a crash never leaves half a file."""
        return track_kinds.save_track(path, KIND, self.t, self.fps, self.size, face=self.face)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "FaceTrack":
        """Read and check a face track; any problem is a one-line TrackError naming the file."""
        path = Path(path)
        if not path.is_file():
            raise TrackError(f"{path}: face track not found")
        try:
            with np.load(path, allow_pickle=False) as z:
                missing = {"face", "t", "fps", "size", "kind"} - set(z.files)
                if missing:
                    raise TrackError(f"{path}: not a face track (missing {', '.join(sorted(missing))})")
                if str(z["kind"]) != KIND:
                    raise TrackError(f"{path}: kind {str(z['kind'])!r} is not {KIND!r}")
                version = int(z["version"]) if "version" in z.files else FACE_TRACK_VERSION
                if version > FACE_TRACK_VERSION:
                    raise TrackError(f"{path}: face track version {version} is newer than this program "
                                     f"({FACE_TRACK_VERSION})")
                size = tuple(int(v) for v in np.asarray(z["size"]).ravel()[:2])
                return cls(z["face"], z["t"], float(z["fps"]), size, version)
        except TrackError as e:
            if str(e).startswith(str(path)):
                raise
            raise TrackError(f"{path}: {e}") from None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as e:
            raise TrackError(f"{path}: not a readable face track ({e.__class__.__name__}: {e})") from None


def track_face_video(video: str | os.PathLike, *, smooth: bool = True, threads: int = 1,
                     detector_range: str = "short", prefetch: bool | None = None,
                     progress: bool | None = None) -> tuple[FaceTrack, track_kinds.VideoRun]:
    """Track the face in every frame of ``video`` (timestamps = frame index / fps).

    Raises VideoError for a bad video and ModelError (the one-line fetch hint) for a
    missing model.
    """
    from pose.face.tracker import FaceTracker

    tracker = FaceTracker(detector_range, smooth=smooth, threads=threads)
    run = track_kinds.run_video(video, tracker.process, prefetch=prefetch, progress=progress)
    return FaceTrack.from_results(run.results, run.t, run.fps, run.size), run


def write_face_track(video: Path, out: Path, opts: track_kinds.TrackOptions) -> str:
    """``dance track VIDEO -o OUT --what face``: write the face track, return the summary line.

    The mesh runs on one LiteRT thread whatever ``opts.threads`` says above 1: on 2 cores
    the small face models are faster on one (benchmarks/bench_face.py).
    """
    track, run = track_face_video(video, smooth=opts.smooth, threads=1, prefetch=opts.prefetch,
                                  progress=opts.progress)
    try:
        track.save(out)
    except OSError as e:
        from pose.errors import DanceError

        raise DanceError(f"cannot write {out}: {e.strerror or e}") from None
    w, h = track.size
    found = float(track.found.mean()) if len(track) else 0.0
    return (f"{out}: {len(track)} frames ({w}x{h} @ {track.fps:g} fps, {run.video_s:.2f} s), "
            f"face found in {found:.1%}, {run.ms_per_frame:.1f} ms/frame, {run.realtime_factor:.2f}x real time"
            f"{'' if opts.smooth else ', unsmoothed'}")


track_kinds.register(KIND, write_face_track)
