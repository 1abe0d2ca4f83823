"""Helpers for the reports tests: realistic judgements and whole recorded sessions.

(A module of its own, not conftest.py: tests run with --import-mode=importlib, so
conftest is not importable; conftest.py puts this folder on sys.path.)
"""
from __future__ import annotations

import math
import random
import zlib
from pathlib import Path

from reports.store import SessionStore
from scoring.events import Judgement, Tier
from scoring.parts import BODY_PARTS

MOVE_NAMES = ["Bunny ears", "Hop hop", "Star jump", "Robot arms", "Twirl", "Big wave",
              "Stomp left", "Stomp right", "Penguin walk", "Freeze!"]


def tier_for(score: float) -> Tier:
    for threshold, tier in ((90, Tier.PERFECT), (75, Tier.GREAT), (55, Tier.GOOD), (35, Tier.OK)):
        if score >= threshold:
            return tier
    return Tier.MISS


# The parts each move scores (as a choreography's `parts:` would list them).
MOVE_PARTS = [("left_arm", "right_arm"), ("left_leg", "right_leg", "torso"), BODY_PARTS,
              ("left_arm", "right_arm", "torso"), ("torso", "head", "left_leg", "right_leg"),
              ("right_arm",), ("left_leg",), ("right_leg",), ("left_leg", "right_leg", "left_arm", "right_arm"),
              BODY_PARTS]
HINTS = {"left_arm": "Lift your left arm higher!", "right_arm": "Stretch your right arm out wide!",
         "left_leg": "Bend your left knee more!", "right_leg": "Bend your right knee more!",
         "torso": "Lean with your whole body!", "head": "Look up at the coach!"}
JUDGEMENT_FIELDS = set(Judgement.__dataclass_fields__)


def make_judgement(i: int, score: float, rng: random.Random | None = None, beat_s: float = 2.0) -> Judgement:
    rng = rng or random.Random(i)
    parts = {p: max(0.0, min(100.0, score + rng.uniform(-25, 20))) for p in MOVE_PARTS[i % len(MOVE_PARTS)]}
    start = 4.0 + i * beat_s
    weakest = min(parts, key=parts.get)
    # The scoring engine's newer fields, when this build's Judgement has them.
    newer = {k: v for k, v in (("hint", "" if score >= 90 else HINTS[weakest]), ("weakest_part", weakest))
             if k in JUDGEMENT_FIELDS}
    return Judgement(
        move_index=i, move_name=MOVE_NAMES[i % len(MOVE_NAMES)], score=score, tier=tier_for(score),
        parts=parts, offset_s=rng.uniform(-0.2, 0.3), time_s=start + beat_s + 0.1,
        start_s=start, end_s=start + beat_s, gold=(i % 4 == 3), combo=i,
        tip="Reach up high like a bunny!" if i % 2 == 0 else "Bend your knees and bounce!",
        **newer,
    )


