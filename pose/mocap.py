"""Recorded motion capture turned into pose tracks as a camera would see them.

The DeepMimic clips shipped in the pinned pybullet wheel (zlib licence; see pose.samples)
are joint rotations of a 13-link humanoid (``pybullet_data/humanoid/humanoid.urdf``).

    skel = parse_urdf(urdf_text)
    clip = parse_motion(motion_text)           # (T, 44) DeepMimic frames
    joints_m = forward_kinematics(skel, clip)  # (T, 12, 3) metres, y up, x forward, z right
    track = render(joints_m, clip.fps, Camera(...), body_scale=0.7, noise=NoiseModel(), seed=1)

Frame format (checked on the data: unit quaternions, constant bone lengths): duration (1),
root position (3), root rotation (4, w x y z), then per joint in ``MOTION_JOINTS`` order a
quaternion (spherical joints, w x y z) or one angle in radians (revolute knees/elbows,
about the URDF axis). A joint's frame is its parent's frame, moved by the joint's URDF
origin, then turned by the joint's rotation. The URDF is in DeepMimic's units; pybullet
loads it at 0.25 scale, which makes the root height (0.85 m) and bone lengths metric.

Rendering: world -> camera (x right, y down, z away) -> pinhole image. Landmarks outside
the 12 (face, hands, feet) are absent: visibility 0, placed on a present landmark (face on
the shoulders' midpoint, hands on their wrist, feet on their ankle) so that positions stay
finite (a found person has no NaN landmark) and every feature built on them is unknown. Noise is BlazePose-like: smooth in time, larger
along the camera's depth axis than across it (a monocular model guesses depth).
"""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np

from pose.landmarks import INDEX, MIRROR, NUM_LANDMARKS
from pose.track import PoseTrack

URDF_SCALE = 0.25
# Joint order of a DeepMimic humanoid3d frame after the root.
MOTION_JOINTS: tuple[str, ...] = (
    "chest", "neck", "right_hip", "right_knee", "right_ankle", "right_shoulder", "right_elbow",
    "left_hip", "left_knee", "left_ankle", "left_shoulder", "left_elbow",
)
# BlazePose landmark <- URDF joint whose origin is that body point.
LANDMARK_JOINTS: dict[str, str] = {
    "left_shoulder": "left_shoulder", "right_shoulder": "right_shoulder",
    "left_elbow": "left_elbow", "right_elbow": "right_elbow",
    "left_wrist": "left_wrist", "right_wrist": "right_wrist",
    "left_hip": "left_hip", "right_hip": "right_hip",
    "left_knee": "left_knee", "right_knee": "right_knee",
    "left_ankle": "left_ankle", "right_ankle": "right_ankle",
}
LANDMARKS: tuple[int, ...] = tuple(INDEX[n] for n in LANDMARK_JOINTS)
"""(12,) BlazePose indices of the mocap's landmarks, in LANDMARK_JOINTS order."""


class MocapError(ValueError):
    """A URDF or motion file that is not what this module reads."""


@dataclass(frozen=True)
class Joint:
    name: str
    kind: str  # "fixed" | "spherical" | "revolute"
    parent: str
    child: str
    origin_m: tuple[float, float, float]  # in the parent's frame, scaled to metres
    axis: tuple[float, float, float]


@dataclass(frozen=True)
class Skeleton:
    """Joints in parent-before-child order; ``root`` is the link the frame's root pose moves."""

    joints: tuple[Joint, ...]
    root: str


def parse_urdf(text: str, scale: float = URDF_SCALE) -> Skeleton:
    """The joint tree of a URDF (rpy of every origin must be 0, as in the humanoid)."""
    try:
        root = ET.fromstring(text.replace("\x00", "").strip())
    except ET.ParseError as e:
        raise MocapError(f"not a URDF: {e}") from None
    joints = []
    for j in root.iter("joint"):
        o = j.find("origin")
        xyz = [float(v) for v in (o.get("xyz", "0 0 0") if o is not None else "0 0 0").split()]
        rpy = [float(v) for v in (o.get("rpy", "0 0 0") if o is not None else "0 0 0").split()]
        if any(abs(v) > 1e-9 for v in rpy):
            raise MocapError(f"joint {j.get('name')}: rotated origins are not supported")
        a = j.find("axis")
        axis = tuple(float(v) for v in a.get("xyz").split()) if a is not None else (0.0, 0.0, 1.0)
        joints.append(Joint(j.get("name"), j.get("type"), j.find("parent").get("link"),
                            j.find("child").get("link"), tuple(scale * v for v in xyz), axis))  # type: ignore[arg-type]
    by_child = {j.child: j for j in joints}
    ordered: list[Joint] = []
    placed = {"base"}
    while len(ordered) < len(joints):
        ready = [j for j in joints if j not in ordered and j.parent in placed]
        if not ready:
            raise MocapError("URDF joint tree is not connected to its base link")
        for j in ready:
            ordered.append(j)
            placed.add(j.child)
    root_link = by_child["root"].child if "root" in by_child else "root"
    return Skeleton(tuple(ordered), root_link)


