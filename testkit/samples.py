"""Real footage tracked by the project's own BodyTracker, once per process.

    from testkit.samples import real_track
    cam02 = real_track("Demo_SinglePerson/cam02")      # pose2sim, 60 fps, 1.7 s
    demo = real_track("sports2d/demo", cache_dir=tmp)  # Sports2D's demo, 30 fps

Names are pose.samples sample paths without ".mp4" (``dance samples fetch`` caches them).
With ``cache_dir`` a tracked file is kept as NAME.npz there and reused.
"""
from __future__ import annotations

import functools
from pathlib import Path

from pose.errors import DanceError
from pose.track import PoseTrack


@functools.cache
def _tracked(name: str, cache_dir: str | None) -> PoseTrack:
    from pose.cli_track import track_video
    from pose.samples import sample_path

    cached = Path(cache_dir) / (name.replace("/", "_") + ".npz") if cache_dir else None
    if cached is not None and cached.is_file():
        return PoseTrack.load(cached)
    video = Path(sample_path(f"{name}.mp4"))
    if not video.is_file():
        raise DanceError(f"sample video {name} is not cached: run `dance samples fetch`")
    track, _ = track_video(video, smooth=True, threads=1, progress=False)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        track.save(cached)
    return track


def real_track(name: str, cache_dir: str | Path | None = None) -> PoseTrack:
    """The pose track of a cached sample video (tracked at most once per process)."""
    return _tracked(name, None if cache_dir is None else str(cache_dir))
