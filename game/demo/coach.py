"""Coco the bear: a procedurally animated dance coach with an exact BlazePose skeleton.

The animation *is* a 3-D skeleton of the 33 BlazePose landmarks (``pose.landmarks.NAMES``),
so the demo's pose track is exact rather than estimated:

- ``Pose`` — a handful of named joint angles (degrees) plus root motion; poses blend
  linearly, so moves are keyframe loops eased between beats.
- ``skeleton(pose) -> Body``: joints (33, 3) in metres, hip-centred, x to the viewer's
  right (the coach faces the viewer, so its *left* side is at +x), y down, z away from
  the camera — BlazePose's world convention.
- ``ROUTINE``: the dance — a list of ``Segment``s (move name, start beat, beats, gold,
  tip, parts) on the beat grid; ``pose_at(beat)`` evaluates it, blending into each move
  over the last half beat of the previous one so every move starts on its beat.
- ``Camera.project(body)`` -> image pixels and the normalised ``landmarks`` row of the
  track (x, y in [0, 1], z on the scale of x, visibility 1).

Everything is a pure function of the beat: the same input always gives the same frames.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Callable

import numpy as np

from pose.landmarks import INDEX, NUM_LANDMARKS

# Body measurements in metres: a child-sized cartoon with a big head. Limb lengths are
# childlike so the joint angles the scorer compares are those a child can copy.
HIP_HALF_M = 0.085
TORSO_M = 0.36  # hip centre -> shoulder centre
SHOULDER_HALF_M = 0.15
NECK_M = 0.05
HEAD_R_M = 0.19
UPPER_ARM_M = 0.19
FOREARM_M = 0.17
HAND_M = 0.07
THIGH_M = 0.22
SHIN_M = 0.21
ANKLE_H_M = 0.06  # ankle above the sole


@dataclass(frozen=True)
class Pose:
    """Joint angles in degrees; root motion in metres.

    Arms and legs: each segment's direction as (frontal angle th, forward angle ph).
    th is measured in the body's frontal plane from straight down (0) outwards (90 =
    horizontal, away from the body) to straight up (180); negative th points across
    the body's midline. ph tilts the segment towards the camera (90 = pointing at it,
    negative = behind the body). Arm angles are in the torso's frame, leg angles in the
    hips' frame. Prefix la/ra/ll/rl = the coach's left/right arm/leg; u/f upper arm and
    forearm, t/s thigh and shin.
    lean: upper body tilt to the viewer's right (deg); twist: shoulder yaw (deg, + turns
    the coach's left shoulder away); hip_twist likewise for the hips; pitch: bow forward.
    head_roll, head_nod (deg). root_x_m: sideways travel; lift_m: airborne height (the
    feet are put on the floor automatically, so bent knees lower the body).
    mouth: 0 smile .. 1 wide open laugh (rendering only).
    """

    la_u_th: float = 12.0
    la_u_ph: float = 0.0
    la_f_th: float = 8.0
    la_f_ph: float = 12.0
    ra_u_th: float = 12.0
    ra_u_ph: float = 0.0
    ra_f_th: float = 8.0
    ra_f_ph: float = 12.0
    ll_t_th: float = 5.0
    ll_t_ph: float = 0.0
    ll_s_th: float = 3.0
    ll_s_ph: float = 0.0
    rl_t_th: float = 5.0
    rl_t_ph: float = 0.0
    rl_s_th: float = 3.0
    rl_s_ph: float = 0.0
    lean: float = 0.0
    twist: float = 0.0
    hip_twist: float = 0.0
    pitch: float = 0.0
    head_roll: float = 0.0
    head_nod: float = 0.0
    root_x_m: float = 0.0
    lift_m: float = 0.0
    mouth: float = 0.0


_NAMES = tuple(f.name for f in fields(Pose))
NEUTRAL = Pose()


def to_vec(p: Pose) -> np.ndarray:
    return np.array([getattr(p, n) for n in _NAMES], dtype=np.float64)


def from_vec(v: np.ndarray) -> Pose:
    return Pose(**{n: float(x) for n, x in zip(_NAMES, v)})


def blend(a: Pose, b: Pose, w: float) -> Pose:
    """(1 - w) a + w b, parameter by parameter."""
    return from_vec(to_vec(a) * (1.0 - w) + to_vec(b) * w)


def P(**kw: float) -> Pose:
    """A pose: neutral plus the given changes."""
    return replace(NEUTRAL, **kw)


def mirror(p: Pose) -> Pose:
    """The same pose with left and right swapped (and sideways motions reversed)."""
    kw = {}
    for n in _NAMES:
        v = getattr(p, n)
        if n[:2] in ("la", "ra", "ll", "rl"):
            other = {"la": "ra", "ra": "la", "ll": "rl", "rl": "ll"}[n[:2]] + n[2:]
            kw[other] = v
        elif n in ("lean", "twist", "hip_twist", "head_roll", "root_x_m"):
            kw[n] = -v
        else:
            kw[n] = v
    return Pose(**kw)


def with_sides(base: Pose, **both: float) -> Pose:
    """Set arm/leg angles on both sides at once: ``with_sides(p, a_u_th=150)``."""
    kw = {}
    for k, v in both.items():
        limb = k[0]
        for side in "lr":
            kw[f"{side}{limb}{k[1:]}"] = v
    return replace(base, **kw)


# ---------------------------------------------------------------------------------------
# Skeleton
# ---------------------------------------------------------------------------------------
def _rx(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def _ry(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _rz(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def _dir(th: float, ph: float, side: float) -> np.ndarray:
    """Unit vector of a segment; side +1 = the coach's left (+x), -1 = its right."""
    t, p = math.radians(th), math.radians(ph)
    return np.array([side * math.sin(t) * math.cos(p), math.cos(t) * math.cos(p), -math.sin(p)])


