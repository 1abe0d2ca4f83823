"""Pose tracks: a whole video's poses in the `.npz` format of architecture.md.

landmarks float32 (T, 33, 4): x, y normalised [0, 1], z (x scale), visibility; NaN rows
    where nobody was found.
world float32 (T, 33, 3): metres, hip-centred; NaN likewise.
t float64 (T,): seconds from the start of the video.
fps, size = (width, height), skeleton = "blazepose33", version, kind = "body".
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from pose.errors import TrackError
from pose.frame import PoseFrame
from pose.landmarks import NUM_LANDMARKS, SKELETON

TRACK_VERSION = 1


@dataclass(frozen=True, eq=False)
class PoseTrack:
    """A sequence of poses sampled at video frame times. Shapes in the module docstring."""

    landmarks: np.ndarray
    world: np.ndarray
    t: np.ndarray
    fps: float
    size: tuple[int, int]
    skeleton: str = SKELETON
    version: int = TRACK_VERSION

    def __post_init__(self) -> None:
        lm = np.asarray(self.landmarks, dtype=np.float32)
        world = np.asarray(self.world, dtype=np.float32)
        t = np.asarray(self.t, dtype=np.float64)
        if lm.ndim != 3 or lm.shape[1:] != (NUM_LANDMARKS, 4):
            raise TrackError(f"landmarks must be (T, 33, 4), got {lm.shape}")
        if world.shape != (lm.shape[0], NUM_LANDMARKS, 3):
            raise TrackError(f"world must be ({lm.shape[0]}, 33, 3), got {world.shape}")
        if t.shape != (lm.shape[0],):
            raise TrackError(f"t must be ({lm.shape[0]},), got {t.shape}")
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise TrackError(f"fps must be > 0, got {self.fps}")
        if t.size and (not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0)):
            raise TrackError("t must be finite and strictly increasing")
        object.__setattr__(self, "landmarks", lm)
        object.__setattr__(self, "world", world)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "fps", float(self.fps))
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def found(self) -> np.ndarray:
        """(T,) bool: a person was found in the frame."""
        return ~np.isnan(self.landmarks[:, 0, 0])

    @property
    def duration_s(self) -> float:
        return len(self) / self.fps if len(self) else 0.0

    @property
    def detection_rate(self) -> float:
        return float(self.found.mean()) if len(self) else 0.0

    @classmethod
    def from_frames(
        cls,
        frames: Iterable[PoseFrame | None],
        t: Iterable[float],
        fps: float,
        size: tuple[int, int],
    ) -> "PoseTrack":
        """Stack per-frame results (None = nobody found) into a track."""
        frames = list(frames)
        n = len(frames)
        lm = np.full((n, NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
        world = np.full((n, NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
        for i, f in enumerate(frames):
            if f is None:
                continue
            lm[i] = f.landmarks
            if f.world is not None:
                world[i] = f.world
        return cls(lm, world, np.fromiter(t, dtype=np.float64, count=n), fps, size)

    def frame(self, i: int) -> PoseFrame | None:
        """Frame i as a PoseFrame, or None where nobody was found."""
        if not self.found[i]:
            return None
        w = self.world[i]
        return PoseFrame(
            landmarks=self.landmarks[i],
            world=None if np.isnan(w).any() else w,
            presence=1.0,
            timestamp_s=float(self.t[i]),
            image_size=self.size,
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write atomically: a crash never leaves a half-written track at ``path``."""
        from pose.track_kinds import save_npz

        return save_npz(path, landmarks=self.landmarks, world=self.world, t=self.t, fps=np.float64(self.fps),
                        size=np.asarray(self.size, dtype=np.int64), skeleton=np.str_(self.skeleton),
                        version=np.int64(self.version), kind=np.str_("body"))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PoseTrack":
        """Read and check a track; any problem is a TrackError naming the file."""
        path = Path(path)
        if not path.is_file():
            raise TrackError(f"{path}: pose track not found")
        try:
            with np.load(path, allow_pickle=False) as z:
                missing = {"landmarks", "world", "t", "fps", "size", "skeleton"} - set(z.files)
                if missing:
                    raise TrackError(f"{path}: not a pose track (missing {', '.join(sorted(missing))})")
                skeleton = str(z["skeleton"])
                if skeleton != SKELETON:
                    raise TrackError(f"{path}: skeleton {skeleton!r} is not {SKELETON!r}")
                version = int(z["version"]) if "version" in z.files else TRACK_VERSION
                if version > TRACK_VERSION:
                    raise TrackError(f"{path}: track version {version} is newer than this program ({TRACK_VERSION})")
                size = tuple(int(v) for v in np.asarray(z["size"]).ravel()[:2])
                return cls(z["landmarks"], z["world"], z["t"], float(z["fps"]), size, skeleton, version)
        except TrackError as e:
            if str(e).startswith(str(path)):
                raise
            raise TrackError(f"{path}: {e}") from None
        except OSError as e:
            raise TrackError(f"{path}: cannot read the pose track ({e.strerror or e.__class__.__name__})") from None
        except (ValueError, KeyError, zipfile.BadZipFile, EOFError):
            # numpy's own text for these can suggest loading the file with pickle enabled,
            # which would run code from an untrusted file: never pass that advice on.
            raise TrackError(f"{path}: not a pose track (damaged, or not an .npz written by `dance track`); "
                             "make it again with: dance track VIDEO -o TRACK.npz") from None
