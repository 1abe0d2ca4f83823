"""Freeze Dance content: the ``dance new --mode freeze`` template.

A Freeze Dance song is an ordinary choreography (same loader, schema and line:col messages)
with ``mode: freeze`` and a ``cue`` on each move: ``dance`` while the music plays, ``freeze``
while it is silent. The loader checks the cues (content.cues).
"""
from __future__ import annotations

import json


def windows(pattern: list[tuple[str, int]], first_beat: int = 0) -> list[tuple[str, int, int]]:
    """[(cue, beats)] -> [(cue, start beat, beats)] back to back from ``first_beat``."""
    out, beat = [], first_beat
    for cue, beats in pattern:
        out.append((cue, beat, beats))
        beat += beats
    return out


TEMPLATE_PATTERN = [("dance", 8), ("freeze", 4), ("dance", 8), ("freeze", 4), ("dance", 6), ("freeze", 6)]


def template_yaml(title: str, bpm: float) -> str:
    lines = [
        "# yaml-language-server: $schema=../choreography.schema.json",
        "# A Freeze Dance song. Check it with: dance validate THIS_FILE",
        "# Each move is a window on the beat grid with a cue:",
        "#   cue: dance    the music plays and the child keeps moving",
        "#   cue: freeze   the music stops and the child stands still as a statue",
        "# Make the music silent during every freeze window (the child listens for it).",
        "format: 1",
        "mode: freeze",
        f"title: {json.dumps(title)}",
        "video: video.mp4",
        "audio: music.ogg",
        "# The coach's poses: dance track video.mp4 -o video.npz",
        "pose_track: video.npz",
        f"bpm: {bpm:g}",
        "offset: 0",
        "mirror: true",
        "difficulty: easy",
        "moves:",
    ]
    n = {"dance": 0, "freeze": 0}
    for cue, start, beats in windows(TEMPLATE_PATTERN):
        n[cue] += 1
        name = f"Dance {n[cue]}" if cue == "dance" else f"Freeze {n[cue]}"
        tip = "Dance, dance, dance!" if cue == "dance" else "Freeze! Be a statue!"
        lines += [f"  - name: {json.dumps(name)}", f"    start: {start}", f"    beats: {beats}",
                  f"    cue: {cue}", f"    tip: {json.dumps(tip)}"]
        if cue == "freeze" and n[cue] == 3:
            lines.append("    gold: true")
    return "\n".join(lines) + "\n"
