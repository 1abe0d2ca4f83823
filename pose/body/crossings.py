"""Two-player scenes composited from real single-person footage, with known identities.

Each person is cut out of a real clip frame by frame (the body tracker finds them, the
selfie segmenter gives the mask, limited to the box around their landmarks so nobody else
in the clip comes along), then pasted onto one canvas along a scripted path: walking
across each other, swapping places, leaving the frame and coming back. The person in front
is pasted last over the one behind, through its mask: real occlusion, as when two
children cross in front of a camera. The ground truth is the script: where each person's
body centre (the mean of shoulders and hips) is on every frame.

The identity benchmark (benchmarks/bench_identity.py) and the player tests use these.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from pose.body.identity import body_centre_px, body_scale_px
from pose.frame import PoseFrame

CANVAS_WH = (960, 540)
FPS = 30.0


@dataclass(frozen=True, eq=False)
class Person:
    """A real person cut out of a clip, one sprite per source frame.

    sprites: n RGBA (h, w, 4) uint8 images, alpha = the person mask; all at one scale, so
        the person's body size (landmark ROI side) is ``size_px``.
    anchors_px: (n, 2) float64 the body centre in each sprite's pixels.
    """

    name: str
    sprites: tuple[np.ndarray, ...]
    anchors_px: np.ndarray
    size_px: float

    def __post_init__(self) -> None:
        a = np.asarray(self.anchors_px, np.float64)
        if a.shape != (len(self.sprites), 2):
            raise ValueError(f"anchors_px must be ({len(self.sprites)}, 2), got {a.shape}")
        if not self.sprites:
            raise ValueError("a person needs at least one sprite")
        for s in self.sprites:
            if s.ndim != 3 or s.shape[2] != 4 or s.dtype != np.uint8:
                raise ValueError(f"sprites must be (h, w, 4) uint8, got {s.shape} {s.dtype}")
        object.__setattr__(self, "anchors_px", a)

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Sprite and anchor of scene frame i: the clip plays forward then backward, so any
        length of scene shows continuous real movement."""
        n = len(self.sprites)
        period = max(1, 2 * n - 2)
        k = i % period
        k = k if k < n else period - k
        return self.sprites[k], self.anchors_px[k]


def read_frames(name: str, n: int, step: int = 1) -> list[np.ndarray]:
    """The first ``n`` frames (every ``step``-th) of a cached sample clip, RGB."""
    import cv2

    from pose.samples import sample_path

    cap = cv2.VideoCapture(str(sample_path(name)))
    out: list[np.ndarray] = []
    i = 0
    try:
        while len(out) < n:
            ok, bgr = cap.read()
            if not ok:
                break
            if i % step == 0:
                out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            i += 1
    finally:
        cap.release()
    return out


def _largest(bodies: tuple[PoseFrame, ...]) -> PoseFrame | None:
    return max(bodies, key=body_scale_px) if bodies else None


def cut_out(name: str, frames: list[np.ndarray], size_px: float,
            pick: Callable[[tuple[PoseFrame, ...]], PoseFrame | None] = _largest) -> Person:
    """Cut the person ``pick`` chooses (default: the largest body) out of every frame.

    size_px: the body size (landmark ROI side) the sprites are scaled to. Frames where
    the person is not found reuse the previous cut-out.
    """
    import cv2

    from pose.body.tracker import MultiBodyTracker
    from pose.segmentation import SelfieSegmenter

    tracker = MultiBodyTracker(max_people=3, smooth=True, segmentation=True)
    segmenter = SelfieSegmenter(smooth=False, threads=1)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []  # crop rgb, mask, anchor, roi size
    for i, rgb in enumerate(frames):
        pose = pick(tracker.process(rgb, i / FPS).people)
        if pose is None:
            if found:
                found.append(found[-1])
            continue
        h, w = rgb.shape[:2]
        xy = pose.xy_px()
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        # Head top and hands stick out past the landmarks: widen the box a little.
        mx, my = 0.15 * (x1 - x0) + 0.05 * body_scale_px(pose), 0.10 * (y1 - y0)
        bx0, by0 = int(max(0, x0 - mx)), int(max(0, y0 - 1.6 * my))
        bx1, by1 = int(min(w, x1 + mx)), int(min(h, y1 + my))
        if bx1 - bx0 < 8 or by1 - by0 < 8:
            continue
        # Segment a square around the box: the selfie model wants the person large in its input.
        side = max(bx1 - bx0, by1 - by0)
        cx, cy = (bx0 + bx1) // 2, (by0 + by1) // 2
        sx0, sy0 = cx - side // 2, cy - side // 2
        square = np.zeros((side, side, 3), np.uint8)
        ix0, iy0, ix1, iy1 = max(0, sx0), max(0, sy0), min(w, sx0 + side), min(h, sy0 + side)
        square[iy0 - sy0:iy1 - sy0, ix0 - sx0:ix1 - sx0] = rgb[iy0:iy1, ix0:ix1]
        mask = segmenter.process(square, i / FPS).mask_at((side, side))
        mask = mask[by0 - sy0:by1 - sy0, bx0 - sx0:bx1 - sx0]
        if pose.mask is not None:
            # The selfie model keeps every person and some furniture; the body model's own
            # mask is this person's only. Keep what both call person (the body mask widened
            # a little: it is coarse at the edges).
            own = (np.asarray(pose.mask)[by0:by1, bx0:bx1] > 0.3).astype(np.uint8)
            own = cv2.dilate(own, np.ones((9, 9), np.uint8))
            mask = mask * own
        crop = rgb[by0:by1, bx0:bx1]
        anchor = body_centre_px(pose) - (bx0, by0)
        found.append((crop, mask, anchor, float(pose.roi.size_px if pose.roi is not None else body_scale_px(pose))))
    if not found:
        raise ValueError(f"nobody found in {name}")
    scale = size_px / float(np.median([f[3] for f in found]))
    sprites, anchors = [], []
    for crop, mask, anchor, _ in found:
        sw, sh = max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))
        rgb_s = cv2.resize(crop, (sw, sh), interpolation=cv2.INTER_AREA)
        a = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_LINEAR)
        alpha = np.clip(np.round(a * 255.0), 0, 255).astype(np.uint8)
        sprites.append(np.dstack([rgb_s, alpha]))
        anchors.append(anchor * scale)
    return Person(name, tuple(sprites), np.array(anchors), float(size_px))


