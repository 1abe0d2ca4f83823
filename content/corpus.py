"""The scoring evaluation corpus: recorded human motion seen by many virtual cameras.

Every DeepMimic clip of the pinned pybullet wheel (``dance mocap fetch``) becomes pose
tracks of a coach (front camera, adult) and of players: the same movement from other
cameras and body sizes, another movement, a held pose, random flailing, the movement
played backwards, delayed or at another tempo, with a growing error in one limb, or seen
from behind by a tracker that takes the back for a front. ``benchmarks/bench_corpus.py``
scores them and prints the pass rates of scoring.md's aims.

Tracks are rebuilt from the cached clips in about a second (nothing derived is stored).
A held-out split keeps tuning honest: TUNE_CLIPS and TUNE_VIEWS are for choosing
constants, the rest is where the figures are reported.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from pose import mocap
from pose.mocap import Camera, NoiseModel
from pose.samples import MOCAP, mocap_path
from pose.track import PoseTrack
from scoring.choreography import ALL_PARTS, Choreography, Move

FPS = 30.0
# Looping clips ("wrap") are repeated up to this length, as a song repeats a figure.
MIN_CLIP_S = 4.0
CLIPS: tuple[str, ...] = tuple(sorted(n.removeprefix("humanoid3d_").removesuffix(".txt")
                                      for n in MOCAP if n.startswith("humanoid3d_")))
# Tune on these; report on the others (alphabetical halves would put both dances on one side).
TUNE_CLIPS: tuple[str, ...] = ("backflip", "dance_a", "getup_facedown", "kick", "roll", "spin", "walk")
BPM = 120.0  # a beat is 0.5 s: moves of 1, 2 and 4 beats last 0.5, 1 and 2 s

COACH_VIEW = Camera(yaw_rad=0.0, height_m=1.2, distance_m=3.5)


@dataclass(frozen=True)
class View:
    """A player's camera and body: ``name`` for tables, ``tune`` True for the tuning split."""

    name: str
    camera: Camera
    body_scale: float
    tune: bool


def _cam(yaw_deg: float, height_m: float, distance_m: float) -> Camera:
    return Camera(yaw_rad=math.radians(yaw_deg), height_m=height_m, distance_m=distance_m)


VIEWS: tuple[View, ...] = (
    View("front child", _cam(0, 0.9, 2.5), 0.6, True),
    View("left 30 adult", _cam(-30, 1.2, 3.5), 1.0, True),
    View("right 30 teen", _cam(30, 1.5, 3.0), 0.85, True),
    View("left 60 child", _cam(-60, 0.8, 3.0), 0.65, False),
    View("right 45 high adult", _cam(45, 2.0, 4.0), 1.05, False),
    View("front low small", _cam(0, 0.5, 2.2), 0.55, False),
    View("right 60 teen", _cam(60, 1.2, 5.0), 0.8, False),
)


@cache
def skeleton() -> mocap.Skeleton:
    return mocap.parse_urdf(mocap_path("humanoid.urdf").read_text(encoding="utf-8", errors="replace"))


@cache
def _raw(clip: str) -> mocap.Motion:
    return mocap.parse_motion(mocap_path(f"humanoid3d_{clip}.txt").read_text(encoding="utf-8"))


@cache
def joints(clip: str) -> np.ndarray:
    """(T, 12, 3) metres at FPS, looping clips repeated to MIN_CLIP_S (travel carried on)."""
    m = _raw(clip)
    j = mocap.forward_kinematics(skeleton(), m)
    if m.loop == "wrap" and len(j) / m.fps < MIN_CLIP_S:
        cycles = [j]
        step = j[-1].mean(axis=0) - j[0].mean(axis=0)
        step[1] = 0.0  # carry on walking; never climb
        while sum(len(c) for c in cycles) / m.fps < MIN_CLIP_S:
            cycles.append(cycles[-1][1:] + step)  # the last frame of a cycle is the next one's first
        j = np.concatenate(cycles)
    return resample(j, m.fps, FPS)


