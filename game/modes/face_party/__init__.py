"""Face Party: copy the coach's faces on the beat - big O mouth, smile, eyebrows up, wink,
head tilt - judged from the face mesh's signals; a crown, bunny ears or glasses ride on the
child's head on their camera view, following the face.

Pipelines: face (scored) and body (step-in framing). Content: ``mode: face_party``; each
move's cue is the face to make.
"""
from __future__ import annotations

from game.modes.base import Mode


def play_scene(app, game, choreo_path):
    from game.modes.face_party.scene import FacePartyPlayScene

    return FacePartyPlayScene(app, game, choreo_path)


def make_scorer(choreo, ref_track, latency_s: float, difficulty: str | None):
    from scoring.face_party import FacePartyScorer

    return FacePartyScorer(choreo, ref_track, latency_s=latency_s, difficulty=difficulty)


def template(title: str, bpm: float) -> str:
    import json

    cues = ["big_o", "smile", "eyebrows_up", "wink", "head_tilt", "smile"]
    lines = [
        "# yaml-language-server: $schema=../choreography.schema.json",
        "# A Face Party song. Check it with: dance validate THIS_FILE",
        "# Each move asks for one face on the beat: cue: big_o | smile | eyebrows_up | wink | head_tilt",
        "format: 1", "mode: face_party", f"title: {json.dumps(title)}",
        "video: video.mp4", "audio: music.ogg", "pose_track: video.npz",
        f"bpm: {bpm:g}", "offset: 0", "mirror: true", "difficulty: easy", "moves:",
    ]
    for i, cue in enumerate(cues):
        lines += [f"  - name: {json.dumps(cue.replace('_', ' ').title())}", f"    start: {4 + 4 * i}",
                  "    beats: 4", f"    cue: {cue}", "    tip: \"Copy the face!\""]
    return "\n".join(lines) + "\n"


MODE = Mode(
    name="face_party",
    title="Face Party",
    tagline="Pull the funny faces on the beat!",
    how_to="Copy the face: big O, smile, eyebrows up, wink, tilt!",
    pipelines=("face", "body"),
    play_scene=play_scene,
    make_scorer=make_scorer,
    colour=(255, 140, 50),
    template=template,
)
