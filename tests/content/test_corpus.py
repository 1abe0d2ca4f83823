"""The scoring corpus on a small held-out subset: scores mean what scoring.md says.

Each assertion is an aim of the issue, per clip (session total) and per 2-beat move; the
full table over every clip, camera and move length is benchmarks/bench_corpus.py.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from content import corpus as C
from scoring.processor import score_track

pytestmark = pytest.mark.slow
CLIPS = ("dance_b", "punch")
VIEW = next(v for v in C.VIEWS if v.name == "right 45 high adult")  # held out from tuning


@pytest.fixture(scope="module")
def cases():
    out = {}
    for clip in CLIPS:
        ref = C.coach(clip)
        out[clip] = (C.joints(clip), ref, C.choreography(ref, 2))
    return out


def _score(case, motion_or_track, seed=7, **kw):
    j, ref, ch = case
    pl = motion_or_track if not isinstance(motion_or_track, np.ndarray) else \
        C.render(motion_or_track, kw.pop("cam", VIEW.camera), VIEW.body_scale, seed=seed, **kw)
    return score_track(ch, ref, pl)


def test_the_held_out_clips_are_not_tuning_clips():
    assert not set(CLIPS) & set(C.TUNE_CLIPS) and not VIEW.tune


def test_same_movement_other_view_and_body_scores_high(cases):
    for clip, case in cases.items():
        res = _score(case, case[0])
        assert res.total >= 80, clip
        moves = [j.score for j in res.judgements]
        assert np.mean(np.array(moves) >= 80) >= 0.75, (clip, moves)


def test_another_movement_standing_still_or_flailing_score_low(cases):
    for clip, case in cases.items():
        other = C.joints(CLIPS[1 - CLIPS.index(clip)])
        n = len(case[0])
        other = np.concatenate([other] * math.ceil(n / len(other)))[:n]
        assert _score(case, other).total <= 40, clip
        assert _score(case, C.standing(n)).total <= 20, clip
        assert _score(case, C.flailing(n, seed=3)).total <= 40, clip


def test_a_back_taken_for_a_front_is_not_credited(cases):
    for clip, case in cases.items():
        res = _score(case, case[0], cam=C._cam(180.0, 1.2, 3.5), back_confusion=True)
        assert res.total <= 40, clip


def test_a_constant_delay_costs_little(cases):
    for clip, case in cases.items():
        on_time = C.render(case[0], VIEW.camera, VIEW.body_scale, seed=7)
        plain = _score(case, on_time).total
        late = _score(case, C.warp_track(on_time, lambda t: t - 0.3, len(case[0]) / C.FPS + 0.3)).total
        assert plain - late <= 5, clip


def test_a_growing_arm_error_lowers_the_arm_and_the_score(cases):
    j, ref, ch = cases["dance_b"]
    arm, total = [], []
    for deg in (0, 30, 60):
        res = _score(cases["dance_b"], C.limb_error(j, "left_arm", math.radians(deg)))
        arm.append(np.mean([m.parts["left_arm"] for m in res.judgements]))
        total.append(res.total)
    assert arm[0] > arm[1] > arm[2] and total[0] > total[1] > total[2], (arm, total)