def resample(j: np.ndarray, fps_in: float, fps_out: float) -> np.ndarray:
    """Linear resampling of (T, N, 3) positions from fps_in to fps_out."""
    t_in = np.arange(len(j)) / fps_in
    t_out = np.arange(int(math.floor(t_in[-1] * fps_out)) + 1) / fps_out
    flat = j.reshape(len(j), -1)
    out = np.stack([np.interp(t_out, t_in, flat[:, k]) for k in range(flat.shape[1])], axis=1)
    return out.reshape(len(t_out), *j.shape[1:])


def render(j: np.ndarray, cam: Camera = COACH_VIEW, body_scale: float = 1.0, seed: int = 0,
           noise: NoiseModel | None = None, back_confusion: bool = False) -> PoseTrack:
    return mocap.render(j, FPS, cam, body_scale, NoiseModel() if noise is None else noise, seed, back_confusion)


def coach(clip: str, seed: int = 1) -> PoseTrack:
    return render(joints(clip), seed=seed)


# ---------------------------------------------------------------------------- players
def warp(j: np.ndarray, source_time_of, duration_s: float) -> np.ndarray:
    """At time t the player shows ``j`` at source_time_of(t) (clamped to the clip)."""
    n = int(round(duration_s * FPS))
    src = np.clip(np.asarray(source_time_of(np.arange(n) / FPS), dtype=float) * FPS, 0, len(j) - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, len(j) - 1)
    a = (src - lo)[:, None, None]
    return (1 - a) * j[lo] + a * j[hi]


def warp_track(track: PoseTrack, source_time_of, duration_s: float) -> PoseTrack:
    """At time t the player's camera shows ``track`` at source_time_of(t) (nearest frame;
    outside the track: nobody). Warping the rendered track keeps its noise with the
    movement, so only the timing changes."""
    n = int(round(duration_s * track.fps))
    t = np.arange(n) / track.fps
    idx = np.rint(np.asarray(source_time_of(t), dtype=float) * track.fps).astype(int)
    ok = (idx >= 0) & (idx < len(track))
    lm = np.full((n, track.landmarks.shape[1], 4), np.nan, np.float32)
    world = np.full((n, track.world.shape[1], 3), np.nan, np.float32)
    lm[ok], world[ok] = track.landmarks[idx[ok]], track.world[idx[ok]]
    return PoseTrack(lm, world, t, track.fps, track.size)


def reversed_motion(j: np.ndarray, spans: list[tuple[int, int]] | None = None) -> np.ndarray:
    """The clip played backwards; with ``spans`` ([(first, end) frame]), each span backwards
    in place (every move danced in reverse, on its own beats)."""
    if spans is None:
        return j[::-1].copy()
    out = j.copy()
    for a, b in spans:
        out[a:b] = j[a:b][::-1]
    return out


def held_pose(j: np.ndarray, at: float = 0.5) -> np.ndarray:
    """The clip's pose at fraction ``at`` of its length, held for the whole clip."""
    return np.repeat(j[int(at * (len(j) - 1))][None], len(j), axis=0)


def standing(n: int) -> np.ndarray:
    """(n, 12, 3): the humanoid standing still, arms down (every joint at rest)."""
    frames = np.zeros((n, 44))
    frames[:, 0] = 1.0 / FPS
    frames[:, 2] = 0.89
    for sl in mocap._SLICES.values():
        if sl.stop - sl.start == 4:
            frames[:, sl.start] = 1.0
    frames[:, 4] = 1.0
    return mocap.forward_kinematics(skeleton(), mocap.Motion(frames, FPS, "none"))


