"""Hand Jive: gesture cues on the beat (thumbs up, peace sign, high five, fist, point up),
with the left, right or both hands; judged on the right gesture, the right hand and timing.

Pipelines: hands (scored) and body (step-in framing and the skeleton on the camera view).
Content: a choreography with ``mode: hand_jive``; each move's cue is ``gesture/hand``.
"""
from __future__ import annotations

from game.modes.base import Mode


def play_scene(app, game, choreo_path):
    from game.modes.hand_jive.scene import HandJivePlayScene

    return HandJivePlayScene(app, game, choreo_path)


def make_scorer(choreo, ref_track, latency_s: float, difficulty: str | None):
    from scoring.hand_jive import HandJiveScorer

    return HandJiveScorer(choreo, ref_track, latency_s=latency_s, difficulty=difficulty)


def template(title: str, bpm: float) -> str:
    import json

    cues = ["thumbs_up/right", "victory/left", "open_palm/both", "fist/right", "point_up/left", "thumbs_up/both"]
    lines = [
        "# yaml-language-server: $schema=../choreography.schema.json",
        "# A Hand Jive song. Check it with: dance validate THIS_FILE",
        "# Each move shows one gesture cue on the beat: cue: GESTURE/HAND with",
        "#   GESTURE: thumbs_up | victory | open_palm | fist | point_up",
        "#   HAND:    left | right | both   (the child's own hand)",
        "format: 1", "mode: hand_jive", f"title: {json.dumps(title)}",
        "video: video.mp4", "audio: music.ogg", "pose_track: video.npz",
        f"bpm: {bpm:g}", "offset: 0", "mirror: true", "difficulty: easy", "moves:",
    ]
    for i, cue in enumerate(cues):
        lines += [f"  - name: {json.dumps(cue.replace('_', ' ').replace('/', ', ') )}", f"    start: {4 + 4 * i}",
                  "    beats: 4", f"    cue: {cue}", "    tip: \"Show it on the beat!\""]
    return "\n".join(lines) + "\n"


MODE = Mode(
    name="hand_jive",
    title="Hand Jive",
    tagline="Show the hand signs on the beat!",
    how_to="Copy the hand sign with the right hand, right on the beat.",
    pipelines=("hands", "body"),
    play_scene=play_scene,
    make_scorer=make_scorer,
    colour=(70, 230, 160),
    template=template,
)
