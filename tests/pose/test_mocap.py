"""Motion capture -> pose tracks: forward kinematics checked on the recorded clips."""
from __future__ import annotations

import math

import numpy as np
import pytest

from pose import mocap
from pose.landmarks import INDEX, NUM_LANDMARKS
from pose.samples import MOCAP, mocap_path


@pytest.fixture(scope="module")
def skel():
    return mocap.parse_urdf(mocap_path("humanoid.urdf").read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="module")
def clips():
    names = [n for n in MOCAP if n.startswith("humanoid3d_")]
    assert len(names) == 15
    return {n: mocap.parse_motion(mocap_path(n).read_text(encoding="utf-8")) for n in names}


def _bone(j, a, b):
    names = list(mocap.LANDMARK_JOINTS)
    return np.linalg.norm(j[:, names.index(a)] - j[:, names.index(b)], axis=1)


def test_every_clip_is_rigid_upright_and_metric(skel, clips):
    dev = []
    for name, m in clips.items():
        # The format as documented: unit quaternions for the root and every spherical joint
        # (some hand-keyed frames of the backflip and the roll are off by up to 12 %;
        # quat_to_matrix normalises), so the slices read the right numbers.
        sph = [slice(4, 8)] + [s for s in mocap._SLICES.values() if s.stop - s.start == 4]
        dev.append(np.concatenate([np.abs(np.linalg.norm(m.frames[:, sl], axis=1) - 1.0) for sl in sph]))
        j = mocap.forward_kinematics(skel, m)
        assert j.shape == (len(m.frames), 12, 3) and np.isfinite(j).all()
        for a, b in (("left_hip", "left_knee"), ("right_knee", "right_ankle"), ("left_shoulder", "left_elbow"),
                     ("right_elbow", "right_wrist"), ("left_shoulder", "right_shoulder")):
            length = _bone(j, a, b)
            assert length.std() < 1e-6, (name, a, b)  # rigid links
            assert 0.15 < length.mean() < 0.5, (name, a, b)  # adult metres at pybullet's 0.25 scale
    assert np.median(np.concatenate(dev)) < 1e-3
    walk = mocap.forward_kinematics(skel, clips["humanoid3d_walk.txt"])
    hips_y = walk[:, [6, 7]].mean(axis=1)[:, 1]
    shoulders_y = walk[:, [0, 1]].mean(axis=1)[:, 1]
    assert (shoulders_y > hips_y + 0.3).all() and 0.7 < hips_y.mean() < 1.0  # standing, y up
    assert walk[-1, 6, 0] - walk[0, 6, 0] > 0.5  # walks forward along +x


def test_a_front_camera_sees_the_left_shoulder_on_the_image_right(skel, clips):
    j = mocap.forward_kinematics(skel, clips["humanoid3d_walk.txt"])  # walks towards +x
    tr = mocap.render(j, 30.0, mocap.Camera(), noise=None)
    assert tr.landmarks.shape == (len(j), NUM_LANDMARKS, 4) and tr.found.all()
    ls, rs = INDEX["left_shoulder"], INDEX["right_shoulder"]
    assert (tr.landmarks[:, ls, 0] > tr.landmarks[:, rs, 0]).mean() > 0.9
    assert np.allclose(tr.world[:, [23, 24]].mean(axis=1), 0.0, atol=1e-5)  # hip-centred world
    absent = [i for i in range(NUM_LANDMARKS) if i not in mocap.LANDMARKS]
    assert len(absent) == 21 and (tr.landmarks[:, absent, 3] == 0).all()
    assert np.isfinite(tr.landmarks).all() and np.isfinite(tr.world).all()
    # From behind, with the tracker's mistake, the labels swap sides in the image.
    back = mocap.render(j, 30.0, mocap.Camera(yaw_rad=math.pi), noise=None, back_confusion=True)
    assert (back.landmarks[:, ls, 0] > back.landmarks[:, rs, 0]).mean() > 0.9


def test_noise_is_smooth_and_sized_as_asked():
    nm = mocap.NoiseModel(sigma_m=0.03, depth_factor=2.0, tau_s=0.25, leg_factor=1.0)
    e = nm.sample(3000, 30.0, 12, np.random.default_rng(0))
    assert abs(e[..., 0].std() - 0.03) < 0.005 and abs(e[..., 2].std() - 0.06) < 0.01
    lag1 = np.corrcoef(e[1:, 0, 0], e[:-1, 0, 0])[0, 1]
    assert lag1 > 0.8  # drifts, does not flicker


def test_bad_input_is_a_clear_error():
    with pytest.raises(mocap.MocapError, match="not a URDF"):
        mocap.parse_urdf("<robot")
    with pytest.raises(mocap.MocapError, match="DeepMimic"):
        mocap.parse_motion("{}")
    with pytest.raises(mocap.MocapError, match=r"\(T, 44\)"):
        mocap.parse_motion('{"Frames": [[0.1, 1, 2]]}')
