"""Audio for choreographies through the ffmpeg binary that ships with imageio-ffmpeg.

No system ffmpeg is assumed. A video without an audio stream has no music to extract: the
choreography then has no ``audio`` and the game plays on a wall clock.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pose.errors import DanceError

_TIMEOUT_S = 600


class AudioError(DanceError):
    """ffmpeg could not read or write an audio stream."""


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as e:  # the package's binary is missing on this platform
        raise AudioError(f"no ffmpeg binary available from imageio-ffmpeg ({e})") from None


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about a media file's streams (duration_s None when unknown)."""

    has_video: bool
    has_audio: bool
    duration_s: float | None


def probe(path: str | Path) -> MediaInfo:
    """Streams and duration of a media file, from ``ffmpeg -i`` (which always 'fails')."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: file not found")
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True, errors="replace", timeout=_TIMEOUT_S)
    info = proc.stderr
    if "Invalid data found" in info or "Stream #" not in info:
        raise AudioError(f"{path}: not a media file ffmpeg can read")
    streams = [line for line in info.splitlines() if line.strip().startswith("Stream #")]
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", info)
    duration_s = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) if m else None
    return MediaInfo(
        has_video=any(": Video:" in s for s in streams),
        has_audio=any(": Audio:" in s for s in streams),
        duration_s=duration_s,
    )


def extract_audio(video: str | Path, out_ogg: str | Path) -> Path | None:
    """Write the first audio stream of ``video`` as Ogg Vorbis; None if it has no audio.

    Ogg Vorbis because pygame's mixer plays it everywhere and it is free of patents.
    """
    video, out_ogg = Path(video), Path(out_ogg)
    if not probe(video).has_audio:
        return None
    out_ogg.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_ogg.with_name(f".{out_ogg.name}.tmp.ogg")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
           "-vn", "-map", "0:a:0", "-c:a", "libvorbis", "-q:a", "5", str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=_TIMEOUT_S)
    if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise AudioError(f"{video}: could not extract audio ({last})")
    tmp.replace(out_ogg)
    return out_ogg
