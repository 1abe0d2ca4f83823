"""Fixtures for the scoring tests: real pose tracks made by the project's own BodyTracker.

Each sample video is tracked at most once per test session (about 1-3 s each on this box)
and only when a test asks for it.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_track(tmp_path_factory):
    """real_track("Demo_SinglePerson/cam01") -> PoseTrack of that cached sample video."""
    from pose.samples import sample_path

    out_dir = tmp_path_factory.mktemp("tracks")

    @functools.cache
    def get(name: str):
        from pose.cli_track import track_video

        video = Path(sample_path(f"{name}.mp4"))
        if not video.is_file():
            pytest.skip(f"sample video {name} not cached (run: dance samples fetch)")
        track, _ = track_video(video, smooth=True, threads=1, progress=False)
        track.save(out_dir / (name.replace("/", "_") + ".npz"))
        return track

    return get


def _yaml_moves(moves) -> str:
    lines = []
    for m in moves:
        name, start_s, end_s = m[0], m[1], m[2]
        extra = m[3] if len(m) > 3 else {}
        lines.append(f"  - name: {name}\n    start_s: {start_s}\n    end_s: {end_s}")
        if extra.get("parts"):
            lines.append("    parts: [" + ", ".join(extra["parts"]) + "]")
        if extra.get("gold"):
            lines.append("    gold: true")
        if extra.get("tip"):
            lines.append(f"    tip: {extra['tip']}")
    return "\n".join(lines)


@pytest.fixture
def make_choreo(tmp_path):
    """make_choreo(ref_track, moves, mirror=False, difficulty="normal") -> Choreography.

    Writes a real choreography folder (YAML + the reference pose track) and loads it with
    the project's loader. moves: [(name, start_s, end_s[, {parts, gold, tip}]), ...].
    """
    from content.loader import load_choreography

    counter = iter(range(10_000))

    def make(ref_track, moves, mirror: bool = False, difficulty: str = "normal"):
        folder = tmp_path / f"choreo{next(counter)}"
        folder.mkdir()
        ref_track.save(folder / "ref.npz")
        (folder / "dance.yaml").write_text(
            "format: 1\ntitle: Test dance\npose_track: ref.npz\nbpm: 120\noffset: 0\n"
            f"mirror: {'true' if mirror else 'false'}\ndifficulty: {difficulty}\nmoves:\n" + _yaml_moves(moves) + "\n"
        )
        return load_choreography(folder / "dance.yaml")

    return make


# Four ~0.4 s moves over the 1.67 s pose2sim clip (the last one gold).
CLIP_MOVES = [
    ("Swing in", 0.05, 0.45),
    ("Reach across", 0.45, 0.85),
    ("Lunge", 0.85, 1.25),
    ("Open up", 1.25, 1.65, {"gold": True}),
]


@pytest.fixture(scope="session")
def clip_moves():
    return list(CLIP_MOVES)


def warp_track(track, source_time_of, duration_s: float):
    """The player a warped copy of ``track``: at song time t it shows track at source_time_of(t).

    Frames are taken nearest-neighbour at the track's fps; outside the track -> nobody.
    """
    import numpy as np

    from pose.track import PoseTrack

    n = int(round(duration_s * track.fps))
    t_song = np.arange(n) / track.fps
    idx = np.rint(np.asarray(source_time_of(t_song), dtype=float) * track.fps).astype(int)
    ok = (idx >= 0) & (idx < len(track))
    lm = np.full((n, 33, 4), np.nan, np.float32)
    world = np.full((n, 33, 3), np.nan, np.float32)
    lm[ok] = track.landmarks[idx[ok]]
    world[ok] = track.world[idx[ok]]
    return PoseTrack(lm, world, t_song, track.fps, track.size)


@pytest.fixture(scope="session")
def warp():
    return warp_track
