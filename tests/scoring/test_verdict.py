"""judge_move is pure: features in, a verdict out, nothing kept or changed; the processor's
judgements are exactly judge_move's verdicts on the windows it cuts."""
from __future__ import annotations

import numpy as np
import pytest

from content import corpus as C
from scoring import features as feat
from scoring.events import Tier
from scoring.judge import PART_IMPORTANCE
from scoring.parts import BODY_PARTS
from scoring.processor import score_track
from scoring.verdict import NOBODY_HINT, judge_move

W = np.array([PART_IMPORTANCE[p] for p in BODY_PARTS])


@pytest.fixture(scope="module")
def feats():
    ref = feat.from_track(C.coach("dance_b"), "3d")
    v = C.VIEWS[4]
    player = feat.from_track(C.render(C.joints("dance_b"), v.camera, v.body_scale, seed=9), "3d")
    return ref, player


def _copy(f: feat.Features) -> tuple:
    return f.vectors.copy(), f.angles.copy(), f.weights.copy()


def test_the_same_move_from_another_view_scores_high_and_inputs_stay_untouched(feats):
    ref, player = feats
    r, p = ref.take(slice(30, 60)), player.take(slice(21, 75))  # the window starts 9 rows early
    before = _copy(r), _copy(p)
    a = judge_move(r, p, W, lead_rows=-9, rate_hz=30.0)
    b = judge_move(r, p, W, lead_rows=-9, rate_hz=30.0)
    assert a.score >= 80 and a.tier >= Tier.GREAT and abs(a.offset_s) <= 0.1, (a.score, a.offset_s)
    assert (a.score, dict(a.parts), a.offset_s, a.samples, a.hint) == (b.score, dict(b.parts), b.offset_s, b.samples, b.hint)
    for x, y in zip(before, (_copy(r), _copy(p))):
        assert all(np.array_equal(u, v, equal_nan=True) for u, v in zip(x, y))
    assert len(a.samples) == len(r) and a.rotation.shape == (3, 3)


def test_nobody_in_the_window_is_a_miss_with_the_step_in_hint(feats):
    ref, _ = feats
    v = judge_move(ref.take(slice(30, 60)), feat.empty(50, "3d"), W, lead_rows=-9, rate_hz=30.0)
    assert (v.score, v.tier, v.hint, v.seen) == (0.0, Tier.MISS, NOBODY_HINT, False)


def test_mirror_names_parts_as_the_childs_own(feats):
    ref, player = feats
    w = np.where(np.array(BODY_PARTS) == "left_arm", 1.0, 0.0)
    v = judge_move(ref.take(slice(30, 60)), player.take(slice(21, 75)), w, lead_rows=-9, rate_hz=30.0, mirror=True)
    assert set(v.parts) == {"right_arm"}


def test_a_late_path_pays_against_the_running_offset(feats):
    """The same window judged with the player known to be 0.3 s early: the true (on-time)
    path is now 0.3 s from the running offset and pays for the jump."""
    ref, player = feats
    r, p = ref.take(slice(30, 60)), player.take(slice(21, 75))
    free = judge_move(r, p, W, lead_rows=-9, rate_hz=30.0, running_offset_s=0.0)
    jumped = judge_move(r, p, W, lead_rows=-9, rate_hz=30.0, running_offset_s=-0.45)
    assert jumped.score < free.score


def test_the_processor_emits_judge_moves_verdicts():
    ref = C.coach("punch")
    ch = C.choreography(ref, 2)
    v = C.VIEWS[3]
    res = score_track(ch, ref, C.render(C.joints("punch"), v.camera, v.body_scale, seed=4))
    assert len(res.judgements) == len(ch.moves)
    assert all(j.sample_rate_hz == 30.0 and len(j.samples) == round((j.end_s - j.start_s) * 30) for j in res.judgements)