@dataclass(frozen=True)
class Body:
    """A posed skeleton.

    joints_m: (33, 3) BlazePose landmarks, metres, hip-centred (x right, y down, z away).
    head_centre_m: (3,); head_axes: (3, 3) columns = head's right, down, forward-away.
    torso_axes: (3, 3) likewise for the chest. foot_drop_m: how far the soles are below
    the hip centre, to stand the body on the floor. lift_m, root_x_m, mouth from the pose.
    """

    joints_m: np.ndarray
    head_centre_m: np.ndarray
    head_axes: np.ndarray
    torso_axes: np.ndarray
    foot_drop_m: float
    lift_m: float
    root_x_m: float
    mouth: float


def skeleton(p: Pose) -> Body:
    """Forward kinematics: a Pose -> 33 BlazePose joints (see Body)."""
    J = np.zeros((NUM_LANDMARKS, 3))
    r_torso = _rz(-p.lean) @ _ry(p.twist) @ _rx(-p.pitch)
    r_hips = _ry(p.hip_twist)

    # Upper body in the torso frame, rotated about the hip centre.
    neck = r_torso @ np.array([0.0, -TORSO_M, 0.0])
    for side, pre in ((1.0, "left"), (-1.0, "right")):
        arm = "la" if side > 0 else "ra"
        sh = r_torso @ np.array([side * SHOULDER_HALF_M, -TORSO_M, 0.0])
        up = r_torso @ _dir(getattr(p, f"{arm}_u_th"), getattr(p, f"{arm}_u_ph"), side)
        fo = r_torso @ _dir(getattr(p, f"{arm}_f_th"), getattr(p, f"{arm}_f_ph"), side)
        el = sh + UPPER_ARM_M * up
        wr = el + FOREARM_M * fo
        # The palm faces the camera: "across" is the hand's thumb direction, towards the
        # body's midline in the frontal plane.
        across = np.cross(fo, r_torso @ np.array([0.0, 0.0, 1.0])) * side
        n = np.linalg.norm(across)
        across = across / n if n > 1e-6 else r_torso @ np.array([-side, 0.0, 0.0])
        J[INDEX[f"{pre}_shoulder"]] = sh
        J[INDEX[f"{pre}_elbow"]] = el
        J[INDEX[f"{pre}_wrist"]] = wr
        J[INDEX[f"{pre}_index"]] = wr + HAND_M * fo + 0.015 * across
        J[INDEX[f"{pre}_pinky"]] = wr + 0.85 * HAND_M * fo - 0.03 * across
        J[INDEX[f"{pre}_thumb"]] = wr + 0.45 * HAND_M * fo + 0.04 * across

    # Head: on the neck, rolled and nodded relative to the torso.
    r_head = r_torso @ _rz(-p.head_roll) @ _rx(-p.head_nod)
    head_c = neck + r_head @ np.array([0.0, -(NECK_M + HEAD_R_M * 0.8), 0.0])

    def on_head(x: float, y: float, z: float) -> np.ndarray:
        return head_c + r_head @ (np.array([x, y, z]) * HEAD_R_M)

    J[INDEX["nose"]] = on_head(0.0, 0.18, -0.98)
    for side, pre in ((1.0, "left"), (-1.0, "right")):
        J[INDEX[f"{pre}_eye_inner"]] = on_head(side * 0.2, -0.05, -0.95)
        J[INDEX[f"{pre}_eye"]] = on_head(side * 0.32, -0.07, -0.92)
        J[INDEX[f"{pre}_eye_outer"]] = on_head(side * 0.44, -0.05, -0.86)
        J[INDEX[f"{pre}_ear"]] = on_head(side * 0.97, 0.05, 0.1)
        J[INDEX[f"mouth_{pre}"]] = on_head(side * 0.22, 0.42, -0.86)

    # Legs in the hips' frame.
    for side, pre in ((1.0, "left"), (-1.0, "right")):
        leg = "ll" if side > 0 else "rl"
        hp = r_hips @ np.array([side * HIP_HALF_M, 0.0, 0.0])
        th = r_hips @ _dir(getattr(p, f"{leg}_t_th"), getattr(p, f"{leg}_t_ph"), side)
        sn = r_hips @ _dir(getattr(p, f"{leg}_s_th"), getattr(p, f"{leg}_s_ph"), side)
        kn = hp + THIGH_M * th
        an = kn + SHIN_M * sn
        # Toes point at the camera, square to the shin.
        fwd = r_hips @ np.array([side * 0.25, 0.0, -1.0])
        fwd = fwd - np.dot(fwd, sn) * sn
        fwd /= np.linalg.norm(fwd)
        J[INDEX[f"{pre}_hip"]] = hp
        J[INDEX[f"{pre}_knee"]] = kn
        J[INDEX[f"{pre}_ankle"]] = an
        J[INDEX[f"{pre}_heel"]] = an + 0.05 * sn - 0.045 * fwd
        J[INDEX[f"{pre}_foot_index"]] = an + 0.05 * sn + 0.13 * fwd

    feet = J[[INDEX["left_heel"], INDEX["right_heel"], INDEX["left_foot_index"], INDEX["right_foot_index"]], 1]
    return Body(
        joints_m=J,
        head_centre_m=head_c,
        head_axes=r_head,
        torso_axes=r_torso,
        foot_drop_m=float(feet.max()) + 0.01,
        lift_m=p.lift_m,
        root_x_m=p.root_x_m,
        mouth=p.mouth,
    )