@dataclass(frozen=True)
class Motion:
    """frames: (T, 44) float64 DeepMimic frames; fps from the first frame's duration."""

    frames: np.ndarray
    fps: float
    loop: str

    def __post_init__(self) -> None:
        if self.frames.ndim != 2 or self.frames.shape[1] != 44 or len(self.frames) < 2:
            raise MocapError(f"motion frames must be (T >= 2, 44), got {self.frames.shape}")


def parse_motion(text: str) -> Motion:
    try:
        data = json.loads(text)
        frames = np.asarray(data["Frames"], dtype=np.float64)
    except (ValueError, KeyError, TypeError) as e:
        raise MocapError(f"not a DeepMimic motion file: {e}") from None
    if frames.ndim != 2 or frames.shape[1] != 44:
        raise MocapError(f"motion frames must be (T, 44), got {frames.shape}")
    dt = float(frames[0, 0])
    if not dt > 0:
        raise MocapError(f"frame duration must be > 0, got {dt}")
    return Motion(frames, 1.0 / dt, str(data.get("Loop", "none")))


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 4) w x y z -> (..., 3, 3) rotation matrices (normalised first)."""
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
    ], -2)


def axis_angle_matrix(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """(3,) unit axis, (T,) angles -> (T, 3, 3) rotations (Rodrigues)."""
    k = np.asarray(axis, dtype=np.float64)
    k = k / np.linalg.norm(k)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    s, c = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    return np.eye(3) + s * K + (1 - c) * (K @ K)


def _joint_slices() -> dict[str, slice]:
    out, i = {}, 8
    for name in MOTION_JOINTS:
        n = 1 if name.endswith(("knee", "elbow")) else 4
        out[name] = slice(i, i + n)
        i += n
    assert i == 44
    return out


_SLICES = _joint_slices()


def forward_kinematics(skel: Skeleton, motion: Motion) -> np.ndarray:
    """(T, 12, 3) world positions (metres; y up) of the LANDMARK_JOINTS, in that order."""
    f = motion.frames
    T = len(f)
    pos: dict[str, np.ndarray] = {"base": np.zeros((T, 3))}
    rot: dict[str, np.ndarray] = {"base": np.broadcast_to(np.eye(3), (T, 3, 3))}
    joint_pos: dict[str, np.ndarray] = {}
    for j in skel.joints:
        if j.name == "root":
            p, R = f[:, 1:4].copy(), quat_to_matrix(f[:, 4:8])
        else:
            p = pos[j.parent] + np.einsum("tij,j->ti", rot[j.parent], np.asarray(j.origin_m))
            R = rot[j.parent]
            if j.kind == "spherical":
                R = R @ quat_to_matrix(f[:, _SLICES[j.name]])
            elif j.kind == "revolute":
                R = R @ axis_angle_matrix(np.asarray(j.axis), f[:, _SLICES[j.name]][:, 0])
            elif j.kind != "fixed":
                raise MocapError(f"joint {j.name}: unsupported type {j.kind}")
        joint_pos[j.name] = p
        pos[j.child], rot[j.child] = p, R
    return np.stack([joint_pos[LANDMARK_JOINTS[n]] for n in LANDMARK_JOINTS], axis=1)


def _absent_at() -> list[tuple[list[int], list[int]]]:
    """[(absent landmark indices, present landmarks whose mean stands in for them)]."""
    face = [i for i in range(11)]
    out = [(face, [INDEX["left_shoulder"], INDEX["right_shoulder"]])]
    for side in ("left", "right"):
        out.append(([INDEX[f"{side}_{n}"] for n in ("pinky", "index", "thumb")], [INDEX[f"{side}_wrist"]]))
        out.append(([INDEX[f"{side}_{n}"] for n in ("heel", "foot_index")], [INDEX[f"{side}_ankle"]]))
    return out


_ABSENT_AT = _absent_at()


# ------------------------------------------------------------------------------ cameras
@dataclass(frozen=True)
class Camera:
    """A still camera aimed at the dancer's mean hip position.

    yaw_rad: where it stands around the dancer, 0 = in front of the clip's start heading
        (+x), pi/2 = at the dancer's right; height_m: lens height above the floor;
    distance_m: horizontal distance from the mean hip position; vfov_rad: vertical field of
    view; size: (width, height) pixels.
    """

    yaw_rad: float = 0.0
    height_m: float = 1.2
    distance_m: float = 3.5
    vfov_rad: float = math.radians(60.0)
    size: tuple[int, int] = (720, 1280)

    def __post_init__(self) -> None:
        if not (self.distance_m > 0 and 0 < self.vfov_rad < math.pi and min(self.size) > 0):
            raise ValueError("camera distance, field of view and size must be positive")


@dataclass(frozen=True)
class NoiseModel:
    """Pose-estimation error added to 3D landmarks before projection.

    sigma_m: std of each landmark's error across the image plane (metres, at adult size;
        scales with the body); depth_factor: how much larger along the camera's depth axis;
    tau_s: correlation time of the error (a smoothed tracker's error drifts, it does not
        flicker). Chosen so that four synchronised virtual views of the dances disagree
        about joint angles as much as pose2sim's four real views do under our BodyTracker
        (0.385 rad RMS; benchmarks/bench_corpus.py prints both).
    """

    sigma_m: float = 0.03
    depth_factor: float = 2.0
    tau_s: float = 0.25
    leg_factor: float = 1.6

    def sample(self, T: int, fps: float, n: int, rng: np.random.Generator) -> np.ndarray:
        """(T, n, 3) errors in camera axes (x, y across; z depth), metres at adult size.

        n = 12 landmarks in LANDMARK_JOINTS order; knees and ankles get ``leg_factor``
        times more (pose2sim's views disagree about legs more than about arms)."""
        if self.sigma_m <= 0:
            return np.zeros((T, n, 3))
        a = math.exp(-1.0 / (max(self.tau_s, 1e-6) * fps))
        e = np.empty((T, n, 3))
        e[0] = rng.standard_normal((n, 3))
        step = math.sqrt(1 - a * a)
        for t in range(1, T):
            e[t] = a * e[t - 1] + step * rng.standard_normal((n, 3))
        e *= self.sigma_m
        e[..., 2] *= self.depth_factor
        if n == len(LANDMARK_JOINTS):
            e[:, 8:12] *= self.leg_factor
        return e


def camera_basis(cam: Camera, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R (3, 3) world -> camera rows x right, y down, z forward; camera centre (3,))."""
    centre = np.array([target[0] + cam.distance_m * math.cos(cam.yaw_rad), cam.height_m,
                       target[2] + cam.distance_m * math.sin(cam.yaw_rad)])
    fwd = target - centre
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return np.stack([right, down, fwd]), centre


def render(joints_m: np.ndarray, fps: float, cam: Camera, body_scale: float = 1.0,
           noise: NoiseModel | None = None, seed: int = 0, back_confusion: bool = False) -> PoseTrack:
    """A pose track of the mocap as ``cam`` sees it (BlazePose-like image + world landmarks).

    joints_m: (T, 12, 3) from forward_kinematics. body_scale: 1 = the mocap actor, 0.6 = a
    small child (the whole motion scales, steps included). back_confusion: label every
    landmark with its left/right opposite, as BlazePose often does when it takes a back for
    a front (the geometry stays what the camera sees).
    """
    T = joints_m.shape[0]
    p = joints_m * body_scale
    hips = p[:, [6, 7]].mean(axis=1)
    target = hips.mean(axis=0)
    R, centre = camera_basis(cam, target)
    pc = np.einsum("ij,tnj->tni", R, p - centre)  # camera coordinates
    if noise is not None:
        pc = pc + body_scale * noise.sample(T, fps, p.shape[1], np.random.default_rng(seed))
    w, h = cam.size
    f_px = 0.5 * h / math.tan(0.5 * cam.vfov_rad)
    z = np.maximum(pc[..., 2], 0.1)
    u = (f_px * pc[..., 0] / z + 0.5 * w) / w
    v = (f_px * pc[..., 1] / z + 0.5 * h) / h
    hip_c = pc[:, [6, 7]].mean(axis=1, keepdims=True)
    zi = f_px * (pc[..., 2] - hip_c[..., 2]) / hip_c[..., 2] / w  # image z: x's scale, hips at 0
    inside = (u >= 0) & (u <= 1) & (v >= 0) & (v <= 1)
    vis = np.where(inside, 0.95, 0.2)

    lm = np.zeros((T, NUM_LANDMARKS, 4), dtype=np.float32)
    world = np.zeros((T, NUM_LANDMARKS, 3), dtype=np.float32)
    idx = np.array(LANDMARKS)
    lm[:, idx] = np.stack([u, v, zi, vis], axis=-1)
    world[:, idx] = pc - hip_c
    for absent, at in _ABSENT_AT:
        lm[:, absent, :3] = lm[:, at, :3].mean(axis=1, keepdims=True)
        world[:, absent] = world[:, at].mean(axis=1, keepdims=True)
    if back_confusion:
        lm, world = lm[:, MIRROR], world[:, MIRROR]
    t = np.arange(T) / fps
    return PoseTrack(lm, world, t, fps, cam.size)
