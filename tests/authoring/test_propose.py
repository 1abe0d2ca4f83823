"""Move proposal on a coach whose moves are known: still intro, arm waves, then a march."""
from __future__ import annotations

import numpy as np
import pytest

from authoring.propose import propose_moves
from pose.landmarks import INDEX
from pose.track import PoseTrack

FPS = 30.0
BPM = 120.0  # a beat every 0.5 s


def _coach(seconds: float = 10.0, nobody: tuple[float, float] | None = None) -> PoseTrack:
    """0-2 s standing still, 2-6 s waving both arms (1 Hz), 6-10 s marching (knees up, 1 Hz)."""
    n = int(seconds * FPS)
    t = np.arange(n) / FPS
    stand = {
        "nose": (0.50, 0.15), "left_ear": (0.53, 0.15), "right_ear": (0.47, 0.15),
        "left_shoulder": (0.56, 0.28), "right_shoulder": (0.44, 0.28),
        "left_elbow": (0.58, 0.40), "right_elbow": (0.42, 0.40),
        "left_wrist": (0.59, 0.50), "right_wrist": (0.41, 0.50),
        "left_hip": (0.54, 0.55), "right_hip": (0.46, 0.55),
        "left_knee": (0.54, 0.72), "right_knee": (0.46, 0.72),
        "left_ankle": (0.54, 0.90), "right_ankle": (0.46, 0.90),
    }
    lm = np.zeros((n, 33, 4), np.float32)
    for name, (x, y) in stand.items():
        lm[:, INDEX[name], 0] = x
        lm[:, INDEX[name], 1] = y
    lm[:, :, 3] = 0.95
    wave = (t >= 2) & (t < 6)
    phase = np.sin(2 * np.pi * t)
    for side, sign in (("left", 1), ("right", -1)):
        lm[wave, INDEX[f"{side}_wrist"], 1] -= (0.30 + 0.08 * phase[wave])  # hands high, swaying
        lm[wave, INDEX[f"{side}_wrist"], 0] += sign * 0.10 * phase[wave]
        lm[wave, INDEX[f"{side}_elbow"], 1] -= 0.15
    march = t >= 6
    up_l = np.clip(phase, 0, None)[march]
    up_r = np.clip(-phase, 0, None)[march]
    lm[march, INDEX["left_knee"], 1] -= 0.12 * up_l
    lm[march, INDEX["left_ankle"], 1] -= 0.12 * up_l
    lm[march, INDEX["right_knee"], 1] -= 0.12 * up_r
    lm[march, INDEX["right_ankle"], 1] -= 0.12 * up_r
    hips = lm[:, [23, 24], :2].mean(axis=1, keepdims=True)
    world = np.concatenate([(lm[:, :, :2] - hips) * 1.8, np.zeros((n, 33, 1), np.float32)], axis=2)
    if nobody:
        gone = (t >= nobody[0]) & (t < nobody[1])
        lm[gone] = np.nan
        world[gone] = np.nan
    return PoseTrack(lm, world, t, FPS, (540, 960))


def test_moves_follow_the_coach() -> None:
    track = _coach()
    moves = propose_moves(track, BPM, 0.0, track.duration_s)
    assert moves, "no move proposed"
    # Nothing to copy while the coach stands still (beats 0-4).
    assert moves[0].start_beat >= 3
    bounds = {m.start_beat for m in moves} | {m.start_beat + m.beats for m in moves}
    assert any(abs(b - 12) <= 1 for b in bounds), f"no boundary where the march starts: {sorted(bounds)}"
    for m in moves:
        assert float(m.start_beat).is_integer() and 2 <= m.beats <= 8
        mid = m.start_beat + m.beats / 2
        if 5 <= mid < 11:
            assert set(m.parts) == {"left_arm", "right_arm"}, m
        if mid >= 13:
            assert set(m.parts) == {"left_leg", "right_leg"}, m
    # Moves do not overlap and stay inside the media.
    assert all(a.start_beat + a.beats <= b.start_beat for a, b in zip(moves, moves[1:]))
    assert moves[-1].start_beat + moves[-1].beats <= 20


def test_exactly_one_gold_for_a_short_song_on_the_liveliest_move() -> None:
    moves = propose_moves(_coach(), BPM, 0.0, 10.0)
    gold = [m for m in moves if m.gold]
    assert len(gold) == 1
    assert gold[0].energy == max(m.energy for m in moves)


def test_nobody_in_frame_gets_no_move() -> None:
    track = _coach(nobody=(6.0, 10.0))
    moves = propose_moves(track, BPM, 0.0, track.duration_s)
    assert moves and all(m.start_beat + m.beats <= 13 for m in moves)


@pytest.mark.parametrize("offset_s", [0.0, 0.25, -0.3])
def test_offset_moves_the_grid(offset_s: float) -> None:
    track = _coach()
    for m in propose_moves(track, BPM, offset_s, track.duration_s):
        start_s = offset_s + m.start_beat * 60 / BPM
        assert start_s >= -1e-9 and start_s + m.beats * 60 / BPM <= track.duration_s + 1e-9


def test_too_short_for_a_beat() -> None:
    assert propose_moves(_coach(seconds=0.4), BPM, 0.0, 0.4) == []
    assert propose_moves(_coach(), 5.0, 0.0, 10.0) == []  # one beat is 12 s
