"""Segmentation track files: ``dance track VIDEO -o OUT.npz --what segmentation``.

Contract (docs/architecture.md): ``mask`` uint8 (T, h, w), the person probability x 255
at the frame's size scaled so its longer side is 256 px; ``t`` float64 (T,) seconds from
the start (index / fps); ``fps``; ``size`` = (width, height) of the video; ``kind`` =
"segmentation"; ``version``. Every frame is processed, none dropped.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pose.errors import TrackError

KIND = "segmentation"
SEGMENTATION_TRACK_VERSION = 1
MASK_LONG_SIDE_PX = 256


@dataclass(frozen=True, eq=False)
class SegmentationTrack:
    """A video's person masks.

    mask: (T, h, w) uint8 probability x 255; (h, w) is the frame scaled so its longer
        side is 256 px. t: (T,) float64 seconds. fps: the video's frame rate.
    size: (width, height) of the video's frames in pixels.
    """

    mask: np.ndarray
    t: np.ndarray
    fps: float
    size: tuple[int, int]
    version: int = SEGMENTATION_TRACK_VERSION

    def __post_init__(self) -> None:
        m = np.asarray(self.mask)
        t = np.asarray(self.t, dtype=np.float64)
        if m.dtype != np.uint8 or m.ndim != 3:
            raise ValueError(f"mask must be (T, h, w) uint8, got {m.dtype} shape {m.shape}")
        if t.shape != (m.shape[0],):
            raise ValueError(f"t must be ({m.shape[0]},) to match mask, got {t.shape}")
        w, h = (int(v) for v in self.size)
        object.__setattr__(self, "mask", m)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "size", (w, h))
        object.__setattr__(self, "fps", float(self.fps))

    def __len__(self) -> int:
        return int(self.mask.shape[0])

    @property
    def person_fraction(self) -> np.ndarray:
        """(T,) share of each frame covered by the person (probability > 0.5)."""
        if not len(self):
            return np.zeros(0)
        return (self.mask > 127).reshape(len(self), -1).mean(1)

    def save(self, path: str | os.PathLike) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            np.savez_compressed(f, mask=self.mask, t=self.t, fps=np.float64(self.fps),
                                size=np.asarray(self.size, np.int64), kind=np.str_(KIND),
                                version=np.int64(self.version))
        return p

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SegmentationTrack":
        try:
            with np.load(path, allow_pickle=False) as z:
                kind = str(z["kind"]) if "kind" in z.files else "body"
                if kind != KIND:
                    raise TrackError(f"{path}: a {kind} track, not a segmentation track")
                version = int(z["version"])
                if version > SEGMENTATION_TRACK_VERSION:
                    raise TrackError(f"{path}: segmentation track version {version} is newer than this "
                                     f"program ({SEGMENTATION_TRACK_VERSION})")
                return cls(z["mask"], z["t"], float(z["fps"]), tuple(int(v) for v in z["size"]), version)
        except FileNotFoundError:
            raise TrackError(f"{path}: no such track file") from None
        except (OSError, ValueError, KeyError) as e:
            raise TrackError(f"{path}: not a segmentation track ({e})") from None


def track_segmentation(video: str | os.PathLike, *, smooth: bool = True, variant: str = "auto",
                       threads: int | None = None, progress: bool | None = None):
    """Segment every frame of ``video`` -> (SegmentationTrack, pose.cli_track.TrackRun).

    variant: "general", "landscape", or "auto": landscape for frames wider than tall
    (mediapipe's advice for model_selection=1), else general.
    Raises VideoError for a bad video and ModelError for a missing model.
    """
    from tqdm import tqdm

    from pose.cli_track import TrackRun
    from pose.segmentation.segmenter import SelfieSegmenter, long_side_size
    from pose.video import open_video

    with open_video(video) as src:
        if variant == "auto":
            variant = "landscape" if src.size[0] > src.size[1] else "general"
        seg = SelfieSegmenter(variant, smooth=smooth, mask_long_side_px=MASK_LONG_SIDE_PX, threads=threads)
        w, h = long_side_size(src.size, MASK_LONG_SIDE_PX)
        masks: list[np.ndarray] = []
        times: list[float] = []
        bar = tqdm(total=src.frame_count, unit="frame", desc=Path(src.name).name,
                   disable=(not progress) if progress is not None else None, leave=False, file=sys.stderr)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            for f in src:
                masks.append(seg.process(f.rgb, f.timestamp_s).to_uint8())
                times.append(f.timestamp_s)
                bar.update(1)
        finally:
            wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            bar.close()
        stack = np.stack(masks) if masks else np.zeros((0, h, w), np.uint8)
        track = SegmentationTrack(stack, np.asarray(times), src.fps, src.size)
    return track, TrackRun(len(masks), wall_s, len(masks) / src.fps, cpu_s)


def summary(out: Path, track: SegmentationTrack, run, smooth: bool) -> str:
    """The one line ``dance track`` prints after writing a segmentation track."""
    w, h = track.size
    frac = track.person_fraction
    found = float((frac > 0.005).mean()) if len(track) else 0.0
    return (f"{out}: {len(track)} frames ({w}x{h} @ {track.fps:g} fps), masks {track.mask.shape[2]}x"
            f"{track.mask.shape[1]}, person in {found:.1%} of frames, {run.ms_per_frame:.1f} ms/frame, "
            f"{run.realtime_factor:.2f}x real time{'' if smooth else ', unsmoothed'}")


def write_track(video: str | os.PathLike, out: str | os.PathLike, *, smooth: bool = True,
                quiet: bool = False) -> int:
    """``dance track VIDEO -o OUT --what segmentation``: segment, save, print one line; exit code."""
    from pose.errors import DanceError

    out = Path(out)
    track, run = track_segmentation(video, smooth=smooth, progress=False if quiet else None)
    try:
        track.save(out)
    except OSError as e:
        raise DanceError(f"cannot write {out}: {e.strerror or e}") from None
    print(summary(out, track, run, smooth))
    if len(track) and not (track.person_fraction > 0.005).any():
        print(f"dance track: warning: nobody was found in {video}", file=sys.stderr)
    return 0
