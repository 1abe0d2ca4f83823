"""Drawing Coco the bear on a party stage with OpenCV (2x supersampled for smooth edges).

``Stage(camera).render(beat, body, caption, progress) -> (H, W, 3) uint8 BGR`` draws one
video frame: the stage (wall, bunting, disco lights pulsing on the beat, floor with a
spotlight), the coach from its ``coach.Body`` (limbs as thick outlined capsules drawn
back to front, a round bear head whose face sits on the skeleton's face landmarks), and
a caption pill with the move name and beat dots.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from game.demo.coach import HEAD_R_M, Body, Camera, Pose, skeleton
from pose.landmarks import INDEX

SS = 2  # supersampling factor


def bgr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (int(rgb[2]), int(rgb[1]), int(rgb[0]))


OUTLINE = bgr((58, 34, 48))
FUR = bgr((205, 138, 88))
FUR_DARK = bgr((170, 105, 62))
CREAM = bgr((250, 222, 182))
SHIRT = bgr((38, 198, 210))
SHIRT_LIGHT = bgr((120, 232, 236))
SHORTS = bgr((132, 92, 230))
SHOE = bgr((240, 72, 88))
SOLE = bgr((255, 255, 255))
STAR = bgr((255, 214, 60))
CHEEK = bgr((255, 140, 160))
EYE = bgr((40, 24, 30))
MOUTH = bgr((150, 40, 60))
TONGUE = bgr((255, 120, 140))
LIGHT_COLOURS = [bgr(c) for c in ((255, 90, 120), (90, 200, 255), (255, 220, 80), (140, 255, 150), (200, 120, 255))]

ARM_THICK_M = 0.10
LEG_THICK_M = 0.125
OUTLINE_PX = 3 * SS


def _pt(p: np.ndarray) -> tuple[int, int]:
    return (int(round(p[0] * SS)), int(round(p[1] * SS)))


def _star_poly(cx: float, cy: float, r_out: float, r_in: float, rot: float = 0.0) -> np.ndarray:
    k = np.arange(10)
    r = np.where(k % 2 == 0, r_out, r_in)
    a = -math.pi / 2 + rot + k * math.pi / 5
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], axis=1)


@dataclass
class _Part:
    depth_m: float
    kind: str
    data: dict


class Stage:
    """Renders frames of the demo video; holds the static background."""

    def __init__(self, camera: Camera, seed: int = 6) -> None:
        self.cam = camera
        self.w, self.h = camera.width_px, camera.height_px
        self._rng = np.random.default_rng(seed)
        self._bg = self._background()
        self._lights = self._light_blobs()

    def background_bgr(self) -> np.ndarray:
        """(H, W, 3) uint8 BGR: the empty stage (no lights, no coach), e.g. for a cut-out."""
        return self._bg.copy()

    # -- background ------------------------------------------------------------------
    def _background(self) -> np.ndarray:
        w, h, cam = self.w, self.h, self.cam
        back_v = float(cam.to_px(np.array([0.0, 0.0, 2.0]))[1])  # where the floor meets the wall
        self.back_v = back_v
        img = np.zeros((h, w, 3), np.float32)
        top, bottom = np.array(bgr((70, 36, 130)), np.float32), np.array(bgr((190, 80, 170)), np.float32)
        y = np.linspace(0, 1, int(back_v))[:, None, None]
        img[: int(back_v)] = top * (1 - y) + bottom * y
        # The floor: warm wooden stage boards in perspective.
        fy = np.linspace(0, 1, h - int(back_v))[:, None, None]
        img[int(back_v):] = np.array(bgr((255, 170, 90)), np.float32) * (1 - fy) + np.array(bgr((200, 110, 60)), np.float32) * fy
        img = img.astype(np.uint8)
        for x_m in np.arange(-6.0, 6.01, 0.5):
            a = cam.to_px(np.array([x_m, 0.0, 2.0]))
            b = cam.to_px(np.array([x_m, 0.0, -3.5]))
            cv2.line(img, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), bgr((225, 135, 70)), 2, cv2.LINE_AA)
        cv2.line(img, (0, int(back_v)), (w, int(back_v)), bgr((120, 50, 110)), 4, cv2.LINE_AA)
        # Little twinkly stars on the wall.
        for _ in range(26):
            x, yy = self._rng.uniform(0, w), self._rng.uniform(60, back_v - 30)
            r = self._rng.uniform(4, 9)
            cv2.fillPoly(img, [np.round(_star_poly(x, yy, r, r * 0.45)).astype(np.int32)],
                         bgr((255, 240, 200)), cv2.LINE_AA)
        # Bunting: a string of triangle flags along the top.
        cols = [bgr(c) for c in ((255, 82, 82), (255, 214, 60), (80, 200, 255), (120, 230, 140), (255, 140, 220))]
        n = 16
        xs = np.linspace(-10, w + 10, n + 1)
        sag = lambda x: 18 + 22 * math.sin(math.pi * ((x / w) * 2 % 1.0))  # two swags
        pts = [(int(x), int(sag(x))) for x in np.linspace(-10, w + 10, 200)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, bgr((250, 250, 250)), 2, cv2.LINE_AA)
        for i in range(n):
            x0, x1 = xs[i] + 6, xs[i + 1] - 6
            y0, y1 = sag(x0), sag(x1)
            tri = np.array([[x0, y0], [x1, y1], [(x0 + x1) / 2, (y0 + y1) / 2 + 34]], np.int32)
            cv2.fillPoly(img, [tri], cols[i % len(cols)], cv2.LINE_AA)
        return img

    def _light_blobs(self) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
        """Soft round lights on the wall, pre-rendered as float masks over their box."""
        blobs = []
        for i, xf in enumerate((0.1, 0.3, 0.7, 0.9, 0.5)):
            r = 70 if i < 4 else 110
            cx, cy = int(xf * self.w), int(0.32 * self.back_v) if i == 4 else int((0.45 + 0.15 * (i % 2)) * self.back_v)
            yy, xx = np.mgrid[-r:r, -r:r].astype(np.float32)
            mask = np.exp(-(xx ** 2 + yy ** 2) / (2 * (r / 2.2) ** 2))
            blobs.append((mask, (cx - r, cy - r, cx + r, cy + r)))
        return blobs

    def _stage(self, beat: float, body: Body) -> np.ndarray:
        img = self._bg.astype(np.float32)
        pulse = math.exp(-3.0 * (beat % 1.0)) if beat >= 0 else 0.3
        bar = int(math.floor(beat / 4)) if beat >= 0 else 0
        for i, (mask, (x0, y0, x1, y1)) in enumerate(self._lights):
            colour = np.array(LIGHT_COLOURS[(i + bar) % len(LIGHT_COLOURS)], np.float32)
            strength = 0.35 + 0.5 * pulse if (i + int(math.floor(max(beat, 0)))) % 2 == 0 else 0.3 + 0.15 * pulse
            xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x1, self.w), min(y1, self.h)
            m = mask[ya - y0: yb - y0, xa - x0: xb - x0, None] * strength
            region = img[ya:yb, xa:xb]
            img[ya:yb, xa:xb] = region * (1 - m) + colour * m
        # Spotlight on the floor, following the coach.
        c = self.cam.to_px(np.array([body.root_x_m, 0.0, 0.0]))
        spot = self._spot(int(round(c[0])), int(round(c[1])))
        img = img * (1 - spot) + 255.0 * spot
        return np.clip(img, 0, 255).astype(np.uint8)

    def _spot(self, x: int, y: int) -> np.ndarray:
        """The blurred floor spotlight at (x, y), cached: blurring every frame is the slow part."""
        cache = self.__dict__.setdefault("_spots", {})
        key = (x, y)
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            spot = np.zeros((self.h, self.w), np.float32)
            cv2.ellipse(spot, (x, y), (int(190 * self.w / 960), int(46 * self.h / 540)), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
            cache[key] = cv2.GaussianBlur(spot, (0, 0), 18 * self.h / 540)[..., None] * 0.35
        return cache[key]

    # -- the coach ------------------------------------------------------------------------
    def _capsule(self, img: np.ndarray, pts: list[np.ndarray], thick_px: float, colour, outline: bool) -> None:
        t = max(2, int(round(thick_px * SS)))
        if outline:
            t += 2 * OUTLINE_PX
            colour = OUTLINE
        for a, b in zip(pts[:-1], pts[1:]):
            cv2.line(img, _pt(a), _pt(b), colour, t, cv2.LINE_AA)
        for p in pts:
            cv2.circle(img, _pt(p), t // 2, colour, -1, cv2.LINE_AA)

    def _blob(self, img: np.ndarray, circles: list[tuple[np.ndarray, float]], colour) -> np.ndarray:
        """Filled convex hull of circles, with outline; returns the hull (px, 1x)."""
        ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        pts = np.concatenate([np.stack([c[0] + r * np.cos(ang), c[1] + r * np.sin(ang)], 1) for c, r in circles])
        hull = cv2.convexHull(np.round(pts * SS).astype(np.int32))
        cv2.polylines(img, [hull], True, OUTLINE, 2 * OUTLINE_PX, cv2.LINE_AA)
        cv2.fillPoly(img, [hull], colour, cv2.LINE_AA)
        return hull

    def _draw_leg(self, img, uv, pre: str, scale: float) -> None:
        hip, knee, ankle = (uv[INDEX[f"{pre}_{j}"]] for j in ("hip", "knee", "ankle"))
        heel, toe = uv[INDEX[f"{pre}_heel"]], uv[INDEX[f"{pre}_foot_index"]]
        thick = LEG_THICK_M * scale
        for outline in (True, False):
            self._capsule(img, [hip, knee, ankle], thick, FUR, outline)
            self._capsule(img, [heel, toe], thick * 0.95, SHOE, outline)
        # Shorts over the top of the thigh.
        mid = hip + 0.4 * (knee - hip)
        self._capsule(img, [hip, mid], thick * 1.15, SHORTS, True)
        self._capsule(img, [hip, mid], thick * 1.15, SHORTS, False)
        # A white sole stripe.
        sole_a = heel + np.array([0, thick * 0.32])
        sole_b = toe + np.array([0, thick * 0.32])
        cv2.line(img, _pt(sole_a), _pt(sole_b), SOLE, max(2, int(thick * 0.18 * SS)), cv2.LINE_AA)

    def _draw_arm(self, img, uv, pre: str, scale: float) -> None:
        sh, el, wr = (uv[INDEX[f"{pre}_{j}"]] for j in ("shoulder", "elbow", "wrist"))
        hand = 0.5 * (wr + uv[INDEX[f"{pre}_index"]])
        thick = ARM_THICK_M * scale
        for outline in (True, False):
            self._capsule(img, [sh, el, wr], thick, FUR, outline)
        sleeve = sh + 0.55 * (el - sh)
        for outline in (True, False):
            self._capsule(img, [sh, sleeve], thick * 1.35, SHIRT, outline)
        r = int(round(thick * 0.78 * SS))
        cv2.circle(img, _pt(hand), r + OUTLINE_PX, OUTLINE, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(hand), r, CREAM, -1, cv2.LINE_AA)

    def _draw_torso(self, img, uv, scale: float, body: Body) -> None:
        ls, rs, lh, rh = (uv[INDEX[n]] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
        belly = 0.55 * (lh + rh) / 2 + 0.45 * (ls + rs) / 2
        self._blob(img, [(ls, 0.085 * scale), (rs, 0.085 * scale), (lh, 0.09 * scale), (rh, 0.09 * scale),
                         (belly, 0.135 * scale)], SHIRT)
        # Shorts waistband: the lower part of the body.
        waist_l, waist_r = lh + 0.12 * (ls - lh), rh + 0.12 * (rs - rh)
        self._blob(img, [(lh, 0.085 * scale), (rh, 0.085 * scale), (waist_l, 0.085 * scale), (waist_r, 0.085 * scale)], SHORTS)
        # A star on the shirt, turning with the chest.
        chest = 0.35 * (lh + rh) / 2 + 0.65 * (ls + rs) / 2
        facing = abs(body.torso_axes[0, 0])  # squash when the chest turns away
        star = _star_poly(0, 0, 0.075 * scale, 0.032 * scale)
        star[:, 0] *= max(facing, 0.25)
        star += chest
        cv2.fillPoly(img, [np.round(star * SS).astype(np.int32)], STAR, cv2.LINE_AA)
        cv2.polylines(img, [np.round(star * SS).astype(np.int32)], True, bgr((235, 160, 20)), SS, cv2.LINE_AA)

    def _draw_head(self, img, body: Body, uv, beat: float, time_s: float) -> None:
        cam = self.cam

        def head_px(x: float, y: float, z: float) -> np.ndarray:
            p = body.head_centre_m + body.head_axes @ (np.array([x, y, z]) * HEAD_R_M)
            return cam.to_px(cam.stage_point(body, p))

        c = head_px(0, 0, 0)
        r = HEAD_R_M * cam.px_per_m(c[2])
        # Ears behind the head.
        for side in (1, -1):
            e = head_px(side * 0.72, -0.72, 0.2)
            cv2.circle(img, _pt(e), int((0.36 * r + 3) * SS) , OUTLINE, -1, cv2.LINE_AA)
            cv2.circle(img, _pt(e), int(0.36 * r * SS), FUR, -1, cv2.LINE_AA)
            cv2.circle(img, _pt(e), int(0.2 * r * SS), CREAM, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(c), int((r + 3) * SS), OUTLINE, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(c), int(r * SS), FUR, -1, cv2.LINE_AA)
        # Muzzle: an ellipse on the front lower face; its squash follows the head's turn.
        m = head_px(0, 0.34, -0.9)
        turn = abs(body.head_axes[0, 0])
        ang = math.degrees(math.atan2(body.head_axes[1, 0], body.head_axes[0, 0]))
        axes = (int(0.46 * r * SS * max(turn, 0.3)), int(0.34 * r * SS))
        cv2.ellipse(img, _pt(m), axes, ang, 0, 360, CREAM, -1, cv2.LINE_AA)
        # Cheeks.
        for side in (1, -1):
            ch = head_px(side * 0.58, 0.3, -0.78)
            cv2.circle(img, _pt(ch), int(0.14 * r * SS), CHEEK, -1, cv2.LINE_AA)
        # Eyes, on the skeleton's eye landmarks; a blink every few seconds.
        blink = (time_s % 3.7) < 0.12
        for pre in ("left", "right"):
            e = uv[INDEX[f"{pre}_eye"]]
            if blink:
                cv2.ellipse(img, _pt(e), (int(0.13 * r * SS), int(0.07 * r * SS)), ang, 0, 180, EYE, 2 * SS, cv2.LINE_AA)
            else:
                cv2.ellipse(img, _pt(e), (int(0.12 * r * SS * max(turn, 0.4)), int(0.17 * r * SS)), ang, 0, 360, EYE, -1, cv2.LINE_AA)
                g = e + np.array([0.04 * r, -0.06 * r])
                cv2.circle(img, _pt(g), max(1, int(0.045 * r * SS)), (255, 255, 255), -1, cv2.LINE_AA)
        # Nose at the top of the muzzle, on the nose landmark.
        n = uv[INDEX["nose"]]
        cv2.ellipse(img, _pt(n), (int(0.13 * r * SS * max(turn, 0.4)), int(0.09 * r * SS)), ang, 0, 360, EYE, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(n + np.array([-0.03 * r, -0.03 * r])), max(1, int(0.03 * r * SS)), (200, 200, 230), -1, cv2.LINE_AA)
        # Mouth between the mouth landmarks: a smile, opening wider on lively moves.
        ml, mr = uv[INDEX["mouth_left"]], uv[INDEX["mouth_right"]]
        mc = 0.5 * (ml + mr)
        half_w = max(0.5 * float(np.linalg.norm(ml - mr)), 0.08 * r)
        open_h = 0.05 * r + 0.2 * r * body.mouth * (0.75 + 0.25 * math.sin(2 * math.pi * beat))
        if body.mouth > 0.35:
            cv2.ellipse(img, _pt(mc), (int(half_w * SS), int(open_h * SS)), ang, 0, 180, MOUTH, -1, cv2.LINE_AA)
            cv2.ellipse(img, _pt(mc + np.array([0, open_h * 0.45])), (int(half_w * 0.55 * SS), int(open_h * 0.45 * SS)),
                        ang, 180, 360, TONGUE, -1, cv2.LINE_AA)
            cv2.ellipse(img, _pt(mc), (int(half_w * SS), int(open_h * SS)), ang, 0, 180, OUTLINE, SS, cv2.LINE_AA)
        else:
            cv2.ellipse(img, _pt(mc), (int(half_w * SS), int((0.1 * r) * SS)), ang, 10, 170, OUTLINE, 2 * SS, cv2.LINE_AA)

    def render(self, beat: float, body: Body, time_s: float, caption: np.ndarray | None = None) -> np.ndarray:
        """One frame (H, W, 3) uint8 BGR. caption: optional (h, w, 4) RGBA overlay, placed bottom-left."""
        cam = self.cam
        base = self._stage(beat, body)
        img = cv2.resize(base, (self.w * SS, self.h * SS), interpolation=cv2.INTER_LINEAR)
        stage = cam.stage_point(body, body.joints_m)
        uvd = cam.to_px(stage)
        uv = uvd[:, :2]
        scale = float(cam.px_per_m(cam.distance_m))
        # Shadow: shrinks and fades while airborne.
        g = cam.to_px(np.array([body.root_x_m, 0.0, 0.0]))
        k = 1.0 / (1.0 + 6.0 * body.lift_m)
        shadow = img.copy()
        cv2.ellipse(shadow, _pt(g[:2]), (int(110 * k * SS), int(20 * k * SS)), 0, 0, 360, bgr((120, 60, 50)), -1, cv2.LINE_AA)
        img = cv2.addWeighted(shadow, 0.45, img, 0.55, 0)

        z = body.joints_m[:, 2]
        parts: list[_Part] = []
        for pre in ("left", "right"):
            leg_z = float(z[[INDEX[f"{pre}_knee"], INDEX[f"{pre}_ankle"]]].mean())
            parts.append(_Part(leg_z + 0.3, "leg", {"pre": pre}))
            arm_z = float(min(z[INDEX[f"{pre}_elbow"]], z[INDEX[f"{pre}_wrist"]]))
            parts.append(_Part(arm_z - 0.01, "arm", {"pre": pre}))
        parts.append(_Part(0.02, "torso", {}))
        parts.append(_Part(float(body.head_centre_m[2]) - 0.12, "head", {}))
        for part in sorted(parts, key=lambda q: -q.depth_m):
            if part.kind == "leg":
                self._draw_leg(img, uv, part.data["pre"], scale)
            elif part.kind == "arm":
                self._draw_arm(img, uv, part.data["pre"], scale)
            elif part.kind == "torso":
                self._draw_torso(img, uv, scale, body)
            else:
                self._draw_head(img, body, uv, beat, time_s)
        out = cv2.resize(img, (self.w, self.h), interpolation=cv2.INTER_AREA)
        if caption is not None:
            # Bottom-left: clear of the coach, whose feet stay near the middle of the stage.
            _overlay(out, caption, 14, self.h - caption.shape[0] - 12)
        return out


def _overlay(img: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend an RGBA image onto a BGR frame in place."""
    h, w = rgba.shape[:2]
    region = img[y:y + h, x:x + w].astype(np.float32)
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    img[y:y + h, x:x + w] = (region * (1 - a) + rgba[..., 2::-1][..., :3].astype(np.float32) * a).astype(np.uint8)


