"""Fixtures for the scoring tests: real pose tracks made by the project's own BodyTracker.

The helpers are the importable test kit's (testkit/): each sample video is tracked at most
once per test session (about 1-3 s each on this box) and only when a test asks for it.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def real_track():
    """real_track("Demo_SinglePerson/cam01") -> PoseTrack of that cached sample video
    (the test kit's: tracked once per process)."""
    from testkit.samples import real_track as get

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


@pytest.fixture(scope="session")
def warp():
    from testkit.players import warp_track

    return warp_track
