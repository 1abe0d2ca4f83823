"""Features: view (yaw), size and position invariance, mirroring, bad values, 2D mode."""
from __future__ import annotations

import numpy as np
import pytest

from pose.landmarks import INDEX, MIRROR
from scoring import features as F


@pytest.fixture(scope="module")
def cam01(real_track):
    return real_track("Demo_SinglePerson/cam01")


def _yaw(points: np.ndarray, angle_rad: float) -> np.ndarray:
    """Turn world points (y down) about the vertical axis."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    R = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return points @ R.T


def test_unit_tables_cover_every_body_part():
    from scoring.parts import BODY_PARTS

    assert F.PART_MEMBERSHIP.shape == (len(BODY_PARTS), F.NUM_UNITS)
    assert (F.PART_MEMBERSHIP.sum(axis=1) >= 2).all()
    assert len(set(F.UNIT_NAMES)) == F.NUM_UNITS


def test_features_of_a_real_track_are_finite_unit_vectors_and_angles_in_0_1(cam01):
    f = F.from_track(cam01)
    assert f.mode == "3d" and len(f) == len(cam01)
    assert f.vectors.shape == (len(cam01), F.NUM_VECTORS, 3)
    assert np.allclose(np.linalg.norm(f.vectors, axis=2), 1.0)
    assert ((f.angles >= 0) & (f.angles <= 1)).all()
    assert ((f.weights > 0) & (f.weights <= 1)).all()
    assert f.flat().shape == (len(cam01), 3 * F.NUM_VECTORS + F.NUM_ANGLES)


@pytest.mark.parametrize("angle_deg", [15, 90, 180, 250])
def test_turning_the_body_about_the_vertical_does_not_change_features(cam01, angle_deg):
    vis = cam01.landmarks[:, :, 3]
    a = F.compute(cam01.world, vis, "3d")
    b = F.compute(_yaw(cam01.world.astype(np.float64), np.radians(angle_deg)), vis, "3d")
    assert np.allclose(a.vectors, b.vectors, atol=1e-6)
    assert np.allclose(a.angles, b.angles, atol=1e-6)


def test_size_and_position_do_not_change_features(cam01):
    vis = cam01.landmarks[:, :, 3]
    a = F.compute(cam01.world, vis, "3d")
    b = F.compute(cam01.world * 0.6 + np.array([0.3, -0.2, 1.0]), vis, "3d")
    assert np.allclose(a.vectors, b.vectors, atol=1e-6) and np.allclose(a.angles, b.angles, atol=1e-6)


def test_a_raised_arm_points_up_in_the_body_frame(cam01):
    w = cam01.world[:1].astype(np.float64).copy()
    sh, el, wr = INDEX["left_shoulder"], INDEX["left_elbow"], INDEX["left_wrist"]
    w[0, el] = w[0, sh] + [0, -0.3, 0]  # y down: -y is up
    w[0, wr] = w[0, el] + [0, -0.25, 0]
    f = F.compute(w, np.ones((1, 33)), "3d")
    up = f.vectors[0, F.UNIT_NAMES.index("left_forearm")]
    assert up[1] == pytest.approx(1.0)
    assert f.angles[0, F.UNIT_NAMES.index("left_elbow") - F.NUM_VECTORS] == pytest.approx(1.0)


def test_mirroring_swaps_left_and_right(cam01):
    vis = cam01.landmarks[:, :, 3]
    plain = F.compute(cam01.world, vis, "3d")
    mirrored = F.compute(cam01.world, vis, "3d", mirror=True)
    ia = {n: i - F.NUM_VECTORS for i, n in enumerate(F.UNIT_NAMES) if i >= F.NUM_VECTORS}
    for joint in ("elbow", "shoulder", "hip", "knee"):
        assert np.allclose(mirrored.angles[:, ia[f"left_{joint}"]], plain.angles[:, ia[f"right_{joint}"]])
    # Mirroring twice is the identity.
    twice = F.mirror_points(F.mirror_points(cam01.world))
    assert np.array_equal(twice, cam01.world)
    assert MIRROR[INDEX["left_wrist"]] == INDEX["right_wrist"]


def test_mirror_image_is_not_the_same_pose_for_an_asymmetric_movement(cam01):
    from scoring.similarity import part_errors

    vis = cam01.landmarks[:, :, 3]
    plain = F.compute(cam01.world, vis, "3d")
    mirrored = F.compute(cam01.world, vis, "3d", mirror=True)
    err = np.nanmean(part_errors(plain, mirrored, pairwise=False), axis=0)
    assert err.max() > 0.2  # radians: the clip's arms move differently


def test_nan_and_inf_keypoints_are_unknown_not_errors(cam01):
    w = cam01.world[:3].astype(np.float64).copy()
    vis = cam01.landmarks[:3, :, 3].astype(np.float64).copy()
    w[0, INDEX["left_wrist"]] = np.nan
    w[1, INDEX["right_knee"], 2] = np.inf
    vis[2, INDEX["nose"]] = np.nan
    f = F.compute(w, vis, "3d")
    assert f.weights[0, F.UNIT_NAMES.index("left_forearm")] == 0
    assert np.isnan(f.vectors[0, F.UNIT_NAMES.index("left_forearm")]).all()
    assert f.weights[1, F.UNIT_NAMES.index("right_shin")] == 0
    assert f.weights[2, F.UNIT_NAMES.index("neck")] == 0
    assert f.weights[0, F.UNIT_NAMES.index("right_forearm")] > 0
    assert f.present.all()
    nobody = F.compute(np.full((2, 33, 3), np.nan), np.full((2, 33), np.nan), "3d")
    assert not nobody.present.any()


def test_2d_features_use_pixels_so_the_frame_shape_does_not_squash_angles(cam01):
    lm = cam01.landmarks[:5].astype(np.float64)
    px = F.image_points(lm, cam01.size)
    a = F.compute(px, lm[:, :, 3], "2d")
    # The same pixels in a wider frame: normalised x shrinks, pixels do not.
    w, h = cam01.size
    lm_wide = lm.copy()
    lm_wide[:, :, 0] = lm[:, :, 0] * w / (2 * w)
    b = F.compute(F.image_points(lm_wide, (2 * w, h)), lm[:, :, 3], "2d")
    assert np.allclose(a.vectors, b.vectors, atol=1e-9)
    assert np.allclose(a.vectors[..., 2], 0)


def test_track_mode_and_frame_features(cam01):
    assert F.track_mode(cam01) == "3d"
    frame = cam01.frame(10)
    one = F.from_frame(frame, "3d")
    assert np.allclose(one.vectors[0], F.from_track(cam01).vectors[10])
    assert not F.from_frame(None, "3d").present[0]


@pytest.mark.parametrize("shape", [(4, 33, 2), (4, 17, 3), (33, 3)])
def test_bad_shapes_are_rejected(shape):
    with pytest.raises(ValueError):
        F.compute(np.zeros(shape), np.zeros(shape[:2]), "3d")


def test_best_rotation_undoes_a_camera_tilt(cam01):
    vis = cam01.landmarks[:, :, 3]
    a = F.compute(cam01.world, vis, "3d")
    # A camera looking down 30 degrees: the whole body pitched about the x axis.
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    tilt = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    b = F.compute(cam01.world.astype(np.float64) @ tilt.T, vis, "3d")
    R = F.best_rotation(b, a)
    back = F.rotate(b, R)
    before = np.nanmean(np.linalg.norm(b.vectors - a.vectors, axis=2))
    after = np.nanmean(np.linalg.norm(back.vectors - a.vectors, axis=2))
    assert after < 0.25 * before


def test_heading_is_undone_fully_but_tilt_only_up_to_the_cap(cam01):
    vis = cam01.landmarks[:, :, 3]
    a = F.compute(cam01.world, vis, "3d")

    def angle_deg(R: np.ndarray) -> float:
        return float(np.degrees(np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))))

    # A pure heading change of the limb directions: found exactly whatever its size.
    c, s = np.cos(np.radians(120)), np.sin(np.radians(120))
    yaw = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    turned = F.rotate(a, yaw)
    assert np.allclose(F.best_rotation(turned, a) @ yaw, np.eye(3), atol=1e-6)
    # A 70-degree tilt: only MAX_TILT_RAD of it is undone, the rest keeps costing points.
    c, s = np.cos(np.radians(70)), np.sin(np.radians(70))
    tilt = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    R = F.best_rotation(F.rotate(a, tilt), a)
    assert angle_deg(R) == pytest.approx(np.degrees(F.MAX_TILT_RAD), abs=0.5)
    assert angle_deg(R @ tilt) == pytest.approx(70 - np.degrees(F.MAX_TILT_RAD), abs=1.0)