def crop_coach(frame: np.ndarray, cam: Camera, body: Body, size_px: int, pad: float = 0.12) -> np.ndarray:
    """A square crop of ``frame`` around the coach, resized to ``size_px``."""
    uv = cam.to_px(cam.stage_point(body, body.joints_m))[:, :2]
    x0, y0 = uv.min(axis=0)
    x1, y1 = uv.max(axis=0)
    head_top = y0 - 0.25 * (y1 - y0)  # the big head and ears rise above the eye landmarks
    side = max(x1 - x0, y1 - head_top) * (1 + 2 * pad)
    cx, cy = (x0 + x1) / 2, (head_top + y1) / 2
    h, w = frame.shape[:2]
    side = min(side, h)
    x = int(np.clip(cx - side / 2, 0, w - side))
    y = int(np.clip(cy - side / 2, 0, h - side))
    s = int(side)
    return cv2.resize(frame[y:y + s, x:x + s], (size_px, size_px), interpolation=cv2.INTER_AREA)


def portrait(pose: Pose, size_px: int, beat: float = 0.0, pad: float = 0.15) -> np.ndarray:
    """Coco in ``pose`` on the stage, square (size_px, size_px, 3) uint8 BGR — for menus and cues."""
    cam = Camera()
    body = skeleton(pose)
    return crop_coach(Stage(cam).render(beat, body, 1.0), cam, body, size_px, pad)