# ---------------------------------------------------------------------------------------
# Moves: keyframe loops on the beat
# ---------------------------------------------------------------------------------------
def _ease(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(x, 0.0), 1.0))


def loop(keys: list[tuple[float, Pose]], period: float, snap: float = 1.0) -> Callable[[float], Pose]:
    """A move cycling through key poses at beat times within ``period`` beats.

    snap < 1 reaches each key in that fraction of the gap and holds it: robot-sharp moves.
    """
    keys = sorted(keys, key=lambda k: k[0])
    n = len(keys)

    def at(beat: float) -> Pose:
        b = beat % period
        before = [i for i, (kb, _) in enumerate(keys) if kb <= b]
        i = before[-1] if before else n - 1  # before the first key: still easing from the last
        kb, kp = keys[i]
        nb, np_ = keys[(i + 1) % n]
        if i + 1 == n:
            nb += period
        if b < kb:
            b += period
        gap = nb - kb
        x = (b - kb) / gap if gap > 0 else 0.0
        return blend(kp, np_, _ease(x / snap))

    return at


def _groove(move: Callable[[float], Pose], knees_deg: float = 10.0, bob_deg: float = 4.0) -> Callable[[float], Pose]:
    """Add a bounce on every beat: knees dip on the off-beat and straighten on the beat."""
    def at(beat: float) -> Pose:
        p = move(beat)
        d = knees_deg * (0.5 - 0.5 * math.cos(2 * math.pi * beat))
        return replace(p, ll_t_ph=p.ll_t_ph + d, rl_t_ph=p.rl_t_ph + d,
                       ll_s_ph=p.ll_s_ph - d, rl_s_ph=p.rl_s_ph - d,
                       head_nod=p.head_nod + bob_deg * math.sin(2 * math.pi * beat))
    return at


# Recurring shapes.
HAND_ON_HIP = dict(u_th=42.0, u_ph=-8.0, f_th=-55.0, f_ph=10.0)