# ------------------------------------------------------------------ scripts
@dataclass(frozen=True, eq=False)
class Script:
    """Where each person is on each frame of a scene.

    centres_norm: (n_frames, 2 people, 2) float64 body centre in canvas-normalised x, y
        (x may leave [0, 1]: the person walked out of the frame).
    scales: (n_frames, 2) float64 each person's size factor (the one in front is larger).
    front: (n_frames,) int the person pasted last (in front).
    """

    name: str
    centres_norm: np.ndarray
    scales: np.ndarray
    front: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.front)
        if np.shape(self.centres_norm) != (n, 2, 2) or np.shape(self.scales) != (n, 2):
            raise ValueError(f"centres_norm must be ({n}, 2, 2) and scales ({n}, 2)")

    def __len__(self) -> int:
        return len(self.front)


def _path(keys: list[tuple[float, float]], t: np.ndarray) -> np.ndarray:
    """Piecewise-linear x over time from (time_s, x) keyframes, eased so walks start and
    stop smoothly as people's do."""
    ts = np.array([k[0] for k in keys])
    xs = np.array([k[1] for k in keys])
    i = np.clip(np.searchsorted(ts, t, side="right") - 1, 0, len(ts) - 2)
    u = np.clip((t - ts[i]) / np.maximum(ts[i + 1] - ts[i], 1e-9), 0.0, 1.0)
    u = 0.5 - 0.5 * np.cos(np.pi * u)
    return xs[i] + (xs[i + 1] - xs[i]) * u


def script(name: str, fps: float = FPS, seconds: float | None = None) -> Script:
    """A named scene: swap, cross_back, leave_return, leave_other_side, close."""
    plans: dict[str, tuple[float, list, list, list]] = {
        # (seconds, person 0 x keys, person 1 x keys, (time_s, front person) keys)
        "swap": (5.0, [(0, .25), (1.0, .25), (3.5, .75), (5, .75)], [(0, .75), (1.0, .75), (3.5, .25), (5, .25)],
                 [(0, 1)]),
        "cross_back": (8.0, [(0, .25), (1, .25), (3, .75), (4.5, .75), (6.5, .25), (8, .25)],
                       [(0, .75), (1, .75), (3, .25), (4.5, .25), (6.5, .75), (8, .75)], [(0, 1), (3.75, 0)]),
        "leave_return": (6.0, [(0, .3), (1, .3), (2, -.35), (4, -.35), (5, .3), (6, .3)],
                         [(0, .7), (6, .7)], [(0, 1)]),
        "leave_other_side": (7.0, [(0, .3), (1, .3), (2, -.35), (4.5, -.35), (4.6, 1.35), (6, .72), (7, .72)],
                             [(0, .7), (2.2, .7), (3.8, .3), (7, .3)], [(0, 1)]),
        # Step in apart, then dance side by side, arms over each other, then apart again.
        "close": (6.0, [(0, .25), (1, .25), (2, .42), (3, .45), (4, .42), (5, .25), (6, .25)],
                  [(0, .75), (1, .75), (2, .58), (3, .55), (4, .58), (5, .75), (6, .75)], [(0, 1)]),
    }
    if name not in plans:
        raise ValueError(f"unknown scene {name!r}; known: {', '.join(plans)}")
    length, k0, k1, fronts = plans[name]
    length = length if seconds is None else min(length, seconds)
    n = int(round(length * fps))
    t = np.arange(n) / fps
    front = np.zeros(n, np.int64)
    for ts, who in fronts:
        front[t >= ts] = who
    scales = np.where(front[:, None] == np.arange(2)[None, :], 1.0, 0.9)
    # The one behind stands further back: smaller and higher up the floor.
    y = np.where(scales == 1.0, 0.56, 0.50)
    centres = np.stack([np.stack([_path(k0, t), y[:, 0]], axis=1), np.stack([_path(k1, t), y[:, 1]], axis=1)], axis=1)
    return Script(name, centres, scales, front)