def play(store: SessionStore, player: str, scores: list[float], *, group: str | None = None,
         choreography: str = "Bunny Hop", started_at: str | None = None, finish: bool = True,
         choreography_path: str | None = None) -> int:
    """Record a whole session the way the game does; returns its id."""
    rng = random.Random(zlib.crc32(f"{player}|{started_at}".encode()))  # stable across runs (not hash())
    sid = store.start_session(player=player, group=group, choreography=choreography,
                              choreography_path=choreography_path, difficulty="easy",
                              latency_s=0.12, started_at=started_at)
    for i, sc in enumerate(scores):
        store.record_judgement(sid, make_judgement(i, sc, rng))
    if finish:
        total = sum(scores) / len(scores) if scores else 0.0
        store.finish_session(sid, total=total, stars=min(5, int(total // 20)))
    return sid


def coach_track(duration_s: float = 30.0, fps: float = 15.0):
    """A procedurally animated coach (the project's own, like the demo dance): arms wave up
    and down, knees bend in turn. Returns a PoseTrack, frame size 720 x 1280 (portrait)."""
    import numpy as np

    from pose.landmarks import INDEX, NUM_LANDMARKS
    from pose.track import PoseTrack

    n = int(duration_s * fps)
    t = np.arange(n) / fps
    lm = np.zeros((n, NUM_LANDMARKS, 4), np.float32)
    lm[..., 3] = 1.0
    w, h = 720.0, 1280.0
    for k, tk in enumerate(t):
        pts: dict[str, tuple[float, float]] = {}
        cx, sh_y, hip_y = 360.0, 430.0, 720.0
        pts["nose"] = (cx, 330.0)
        pts["left_ear"], pts["right_ear"] = (cx + 30, 320.0), (cx - 30, 320.0)
        pts["left_shoulder"], pts["right_shoulder"] = (cx + 80, sh_y), (cx - 80, sh_y)
        pts["left_hip"], pts["right_hip"] = (cx + 55, hip_y), (cx - 55, hip_y)
        for side, sgn, phase in (("left", 1, 0.0), ("right", -1, math.pi)):
            a = 0.9 * math.sin(2 * math.pi * tk / 4.0 + phase)  # arm angle from horizontal
            ex, ey = cx + sgn * (80 + 120 * math.cos(a)), sh_y - 120 * math.sin(a)
            pts[f"{side}_elbow"] = (ex, ey)
            wx, wy = ex + sgn * 110 * math.cos(a * 1.6), ey - 110 * math.sin(a * 1.6)
            pts[f"{side}_wrist"] = (wx, wy)
            pts[f"{side}_index"] = (wx + sgn * 20, wy)
            bend = max(0.0, math.sin(2 * math.pi * tk / 2.0 + phase)) * 60
            kx, ky = cx + sgn * (60 + bend), hip_y + 200
            pts[f"{side}_knee"] = (kx, ky)
            pts[f"{side}_ankle"] = (cx + sgn * 70, hip_y + 400)
            pts[f"{side}_foot_index"] = (cx + sgn * 110, hip_y + 420)
        for name, (x, y) in pts.items():
            lm[k, INDEX[name], 0] = x / w
            lm[k, INDEX[name], 1] = y / h
        # Face details the report does not draw: park them on the nose.
        for i in range(NUM_LANDMARKS):
            if lm[k, i, 0] == 0:
                lm[k, i, :2] = lm[k, INDEX["nose"], :2]
    world = np.zeros((n, NUM_LANDMARKS, 3), np.float32)
    return PoseTrack(lm, world, t, fps, (720, 1280))


def make_choreography(folder: Path, title: str = "Bunny Hop", pictograms: bool = False) -> Path:
    """A choreography folder with a YAML file and the coach's pose track (and, with
    ``pictograms``, a drawn pictogram for every other move); returns the YAML path."""
    import cv2
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    coach_track().save(folder / "coach.npz")
    moves = []
    for i, name in enumerate(MOVE_NAMES[:8]):
        moves.append(f"  - name: {name!r}\n    start: {8 + 4 * i}\n    beats: 4\n")
        if pictograms and i % 2 == 0:
            img = np.full((120, 120, 3), (250, 230, 255), np.uint8)
            cv2.circle(img, (60, 40), 18, (40, 200, 40), -1)  # a coach-like figure in pure green (findable in a screenshot)
            cv2.line(img, (60, 58), (60, 95), (40, 200, 40), 8)
            cv2.line(img, (60, 65), (25 + 10 * i, 30), (40, 200, 40), 7)
            cv2.line(img, (60, 65), (95, 30 + 5 * i), (40, 200, 40), 7)
            (folder / "pictograms").mkdir(exist_ok=True)
            cv2.imwrite(str(folder / "pictograms" / f"{i:02d}.png"), img)
            moves[-1] += f"    pictogram: pictograms/{i:02d}.png\n"
    y = folder / "dance.yaml"
    y.write_text(f"format: 1\ntitle: {title}\nvideo: coach.mp4\npose_track: coach.npz\nbpm: 120\n"
                 "offset: 0.0\nmirror: true\ndifficulty: easy\nmoves:\n" + "".join(moves), encoding="utf-8")
    return y
