"""What the choreography loader needs to know about media files: frame counts and lengths.

Video: cv2 (frame count and fps from the container, as the game's player sees them).
Audio: the ffmpeg binary shipped by imageio-ffmpeg (``ffmpeg -i`` prints the streams and
duration; no system ffmpeg or ffprobe assumed). Every failure is a one-line error.
"""
from __future__ import annotations

import math
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pose.errors import DanceError, VideoError

_TIMEOUT_S = 120


class MediaError(DanceError):
    """ffmpeg is missing or cannot read a media file."""


def probe_video(path: Path) -> tuple[int, float]:
    """(frame count, fps) of a video file, or VideoError (one line)."""
    # FFmpeg inside cv2 prints decoder complaints on stderr; we report one line instead.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise VideoError(f"cannot be read as a video: {path.name}")
        frames = int(round(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if frames <= 0 or not (math.isfinite(fps) and fps > 0):
            raise VideoError(f"cannot be read as a video (no frames or no frame rate): {path.name}")
        return frames, fps
    finally:
        cap.release()


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as e:  # no binary for this platform in the package
        raise MediaError(f"no ffmpeg binary available from imageio-ffmpeg ({e})") from None


@dataclass(frozen=True)
class MediaInfo:
    """Streams and duration of a media file (duration_s None when ffmpeg does not say)."""

    has_video: bool
    has_audio: bool
    duration_s: float | None


def probe_media(path: str | Path) -> MediaInfo:
    """Ask ffmpeg about a file's streams; MediaError if it is not media ffmpeg can read."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: file not found")
    try:
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True,
                              text=True, errors="replace", timeout=_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MediaError(f"{path}: ffmpeg failed ({e})") from None
    info = proc.stderr  # `ffmpeg -i` without an output always exits 1; the report is on stderr
    streams = [line for line in info.splitlines() if line.strip().startswith("Stream #")]
    if not streams:
        raise MediaError(f"{path.name}: not a media file ffmpeg can read")
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", info)
    duration_s = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) if m else None
    return MediaInfo(
        has_video=any(": Video:" in s for s in streams),
        has_audio=any(": Audio:" in s for s in streams),
        duration_s=duration_s,
    )
