"""Music for choreographies through the ffmpeg binary that ships with imageio-ffmpeg.

No system ffmpeg is assumed. A video without an audio stream has no music to extract: the
choreography then has no ``audio`` and the game plays on a wall clock.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from content.media import MediaError, ffmpeg_exe, probe_media

_TIMEOUT_S = 600

probe = probe_media  # streams and duration of any media file


def extract_audio(video: str | Path, out_ogg: str | Path) -> Path | None:
    """Write the first audio stream of ``video`` as Ogg Vorbis; None if it has no audio.

    Ogg Vorbis because pygame's mixer plays it everywhere and it is free of patents.
    Written to a temporary name first, so a failure never leaves a half-written file.
    """
    video, out_ogg = Path(video), Path(out_ogg)
    if not probe_media(video).has_audio:
        return None
    out_ogg.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_ogg.with_name(f".{out_ogg.name}.tmp.ogg")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(video),
           "-vn", "-map", "0:a:0", "-c:a", "libvorbis", "-q:a", "5", str(tmp)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as e:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"{video}: could not extract audio ({e})") from None
    if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise MediaError(f"{video}: could not extract audio ({last})")
    tmp.replace(out_ogg)
    return out_ogg