def flailing(n: int, seed: int) -> np.ndarray:
    """(n, 12, 3): the humanoid standing, every joint turning at random, smoothly (~1 Hz)."""
    rng = np.random.default_rng(seed)
    frames = np.zeros((n, 44))
    frames[:, 0] = 1.0 / FPS
    frames[:, 2] = 0.85
    frames[:, 4] = 1.0
    k = max(n // 15, 2)  # a new random target every half second
    for name, sl in mocap._SLICES.items():
        width = sl.stop - sl.start
        amp = 0.35 if name in ("chest", "neck") else 1.2
        keys = rng.uniform(-amp, amp, size=(k, 3 if width == 4 else 1))
        if width == 1:
            keys = -np.abs(keys) if name.endswith("knee") else np.abs(keys)  # hinge joints bend one way
        t = np.linspace(0, n - 1, k)
        rotvec = np.stack([np.interp(np.arange(n), t, keys[:, c]) for c in range(keys.shape[1])], axis=1)
        if width == 1:
            frames[:, sl] = rotvec
        else:
            angle = np.linalg.norm(rotvec, axis=1, keepdims=True)
            axis = rotvec / np.maximum(angle, 1e-9)
            frames[:, sl] = np.concatenate([np.cos(angle / 2), axis * np.sin(angle / 2)], axis=1)
    return mocap.forward_kinematics(skeleton(), mocap.Motion(frames, FPS, "none"))


LIMBS = {"left_arm": (0, 2, 4), "right_arm": (1, 3, 5), "left_leg": (6, 8, 10), "right_leg": (7, 9, 11)}
"""Body part -> (root joint, middle, end) indices into the 12 mocap joints."""


def limb_error(j: np.ndarray, part: str, angle_rad: float) -> np.ndarray:
    """The clip with one limb turned by ``angle_rad`` about its root joint (a constant error).

    The axis is fixed to the torso (so the error is the same whatever the body does, even
    upside down in a cartwheel): arms turn about the torso's front-back axis (raised
    sideways), legs about its left-right axis (swung forward).
    """
    root, mid, end = LIMBS[part]
    out = j.copy()
    lateral = j[:, 0] - j[:, 1] + j[:, 6] - j[:, 7]  # right -> left, shoulder + hip lines
    spine = j[:, [0, 1]].mean(axis=1) - j[:, [6, 7]].mean(axis=1)
    lateral /= np.linalg.norm(lateral, axis=1, keepdims=True)
    forward = np.cross(lateral, spine)
    forward /= np.linalg.norm(forward, axis=1, keepdims=True)
    axis = forward if part.endswith("arm") else lateral
    sign = 1.0 if part.startswith("left") else -1.0
    R = _rodrigues(axis, sign * angle_rad)
    for k in (mid, end):
        out[:, k] = j[:, root] + np.einsum("tij,tj->ti", R, j[:, k] - j[:, root])
    return out


def _rodrigues(axis: np.ndarray, angle: float) -> np.ndarray:
    """(T, 3) unit axes, one angle -> (T, 3, 3)."""
    K = np.zeros((len(axis), 3, 3))
    K[:, 0, 1], K[:, 0, 2], K[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    K = K - K.transpose(0, 2, 1)
    return np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * (K @ K)


# ------------------------------------------------------------------------ choreography
def choreography(ref: PoseTrack, beats: float | None, title: str = "corpus",
                 difficulty: str = "normal") -> Choreography:
    """An in-memory choreography over the whole reference: moves of ``beats`` beats
    (None: one move spanning the clip), mirror off (the player copies, not mirrors)."""
    duration = len(ref) / ref.fps
    spb = 60.0 / BPM
    if beats is None:
        spans = [(0.0, duration - 0.5 / ref.fps)]
    else:
        n = int(math.floor((duration - 1e-6) / (beats * spb)))
        spans = [(k * beats * spb, (k + 1) * beats * spb) for k in range(n)]
    moves = tuple(Move(index=i, name=f"m{i}", start_s=s, end_s=e, start_beat=None if beats is None else i * beats,
                       beats=beats, parts=ALL_PARTS, gold=False, tip="", pictogram=None)
                  for i, (s, e) in enumerate(spans))
    return Choreography(path=Path(f"<{title}>"), folder=Path("."), format=1, title=title, artist=None,
                        video=None, audio=None, pose_track=Path(f"<{title}>.npz"), cover=None, bpm=BPM,
                        offset_s=0.0, mirror=False, difficulty=difficulty, duration_s=duration, moves=moves,
                        _track=ref)


def with_noise(noise: NoiseModel, **changes: float) -> NoiseModel:
    return replace(noise, **changes)