# ------------------------------------------------------------------ rendering
def background(size_wh: tuple[int, int] = CANVAS_WH, seed: int = 0) -> np.ndarray:
    """A plain room: a wall with faint texture over a darker floor."""
    w, h = size_wh
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), np.float32)
    wall = np.array([196, 190, 178], np.float32)
    floor = np.array([120, 104, 88], np.float32)
    horizon = int(h * 0.62)
    img[:horizon] = wall
    ramp = np.linspace(0.9, 1.1, h - horizon)[:, None, None]
    img[horizon:] = floor * ramp
    img += rng.normal(0.0, 4.0, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _paste(canvas: np.ndarray, sprite: np.ndarray, x0: int, y0: int) -> None:
    h, w = canvas.shape[:2]
    sh, sw = sprite.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x0 + sw), min(h, y0 + sh)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    s = sprite[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    a = s[:, :, 3:4].astype(np.float32) / 255.0
    region = canvas[cy0:cy1, cx0:cx1].astype(np.float32)
    canvas[cy0:cy1, cx0:cx1] = (region * (1.0 - a) + s[:, :, :3].astype(np.float32) * a + 0.5).astype(np.uint8)


@dataclass(frozen=True, eq=False)
class SceneFrame:
    """One composited frame and its truth.

    rgb: (H, W, 3) uint8. centres_px: (2, 2) each person's body centre in canvas pixels,
    NaN for one who is out of the frame. sizes_px: (2,) their body sizes. front: who is in front.
    """

    rgb: np.ndarray
    centres_px: np.ndarray
    sizes_px: np.ndarray
    front: int


def render(people: tuple[Person, Person], plan: Script, size_wh: tuple[int, int] = CANVAS_WH) -> Iterator[SceneFrame]:
    """The scene's frames, people pasted back to front along the script."""
    import cv2

    w, h = size_wh
    base = background(size_wh)
    for f in range(len(plan)):
        canvas = base.copy()
        centres = np.full((2, 2), np.nan)
        sizes = np.zeros(2)
        front = int(plan.front[f])
        for p in (1 - front, front):
            sprite, anchor = people[p].frame(f)
            s = float(plan.scales[f, p])
            if s != 1.0:
                sprite = cv2.resize(sprite, (max(1, round(sprite.shape[1] * s)), max(1, round(sprite.shape[0] * s))),
                                    interpolation=cv2.INTER_AREA)
            c = plan.centres_norm[f, p] * (w, h)
            x0, y0 = int(round(c[0] - anchor[0] * s)), int(round(c[1] - anchor[1] * s))
            _paste(canvas, sprite, x0, y0)
            sizes[p] = people[p].size_px * s
            if 0.0 <= c[0] < w:
                centres[p] = c
        yield SceneFrame(canvas, centres, sizes, front)


# ------------------------------------------------------------------ scoring
@dataclass(frozen=True)
class IdentityScore:
    """How well player slots stayed on their people over a clip.

    Per slot (tuples of n_slots): visible = frames its person was in view; shown = frames
    the slot had a pose; right = shown on its own person; wrong = shown on the other
    person; astray = shown on nobody; switches = times the person under the slot changed.
    """

    frames: int
    fps: float
    visible: tuple[int, ...]
    shown: tuple[int, ...]
    right: tuple[int, ...]
    wrong: tuple[int, ...]
    astray: tuple[int, ...]
    switches: tuple[int, ...]

    @property
    def minutes(self) -> float:
        return self.frames / self.fps / 60.0

    @property
    def switches_per_min(self) -> float:
        return sum(self.switches) / max(self.minutes, 1e-9)

    @property
    def right_share(self) -> float:
        """Of the frames a slot showed a pose, the share on the right person (aim: 1)."""
        return sum(self.right) / max(1, sum(self.shown))

    @property
    def coverage(self) -> float:
        """Of the frames a person was in view, the share their slot showed them."""
        return sum(self.right) / max(1, sum(self.visible))


def who_is_it(centre_px: np.ndarray, truth_px: np.ndarray, sizes_px: np.ndarray, near: float = 0.2) -> int | None:
    """Which person (row of truth_px, NaN rows out of view) a pose centre is on: the nearest
    within ``near`` body sizes (the landmark ROI side: a pose on its person is within 0.1 of
    it, one straddling two people further), or None."""
    best, best_d = None, np.inf
    for p, (c, s) in enumerate(zip(truth_px, sizes_px)):
        if not np.isfinite(c).all():
            continue
        d = float(np.linalg.norm(centre_px - c)) / max(float(s), 1.0)
        if d < near and d < best_d:
            best, best_d = p, d
    return best


def score_identity(centres: list[list[np.ndarray | None]], truths: list[np.ndarray], sizes: list[np.ndarray],
                   fps: float, owners: tuple[int, ...] = (0, 1)) -> IdentityScore:
    """centres[f][k]: slot k's pose centre (px) on frame f or None; truths[f]: (P, 2) each
    person's true centre (NaN out of view); sizes[f]: (P,) their body sizes; owners[k]:
    the person slot k belongs to."""
    n = len(owners)
    visible, shown, right, wrong, astray, switches = ([0] * n for _ in range(6))
    last: list[int | None] = [None] * n
    for f, row in enumerate(centres):
        for k in range(n):
            if np.isfinite(truths[f][owners[k]]).all():
                visible[k] += 1
            c = row[k]
            if c is None:
                continue
            shown[k] += 1
            who = who_is_it(np.asarray(c), truths[f], sizes[f])
            if who is None:
                astray[k] += 1
                continue
            if who == owners[k]:
                right[k] += 1
            else:
                wrong[k] += 1
            if last[k] is not None and who != last[k]:
                switches[k] += 1
            last[k] = who
    return IdentityScore(len(centres), fps, tuple(visible), tuple(shown), tuple(right), tuple(wrong),
                         tuple(astray), tuple(switches))


@dataclass(frozen=True, eq=False)
class PlayersRun:
    """A PlayerTracker run over a clip with known truth (see ``track_players``).

    score: from the claim on. claim_frame: the frame the sides were claimed on (None: never,
    both bodies were never seen apart). wall_ms, cpu_ms: (frames,) the tracker's time per
    frame, wall and CPU (user + sys of the process). parts_ms: mean ms per frame of each
    part (detector, landmark, identity). detector_calls, landmark_calls.
    """

    score: IdentityScore
    claim_frame: int | None
    wall_ms: np.ndarray
    cpu_ms: np.ndarray
    parts_ms: dict[str, float]
    detector_calls: int
    landmark_calls: int


def track_players(frames: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]], fps: float,
                  tracker: "object | None" = None) -> PlayersRun:
    """Run a PlayerTracker over (rgb, truth centres (P, 2) px, sizes (P,) px) frames.

    The sides are claimed as the step-in screen would: on the first frame where both
    players are found and stand clear of each other. Each slot's owner is the person its
    body was on at the claim.
    """
    import time

    from pose.body.players import PlayerTracker

    pt = tracker if tracker is not None else PlayerTracker(2)
    centres: list[list[np.ndarray | None]] = []
    truths: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    wall, cpu = [], []
    parts = {"detector": 0.0, "landmark": 0.0, "identity": 0.0}
    claim_frame = None
    owners: tuple[int, ...] = (0, 1)
    n = 0
    for f, (rgb, truth_px, size_px) in enumerate(frames):
        t0, c0 = time.perf_counter(), time.process_time()
        players = pt.process(rgb, f / fps)
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        n += 1
        for k, v in pt.last_timings_ms.items():
            if k in parts:
                parts[k] += v
        if not pt.claimed:
            if players.found == pt.n_players and not pt.crowded:
                players = pt.claim_sides()
                claim_frame = f
                who = [who_is_it(body_centre_px(p), truth_px, size_px) for p in players.poses]
                if None not in who and len(set(who)) == len(who):
                    owners = tuple(int(w) for w in who)
            else:
                continue
        centres.append([body_centre_px(p) if p is not None else None for p in players.poses])
        truths.append(np.asarray(truth_px, np.float64))
        sizes.append(np.asarray(size_px, np.float64))
    score = score_identity(centres, truths, sizes, fps, owners)
    return PlayersRun(score, claim_frame, np.array(wall), np.array(cpu), {k: v / max(n, 1) for k, v in parts.items()},
                      pt.detector_calls, pt.landmark_calls)


def scene_frames(people: tuple[Person, Person], plan: Script) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A scene as ``track_players`` input."""
    for fr in render(people, plan):
        yield fr.rgb, fr.centres_px, fr.sizes_px