def _arm(side: str, u_th: float, u_ph: float, f_th: float, f_ph: float) -> dict[str, float]:
    a = "la" if side == "l" else "ra"
    return {f"{a}_u_th": u_th, f"{a}_u_ph": u_ph, f"{a}_f_th": f_th, f"{a}_f_ph": f_ph}


def _leg(side: str, t_th: float, t_ph: float, s_th: float, s_ph: float) -> dict[str, float]:
    g = "ll" if side == "l" else "rl"
    return {f"{g}_t_th": t_th, f"{g}_t_ph": t_ph, f"{g}_s_th": s_th, f"{g}_s_ph": s_ph}


def _both_arms(u_th: float, u_ph: float, f_th: float, f_ph: float) -> dict[str, float]:
    return {**_arm("l", u_th, u_ph, f_th, f_ph), **_arm("r", u_th, u_ph, f_th, f_ph)}


def _both_legs(t_th: float, t_ph: float, s_th: float, s_ph: float) -> dict[str, float]:
    return {**_leg("l", t_th, t_ph, s_th, s_ph), **_leg("r", t_th, t_ph, s_th, s_ph)}


def move_idle() -> Callable[[float], Pose]:
    return _groove(loop([(0, P(**_both_arms(14, 10, 10, 25), mouth=0.2)),
                         (1, P(**_both_arms(20, 5, 14, 30), lean=3, mouth=0.2)),
                         (2, P(**_both_arms(14, 10, 10, 25), mouth=0.2)),
                         (3, P(**_both_arms(20, 5, 14, 30), lean=-3, mouth=0.2))], 4))


def move_hello() -> Callable[[float], Pose]:
    hip = _arm("l", **HAND_ON_HIP)
    return _groove(loop([(0, P(**hip, **_arm("r", 125, 10, 165, 10), head_roll=-6, mouth=0.7)),
                         (0.5, P(**hip, **_arm("r", 125, 10, 120, 10), head_roll=-6, mouth=0.7))], 1))


def move_arm_waves() -> Callable[[float], Pose]:
    # Both arms up like a rainbow swaying over the head, body leaning with them.
    right = P(**_arm("l", 118, 0, 135, 0), **_arm("r", 196, 0, 205, 0), lean=10, head_roll=8, mouth=0.6)
    return _groove(loop([(0, right), (2, mirror(right))], 4), knees_deg=8)


def move_march() -> Callable[[float], Pose]:
    up_l = P(**_leg("l", 4, 78, 2, -5), **_leg("r", 4, 0, 3, 0),
             **_arm("r", 18, 55, 20, 110), **_arm("l", 14, -30, 12, -10), mouth=0.4)
    down = P(**_both_arms(15, 10, 12, 45), mouth=0.4)
    return loop([(0, up_l), (0.5, down), (1, mirror(up_l)), (1.5, down)], 2)


def move_bunny_ears() -> Callable[[float], Pose]:
    # Hands up beside the head like long ears; hop on every beat and flop the ears.
    ears_up = P(**_both_arms(128, 10, 184, 10), **_both_legs(4, 22, 2, -18), mouth=0.8)
    ears_flop = P(**_both_arms(128, 10, 215, 10), lift_m=0.07, mouth=0.8, head_nod=-6)
    return loop([(0, ears_up), (0.5, ears_flop)], 1)


def move_side_steps() -> Callable[[float], Pose]:
    clap = dict(**_both_arms(22, 55, -62, 62), **_both_legs(3, 0, 2, 0))
    open_ = dict(**_both_arms(68, 8, 112, 8), **_both_legs(18, 0, 16, 0))
    return _groove(loop([(0, P(**clap, root_x_m=-0.22, lean=-4, mouth=0.9)),
                         (1, P(**open_, root_x_m=0.0, mouth=0.5)),
                         (2, P(**clap, root_x_m=0.22, lean=4, mouth=0.9)),
                         (3, P(**open_, root_x_m=0.0, mouth=0.5))], 4), knees_deg=12)


def move_jumping_jacks() -> Callable[[float], Pose]:
    closed = P(**_both_arms(8, 0, 6, 5), **_both_legs(3, 0, 2, 0), mouth=0.3)
    out = P(**_both_arms(160, 0, 172, 0), **_both_legs(22, 0, 20, 0), mouth=1.0)
    base = loop([(0, closed), (0.5, out)], 1)

    def at(beat: float) -> Pose:
        return replace(base(beat), lift_m=0.07 * math.sin(2 * math.pi * beat) ** 2)
    return at


