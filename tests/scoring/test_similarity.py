"""Similarity: the calibrated curve, per-part errors, frame similarity."""
from __future__ import annotations

import numpy as np
import pytest

from scoring import features as F
from scoring import similarity as S
from scoring.parts import BODY_PARTS


def test_curve_is_1_at_zero_half_at_e50_and_decreasing():
    e = np.linspace(0, 3, 200)
    s = S.curve(e)
    assert s[0] == 1.0 and S.curve(S.E50_RAD) == pytest.approx(0.5)
    assert (np.diff(s) < 0).all() and (s > 0).all()
    assert S.inverse_curve(0.8) == pytest.approx(float(S.E50_RAD * 0.25 ** (1 / S.K)))
    assert np.isnan(S.curve(np.nan))


@pytest.fixture(scope="module")
def feats(real_track):
    return F.from_track(real_track("Demo_SinglePerson/cam01"))


def test_a_pose_matches_itself_perfectly(feats):
    row = feats.take(slice(5, 6))
    overall, parts = S.frame_similarity(row, row)
    assert overall == pytest.approx(1.0)
    assert set(parts) == set(BODY_PARTS) and all(v == pytest.approx(1.0) for v in parts.values())


def test_pairwise_and_aligned_errors_agree(feats):
    a, b = feats.take(slice(0, 10)), feats.take(slice(20, 30))
    pair = S.part_errors(a, b)
    aligned = S.part_errors(a, b, pairwise=False)
    assert pair.shape == (10, 10, len(BODY_PARTS))
    assert np.allclose(np.diagonal(pair, axis1=0, axis2=1).T, aligned)


def test_farther_poses_are_less_similar(feats):
    sims = [S.frame_similarity(feats.take(slice(0, 1)), feats.take(slice(k, k + 1)))[0] for k in (0, 20, 60)]
    assert sims[0] > sims[1] > sims[2]


def test_unknown_parts_are_left_out_and_nobody_is_none(feats):
    row = feats.take(slice(0, 1))
    hidden = F.Features(row.vectors.copy(), row.angles.copy(), row.weights.copy(), row.mode)
    legs = [i for i, p in enumerate(F.UNIT_PART) if BODY_PARTS[p] == "left_leg"]
    hidden.weights[0, legs] = 0
    overall, parts = S.frame_similarity(row, hidden)
    assert "left_leg" not in parts and overall == pytest.approx(5 / 6)
    assert S.frame_similarity(row, F.empty(1, "3d")) == (None, {})


def test_part_weights_select_the_parts_that_count(feats):
    w = S.part_weight_vector({"left_arm": 2.0, "torso": 1.0, "bogus": 5.0})
    assert w.tolist() == [2.0, 0, 0, 0, 1.0, 0]
    assert S.part_weight_vector(None).tolist() == [1.0] * 6
    assert S.part_weight_vector({"left_arm": float("nan")}).tolist() == [1.0] * 6


def test_modes_are_never_mixed(feats):
    with pytest.raises(ValueError, match="2d"):
        S.part_errors(feats.take(slice(0, 1)), F.empty(1, "2d"))
