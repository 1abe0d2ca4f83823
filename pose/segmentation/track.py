"""Segmentation track files: ``dance track VIDEO -o OUT.npz --what segmentation``.

Contract (docs/architecture.md): ``mask`` uint8 (T, h, w), the person probability x 255
at the frame's size scaled so its longer side is 256 px; ``t`` float64 (T,) seconds from
the start (index / fps); ``fps``; ``size`` = (width, height) of the video; ``kind`` =
"segmentation"; ``version``. Every frame is processed, none dropped.
"""
from __future__ import annotations

import os
import sys
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
        """Write the track file (atomically, with the fields every track file has)."""
        from pose.track_kinds import save_track

        return save_track(path, KIND, self.t, self.fps, self.size, mask=self.mask)

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
                       threads: int | None = None, prefetch: bool | None = None, progress: bool | None = None):
    """Segment every frame of ``video`` -> (SegmentationTrack, pose.track_kinds.VideoRun).

    variant: "general", "landscape", or "auto": landscape for frames wider than tall
    (mediapipe's advice for model_selection=1), else general.
    Raises VideoError for a bad video and ModelError for a missing model.
    """
    from pose.segmentation.segmenter import SelfieSegmenter, long_side_size
    from pose.track_kinds import run_video
    from pose.video import open_video

    if variant == "auto":
        with open_video(video) as src:  # a bad video fails here, before the model loads
            w, h = src.size
        variant = "landscape" if w > h else "general"
    seg = SelfieSegmenter(variant, smooth=smooth, mask_long_side_px=MASK_LONG_SIDE_PX, threads=threads)
    run = run_video(video, lambda rgb, t_s: seg.process(rgb, t_s).to_uint8(), prefetch=prefetch,
                    progress=progress)
    mw, mh = long_side_size(run.size, MASK_LONG_SIDE_PX)
    stack = np.stack(run.results) if run.results else np.zeros((0, mh, mw), np.uint8)
    return SegmentationTrack(stack, run.t, run.fps, run.size), run


def summary(out: Path, track: SegmentationTrack, run, smooth: bool) -> str:
    """The one line ``dance track`` prints after writing a segmentation track."""
    w, h = track.size
    frac = track.person_fraction
    found = float((frac > 0.005).mean()) if len(track) else 0.0
    return (f"{out}: {len(track)} frames ({w}x{h} @ {track.fps:g} fps), masks {track.mask.shape[2]}x"
            f"{track.mask.shape[1]}, person in {found:.1%} of frames, {run.ms_per_frame:.1f} ms/frame, "
            f"{run.realtime_factor:.2f}x real time{'' if smooth else ', unsmoothed'}")


def write_segmentation_track(video: Path, out: Path, opts) -> str:
    """``dance track VIDEO -o OUT --what segmentation``: segment, save; the line to print."""
    from pose.errors import DanceError

    track, run = track_segmentation(video, smooth=opts.smooth, threads=opts.threads, prefetch=opts.prefetch,
                                    progress=opts.progress)
    try:
        track.save(out)
    except OSError as e:
        raise DanceError(f"cannot write {out}: {e.strerror or e}") from None
    if len(track) and not (track.person_fraction > 0.005).any():
        print(f"dance track: warning: nobody was found in {video}", file=sys.stderr)
    return summary(Path(out), track, run, opts.smooth)


def _register() -> None:
    from pose import track_kinds

    track_kinds.register(KIND, write_segmentation_track)


_register()