def move_disco_point() -> Callable[[float], Pose]:
    hip = _arm("l", **HAND_ON_HIP)
    up = P(**hip, **_arm("r", 148, 12, 152, 12), lean=-7, head_roll=-10, root_x_m=0.04, mouth=0.7)
    down = P(**hip, **_arm("r", 32, 25, 36, 25), lean=6, head_roll=6, root_x_m=-0.04, mouth=0.3)
    right = _groove(loop([(0, up), (1, down)], 2))
    left = _groove(loop([(0, mirror(up)), (1, mirror(down))], 2))
    return lambda beat: right(beat) if beat % 8 < 4 else left(beat)


def move_twist() -> Callable[[float], Pose]:
    a = P(**_both_arms(55, 25, -25, 55), **_both_legs(8, 28, 4, -24),
          twist=34, hip_twist=-22, lean=4, mouth=0.8)
    return loop([(0, a), (1, mirror(a))], 2)


def move_star_jump() -> Callable[[float], Pose]:
    crouch = P(**_both_arms(18, 35, 12, 45), **_both_legs(10, 55, 4, -40), head_nod=8, mouth=0.3)
    star = P(**_both_arms(135, 0, 140, 0), **_both_legs(30, 0, 30, 0), lift_m=0.17, mouth=1.0)
    land = replace(star, lift_m=0.0, **_both_arms(128, 5, 132, 5))
    return loop([(0, crouch), (0.5, star), (1.0, land), (1.5, crouch)], 2)


def move_robot() -> Callable[[float], Pose]:
    a = P(**_arm("l", 88, 0, 178, 0), **_arm("r", 88, 0, 2, 0), head_roll=12, mouth=0.2)
    return _groove(loop([(0, a), (1, mirror(a))], 2, snap=0.35), knees_deg=6, bob_deg=0)


def move_swim() -> Callable[[float], Pose]:
    # Front-crawl arms: each arm circles forward (down, front, up, back), opposite phase.
    groove = _groove(lambda b: P(mouth=0.6), knees_deg=10)

    def at(beat: float) -> Pose:
        base = groove(beat)
        a = 360.0 * (beat / 2.0)
        return replace(base, la_u_th=14, la_u_ph=a, la_f_th=14, la_f_ph=a + 10,
                       ra_u_th=14, ra_u_ph=a + 180, ra_f_th=14, ra_f_ph=a + 190,
                       twist=10 * math.sin(math.radians(a)))
    return at


def move_super_star() -> Callable[[float], Pose]:
    hip = _arm("l", **HAND_ON_HIP)
    hero = P(**hip, **_arm("r", 152, 8, 160, 8), **_both_legs(15, 0, 14, 0), lean=-4, mouth=1.0)
    prep = P(**hip, **_arm("r", 70, 40, 120, 60), **_both_legs(15, 10, 14, -10), mouth=0.5)
    right = loop([(0, hero), (1.5, hero), (1.75, prep)], 2)
    left = loop([(0, mirror(hero)), (1.5, mirror(hero)), (1.75, mirror(prep))], 2)
    return lambda beat: right(beat) if beat % 4 < 2 else left(beat)


def move_bow() -> Callable[[float], Pose]:
    tada = P(**_both_arms(120, 20, 130, 20), **_both_legs(10, 0, 9, 0), mouth=1.0)
    bow = P(**_both_arms(30, 30, 10, 60), pitch=22, head_nod=4, mouth=0.4)
    return loop([(0, tada), (1.5, tada), (2, bow), (3.5, bow)], 4)


# ---------------------------------------------------------------------------------------
# The routine
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One stretch of the dance on the beat grid; scored=False for the intro and outro."""

    name: str
    start_beat: int
    beats: int
    move: Callable[[float], Pose]
    tip: str = ""
    parts: tuple[str, ...] = ()
    gold: bool = False
    scored: bool = True
    card_beat: float = 0.0  # the beat (within the move) whose pose best shows it on a card


ARMS = ("left_arm", "right_arm")
LEGS = ("left_leg", "right_leg")
ALL = ARMS + LEGS + ("torso",)

ROUTINE: tuple[Segment, ...] = (
    Segment("Get ready", 0, 4, move_idle(), scored=False),
    Segment("Say hello", 4, 4, move_hello(), scored=False),
    Segment("Arm waves", 8, 8, move_arm_waves(), "Reach both arms high and sway like a rainbow!", ARMS),
    Segment("March", 16, 8, move_march(), "Lift your knees up high, one on every beat!", ALL),
    Segment("Bunny ears", 24, 8, move_bunny_ears(), "Hands up by your head like bunny ears, then hop!", ARMS),
    Segment("Side steps", 32, 8, move_side_steps(), "Step to the side and clap when your feet meet!", ALL, card_beat=1),
    Segment("Jumping jacks", 40, 8, move_jumping_jacks(), "Arms up and feet out, then back together!", ALL, card_beat=0.5),
    Segment("Disco point", 48, 8, move_disco_point(), "Point up to the sky, then down to the floor!", ARMS),
    Segment("Twist", 56, 8, move_twist(), "Bend your knees and twist from side to side!", ("torso",) + LEGS),
    Segment("Star jump", 64, 8, move_star_jump(), "Crouch down, then jump into a big star shape!", ALL, gold=True, card_beat=0.5),
    Segment("Robot arms", 72, 8, move_robot(), "Bend your elbows like a robot: one up, one down!", ARMS),
    Segment("Swim", 80, 8, move_swim(), "Make big swimming circles with your arms!", ARMS, card_beat=0.6),
    Segment("Arm waves", 88, 8, move_arm_waves(), "Big rainbow arms again, lean with them!", ARMS),
    Segment("Super star", 96, 8, move_super_star(), "One hand on your hip, punch the other up high!", ALL, gold=True),
    Segment("Take a bow", 104, 8, move_bow(), scored=False),
)
TOTAL_BEATS = ROUTINE[-1].start_beat + ROUTINE[-1].beats
BLEND_BEATS = 0.5


def segment_at(beat: float) -> tuple[int, Segment]:
    """The segment playing at ``beat`` (clamped to the first/last)."""
    for i, seg in enumerate(ROUTINE):
        if beat < seg.start_beat + seg.beats:
            return i, seg
    return len(ROUTINE) - 1, ROUTINE[-1]


def pose_at(beat: float) -> Pose:
    """The coach's pose at a (fractional) beat; before beat 0 it stands idle."""
    beat = max(beat, 0.0)
    if beat >= TOTAL_BEATS:
        return ROUTINE[-1].move(float(ROUTINE[-1].beats))
    i, seg = segment_at(beat)
    local = beat - seg.start_beat
    p = seg.move(local)
    if i + 1 < len(ROUTINE) and local > seg.beats - BLEND_BEATS:
        nxt = ROUTINE[i + 1]
        w = _ease((local - (seg.beats - BLEND_BEATS)) / BLEND_BEATS)
        p = blend(p, nxt.move(0.0), w)
    return p


# ---------------------------------------------------------------------------------------
# Camera
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Camera:
    """A pinhole camera facing the stage; the floor is y = 0, the coach stands at z = 0.

    distance_m: camera to the coach; height_m: camera above the floor; focal_px.
    """

    width_px: int = 960
    height_px: int = 540
    distance_m: float = 4.0
    height_m: float = 0.65
    focal_px: float = 1330.0

    def stage_point(self, body: Body, p_m: np.ndarray) -> np.ndarray:
        """Hip-centred body coordinates -> stage coordinates (floor y = 0, up negative)."""
        root = np.array([body.root_x_m, -(body.foot_drop_m + body.lift_m), 0.0])
        return p_m + root

    def to_px(self, stage_m: np.ndarray) -> np.ndarray:
        """(..., 3) stage metres -> (..., 3): u, v pixels and camera depth in metres."""
        s = np.asarray(stage_m, dtype=np.float64)
        depth = s[..., 2] + self.distance_m
        u = self.width_px / 2 + self.focal_px * s[..., 0] / depth
        v = self.height_px / 2 + self.focal_px * (s[..., 1] + self.height_m) / depth
        return np.stack([u, v, depth], axis=-1)

    def px_per_m(self, depth_m: float | np.ndarray) -> float | np.ndarray:
        return self.focal_px / depth_m

    def landmarks(self, body: Body) -> np.ndarray:
        """(33, 4) float32 track row: x, y normalised, z on x's scale, visibility 1."""
        uvd = self.to_px(self.stage_point(body, body.joints_m))
        out = np.empty((NUM_LANDMARKS, 4), dtype=np.float32)
        out[:, 0] = uvd[:, 0] / self.width_px
        out[:, 1] = uvd[:, 1] / self.height_px
        # BlazePose z: depth relative to the hip centre, in the units of normalised x.
        out[:, 2] = body.joints_m[:, 2] * self.focal_px / self.distance_m / self.width_px
        out[:, 3] = 1.0
        return out
