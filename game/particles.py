"""Particle effects: confetti, sparkles and stars, thousands at 60 fps.

Public API (the play scene uses it like this)::

    from game.particles import ParticleSystem
    fx = ParticleSystem(max_particles=12_000)
    fx.burst(judgement.tier, judgement.gold, (x_px, y_px))   # on every Judgement
    fx.update(dt_s)                                          # once per frame, seconds
    fx.draw(screen)                                          # after the scene is drawn

Building blocks, for custom effects:

- ``ParticleStyle`` — what a particle looks like and how it moves: sprite kind
  (``confetti`` rotating coloured rectangles, ``sparkle`` twinkling glints, ``star``
  5-point stars), colours, size, launch speed (px/s) and direction, gravity (px/s²),
  drag (1/s), spin (deg/s), lifetime (s), fade and twinkle. ``confetti()``, ``sparkles()``
  and ``stars()`` make ready-tuned styles.
- Emit rules decide how many particles an emitter spawns per update: ``EmitBurst(n)``
  (n at once, then finished), ``EmitInterval(rate_per_s, duration_s)`` (a steady stream),
  ``EmitMaintainCount(n, duration_s)`` (keep n alive). Any object with
  ``how_many(dt_s, live) -> int`` and ``is_finished() -> bool`` will do.
- ``Emitter(pos_px, rule, style)`` owns its particles as numpy structure-of-arrays;
  ``can_reap()`` is true once its rule is finished and its last particle has died.
- ``burst_for(tier, gold, pos_px)`` -> the emitters for one judgement: nothing for MISS,
  a few sparkles for OK, growing to a confetti + sparkle + star explosion for PERFECT;
  gold moves add a gold star fountain and double the counts.

All motion is time-based (seconds), never per frame. Per update: emit, integrate,
age, then reap the dead (after the whole update, so nothing is removed mid-iteration).
Drawing blits pre-rendered sprites — one per (variant, rotation bin, alpha level) — with
one ``Surface.blits`` call per emitter; pygame 2.6.1 has no ``fblits``.
Counters for tests and HUD debug: ``live_count``, ``total_emitted``, ``bursts``.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, Sequence

import numpy as np
import pygame

from scoring.events import Tier

# Colour palettes (RGB): bright and friendly, readable on dark and light backgrounds.
PARTY_COLOURS: tuple[tuple[int, int, int], ...] = (
    (255, 82, 82), (255, 171, 64), (255, 235, 59), (105, 240, 174),
    (64, 196, 255), (124, 77, 255), (255, 64, 129),
)
GOLD_COLOURS: tuple[tuple[int, int, int], ...] = ((255, 215, 0), (255, 236, 120), (255, 190, 40))
SPARKLE_COLOURS: tuple[tuple[int, int, int], ...] = ((255, 255, 255), (255, 250, 200), (200, 240, 255))

ALPHA_LEVELS = 8  # pre-rendered fade steps; 8 is below what the eye notices at 60 fps
MAX_DT_S = 0.25  # a hitch longer than this is treated as this, so bursts don't teleport


# ---------------------------------------------------------------------------------------
# Emit rules
# ---------------------------------------------------------------------------------------
class EmitRule(Protocol):
    """How many particles to spawn in this update; finished rules spawn no more."""

    def how_many(self, dt_s: float, live: int) -> int: ...

    def is_finished(self) -> bool: ...


@dataclass
class EmitBurst:
    """Emit ``count`` particles on the first update, then finish."""

    count: int
    _done: bool = field(default=False, repr=False)

    def how_many(self, dt_s: float, live: int) -> int:
        if self._done:
            return 0
        self._done = True
        return max(0, int(self.count))

    def is_finished(self) -> bool:
        return self._done


@dataclass
class EmitInterval:
    """Emit ``rate_per_s`` particles per second for ``duration_s`` (None = forever).

    A fractional accumulator keeps the rate exact at any frame rate.
    """

    rate_per_s: float
    duration_s: float | None = None
    _elapsed_s: float = field(default=0.0, repr=False)
    _carry: float = field(default=0.0, repr=False)

    def how_many(self, dt_s: float, live: int) -> int:
        if self.is_finished():
            return 0
        if self.duration_s is not None:
            dt_s = min(dt_s, self.duration_s - self._elapsed_s)
        self._elapsed_s += dt_s
        self._carry += self.rate_per_s * dt_s
        n = int(self._carry)
        self._carry -= n
        return n

    def is_finished(self) -> bool:
        return self.duration_s is not None and self._elapsed_s >= self.duration_s - 1e-9


@dataclass
class EmitMaintainCount:
    """Top the live count up to ``count`` every update, for ``duration_s`` (None = forever)."""

    count: int
    duration_s: float | None = None
    _elapsed_s: float = field(default=0.0, repr=False)

    def how_many(self, dt_s: float, live: int) -> int:
        if self.is_finished():
            return 0
        self._elapsed_s += dt_s
        return max(0, int(self.count) - live)

    def is_finished(self) -> bool:
        return self.duration_s is not None and self._elapsed_s >= self.duration_s


# ---------------------------------------------------------------------------------------
# Styles and their sprites
# ---------------------------------------------------------------------------------------
KINDS = ("confetti", "sparkle", "star")


@dataclass(frozen=True)
class ParticleStyle:
    """Look and motion of one kind of particle. Ranges are (low, high), drawn uniformly.

    direction_deg: launch direction in screen degrees (0 = right, -90 = up), ± spread_deg.
    drag_per_s: velocity decays as exp(-drag_per_s * t), so confetti reaches a gentle
        terminal fall speed of gravity / drag instead of dropping like a stone.
    fade_frac: the particle fades out over this last fraction of its life.
    twinkle_hz: brightness flicker frequency (0 = steady).
    """

    kind: str
    colours: tuple[tuple[int, int, int], ...]
    size_px: float
    speed_px_s: tuple[float, float]
    life_s: tuple[float, float]
    direction_deg: float = -90.0
    spread_deg: float = 180.0
    gravity_px_s2: float = 0.0
    drag_per_s: float = 0.0
    spin_deg_s: tuple[float, float] = (0.0, 0.0)
    fade_frac: float = 0.35
    twinkle_hz: float = 0.0
    origin_jitter_px: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not self.colours:
            raise ValueError("colours must not be empty")
        if self.size_px <= 0 or self.life_s[0] <= 0 or self.life_s[1] < self.life_s[0]:
            raise ValueError("size_px and life_s must be positive, life_s as (low, high)")


def confetti(colours: Sequence[tuple[int, int, int]] = PARTY_COLOURS, size_px: float = 12.0,
             speed_px_s: tuple[float, float] = (250.0, 750.0), **kw) -> ParticleStyle:
    """Rotating coloured paper rectangles that flutter down."""
    kw.setdefault("life_s", (1.4, 2.4))
    kw.setdefault("gravity_px_s2", 900.0)
    kw.setdefault("drag_per_s", 2.2)
    kw.setdefault("spin_deg_s", (-540.0, 540.0))
    kw.setdefault("spread_deg", 75.0)
    return ParticleStyle("confetti", tuple(colours), size_px, speed_px_s, **kw)


def sparkles(colours: Sequence[tuple[int, int, int]] = SPARKLE_COLOURS, size_px: float = 16.0,
             speed_px_s: tuple[float, float] = (80.0, 420.0), **kw) -> ParticleStyle:
    """Twinkling four-point glints that drift out and fade."""
    kw.setdefault("life_s", (0.6, 1.2))
    kw.setdefault("gravity_px_s2", 60.0)
    kw.setdefault("drag_per_s", 3.0)
    kw.setdefault("spin_deg_s", (-90.0, 90.0))
    kw.setdefault("twinkle_hz", 9.0)
    kw.setdefault("fade_frac", 0.6)
    return ParticleStyle("sparkle", tuple(colours), size_px, speed_px_s, **kw)


def stars(colours: Sequence[tuple[int, int, int]] = GOLD_COLOURS, size_px: float = 26.0,
          speed_px_s: tuple[float, float] = (300.0, 650.0), **kw) -> ParticleStyle:
    """Chunky 5-point stars that pop up and tumble."""
    kw.setdefault("life_s", (0.9, 1.5))
    kw.setdefault("gravity_px_s2", 1100.0)
    kw.setdefault("drag_per_s", 1.0)
    kw.setdefault("spin_deg_s", (-360.0, 360.0))
    kw.setdefault("spread_deg", 60.0)
    return ParticleStyle("star", tuple(colours), size_px, speed_px_s, **kw)


@dataclass(frozen=True)
class SpriteAtlas:
    """Pre-rendered sprites, flat-indexed by ((variant * n_angles) + angle_bin) * ALPHA_LEVELS + alpha.

    offsets_px: (N, 2) int — subtract from a particle's centre to get the blit corner.
    symmetry_deg: rotation after which the sprite repeats (360 confetti, 72 star, 90 glint).
    """

    sprites: tuple[pygame.Surface, ...]
    offsets_px: np.ndarray
    n_angles: int
    symmetry_deg: float


def _supersampled(size_px: int, draw, ss: int = 4) -> pygame.Surface:
    """Draw at ss× and smooth-scale down: pygame's filled polygons have no anti-aliasing."""
    big = pygame.Surface((size_px * ss, size_px * ss), pygame.SRCALPHA)
    draw(big, size_px * ss)
    return pygame.transform.smoothscale(big, (size_px, size_px))


def _star_points(cx: float, cy: float, r_out: float, r_in: float, n: int = 5) -> list[tuple[float, float]]:
    pts = []
    for k in range(2 * n):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / n
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _base_sprite(kind: str, colour: tuple[int, int, int], size_px: float) -> pygame.Surface:
    s = max(3, int(round(size_px)))
    if kind == "confetti":
        # A paper strip 2:1; the lighter edge makes the tumbling read as 3-D.
        surf = pygame.Surface((s, max(2, s // 2)), pygame.SRCALPHA)
        surf.fill((*colour, 255))
        light = tuple(min(255, c + 70) for c in colour)
        pygame.draw.line(surf, (*light, 255), (0, 0), (s - 1, 0))
        return surf
    if kind == "star":
        def draw(big: pygame.Surface, n: int) -> None:
            c = n / 2
            pygame.draw.polygon(big, (255, 255, 255, 255), _star_points(c, c, 0.5 * n, 0.22 * n))
            pygame.draw.polygon(big, (*colour, 255), _star_points(c, c, 0.42 * n, 0.18 * n))
        return _supersampled(s, draw)

    def draw_glint(big: pygame.Surface, n: int) -> None:
        c = n / 2
        for r, a in ((0.5, 40), (0.32, 80), (0.18, 160)):  # soft glow, brighter towards the core
            pygame.draw.circle(big, (*colour, a), (c, c), r * n * 0.6)
        w = 0.07 * n
        pygame.draw.polygon(big, (*colour, 255), [(c, 0), (c + w, c), (c, n), (c - w, c)])
        pygame.draw.polygon(big, (*colour, 255), [(0, c), (c, c - w), (n, c), (c, c + w)])
        pygame.draw.circle(big, (255, 255, 255, 255), (c, c), 0.09 * n)
    return _supersampled(s, draw_glint)


def _with_alpha(surf: pygame.Surface, factor: float) -> pygame.Surface:
    out = surf.copy()
    alpha = pygame.surfarray.pixels_alpha(out)
    alpha[:] = (alpha.astype(np.float32) * factor).astype(np.uint8)
    del alpha  # release the surface lock before the surface is blitted
    return out


@lru_cache(maxsize=64)
def build_atlas(kind: str, colours: tuple[tuple[int, int, int], ...], size_px: float,
                display_ready: bool = False) -> SpriteAtlas:
    """Render every (colour, rotation, alpha) sprite once; cached per style look."""
    n_angles, symmetry = {"confetti": (24, 360.0), "star": (12, 72.0), "sparkle": (6, 90.0)}[kind]
    sprites: list[pygame.Surface] = []
    offsets: list[tuple[int, int]] = []
    for colour in colours:
        base = _base_sprite(kind, colour, size_px)
        for a in range(n_angles):
            rotated = pygame.transform.rotozoom(base, -a * symmetry / n_angles, 1.0)
            for level in range(ALPHA_LEVELS):
                spr = _with_alpha(rotated, level / (ALPHA_LEVELS - 1))
                if display_ready:
                    spr = spr.convert_alpha()
                sprites.append(spr)
                offsets.append((spr.get_width() // 2, spr.get_height() // 2))
    return SpriteAtlas(tuple(sprites), np.asarray(offsets, dtype=np.int32), n_angles, symmetry)


def _atlas_for(style: ParticleStyle) -> SpriteAtlas:
    # convert_alpha makes blits ~2x faster but needs a display mode; build both ways safely.
    ready = pygame.display.get_init() and pygame.display.get_surface() is not None
    return build_atlas(style.kind, style.colours, float(style.size_px), bool(ready))


# ---------------------------------------------------------------------------------------
# Emitters
# ---------------------------------------------------------------------------------------
_FIELDS = ("x", "y", "vx", "vy", "angle", "spin", "age", "life", "phase")


class Emitter:
    """Spawns particles of one style by an emit rule and moves them; numpy structure-of-arrays.

    Arrays (N,) float32: x, y (px), vx, vy (px/s), angle (deg), spin (deg/s), age, life (s),
    phase (rad, for twinkle); variant (N,) int16 picks the colour.
    """

    def __init__(self, pos_px: tuple[float, float], rule: EmitRule, style: ParticleStyle,
                 rng: np.random.Generator | None = None, max_particles: int = 20_000) -> None:
        self.pos_px = (float(pos_px[0]), float(pos_px[1]))
        self.rule = rule
        self.style = style
        self.rng = rng if rng is not None else np.random.default_rng()
        self.max_particles = int(max_particles)
        self.emitted = 0
        self.dropped = 0  # requested beyond max_particles: skipped to protect the frame rate
        self._a = {k: np.zeros(0, np.float32) for k in _FIELDS}
        self._variant = np.zeros(0, np.int16)

    @property
    def live_count(self) -> int:
        return int(self._a["x"].shape[0])

    def can_reap(self) -> bool:
        """True when the emitter will never draw anything again."""
        return self.rule.is_finished() and self.live_count == 0

    def arrays(self) -> dict[str, np.ndarray]:
        """Read-only views of the particle arrays (for tests and debugging)."""
        out = {k: v.view() for k, v in self._a.items()}
        out["variant"] = self._variant.view()
        for v in out.values():
            v.flags.writeable = False
        return out

    def _spawn(self, n: int) -> None:
        room = self.max_particles - self.live_count
        if n > room:
            self.dropped += n - max(room, 0)
            n = max(room, 0)
        if n <= 0:
            return
        st, rng = self.style, self.rng
        direction = np.radians(st.direction_deg + rng.uniform(-st.spread_deg, st.spread_deg, n))
        speed = rng.uniform(*st.speed_px_s, n)
        jitter = rng.normal(0.0, st.origin_jitter_px, (2, n)) if st.origin_jitter_px else np.zeros((2, n))
        new = {
            "x": self.pos_px[0] + jitter[0],
            "y": self.pos_px[1] + jitter[1],
            "vx": speed * np.cos(direction),
            "vy": speed * np.sin(direction),
            "angle": rng.uniform(0.0, 360.0, n),
            "spin": rng.uniform(*st.spin_deg_s, n),
            "age": np.zeros(n),
            "life": rng.uniform(*st.life_s, n),
            "phase": rng.uniform(0.0, 2 * np.pi, n),
        }
        for k in _FIELDS:
            self._a[k] = np.concatenate([self._a[k], new[k].astype(np.float32)])
        self._variant = np.concatenate([self._variant, rng.integers(0, len(st.colours), n).astype(np.int16)])
        self.emitted += n

    def update(self, dt_s: float) -> None:
        """Emit, integrate ``dt_s`` seconds of motion, age, then reap the dead."""
        if not (dt_s > 0.0):  # also rejects NaN
            return
        dt_s = min(float(dt_s), MAX_DT_S)
        self._spawn(self.rule.how_many(dt_s, self.live_count))
        if self.live_count == 0:
            return
        a, st = self._a, self.style
        # Exact solution of dv/dt = g - k v over the step, for velocity and position alike:
        # the path is the same at 30, 60 or 144 fps, and stable at any dt.
        k, g = st.drag_per_s, st.gravity_px_s2
        if k > 1e-6:
            decay = math.exp(-k * dt_s)
            gain = (1.0 - decay) / k  # integral of exp(-k t) over the step
            v_inf = g / k
            a["x"] += a["vx"] * gain
            a["y"] += v_inf * dt_s + (a["vy"] - v_inf) * gain
            a["vx"] *= decay
            a["vy"] = v_inf + (a["vy"] - v_inf) * decay
        else:
            a["x"] += a["vx"] * dt_s
            a["y"] += a["vy"] * dt_s + 0.5 * g * dt_s * dt_s
            a["vy"] += g * dt_s
        a["angle"] += a["spin"] * dt_s
        a["age"] += dt_s
        alive = a["age"] < a["life"]
        if not alive.all():
            for k in _FIELDS:
                a[k] = a[k][alive]
            self._variant = self._variant[alive]

    def _alpha_level(self) -> np.ndarray:
        a, st = self._a, self.style
        remaining = 1.0 - a["age"] / a["life"]
        fade = np.clip(remaining / max(st.fade_frac, 1e-6), 0.0, 1.0)
        if st.twinkle_hz > 0:
            fade = fade * (0.55 + 0.45 * np.sin(2 * np.pi * st.twinkle_hz * a["age"] + a["phase"]))
        return np.rint(fade * (ALPHA_LEVELS - 1)).astype(np.int32)

    def draw(self, surface: pygame.Surface) -> int:
        """Blit every visible particle; returns how many were drawn."""
        if self.live_count == 0:
            return 0
        atlas = _atlas_for(self.style)
        a = self._a
        level = self._alpha_level()
        angle_bin = (np.floor((a["angle"] % atlas.symmetry_deg) * (atlas.n_angles / atlas.symmetry_deg))
                     .astype(np.int32) % atlas.n_angles)
        idx = (self._variant.astype(np.int32) * atlas.n_angles + angle_bin) * ALPHA_LEVELS + level
        visible = level > 0
        if not visible.all():
            idx = idx[visible]
        if idx.size == 0:
            return 0
        corner = np.empty((idx.size, 2), np.int32)
        corner[:, 0] = a["x"][visible] if not visible.all() else a["x"]
        corner[:, 1] = a["y"][visible] if not visible.all() else a["y"]
        corner -= atlas.offsets_px[idx]
        picked = operator.itemgetter(*idx.tolist())(atlas.sprites)
        if idx.size == 1:
            picked = (picked,)
        surface.blits(zip(picked, corner.tolist()), doreturn=0)
        return int(idx.size)


# ---------------------------------------------------------------------------------------
# Judgement bursts
# ---------------------------------------------------------------------------------------
# Policy as data: particle counts per tier (confetti, sparkles, stars). Gold doubles them
# and adds a short fountain of gold stars.
BURST_TABLE: dict[Tier, tuple[int, int, int]] = {
    Tier.MISS: (0, 0, 0),
    Tier.OK: (0, 14, 0),
    Tier.GOOD: (24, 30, 0),
    Tier.GREAT: (70, 45, 6),
    Tier.PERFECT: (150, 80, 16),
}
GOLD_MULTIPLIER = 2
GOLD_FOUNTAIN_RATE_PER_S = 60.0
GOLD_FOUNTAIN_S = 0.8


def burst_for(tier: Tier, gold: bool, pos_px: tuple[float, float], scale: float = 1.0,
              rng: np.random.Generator | None = None) -> list[Emitter]:
    """The emitters celebrating one judgement at ``pos_px``; [] for a MISS.

    scale: multiplies launch speeds (use screen_height / 720 so bursts fill the same
    share of any window).
    """
    n_confetti, n_sparkle, n_star = BURST_TABLE[Tier(tier)]
    if Tier(tier) == Tier.MISS:
        return []
    if gold:
        n_confetti, n_sparkle, n_star = (c * GOLD_MULTIPLIER for c in (n_confetti, n_sparkle, n_star))
    rng = rng if rng is not None else np.random.default_rng()
    s = float(scale)

    def spd(lo: float, hi: float) -> tuple[float, float]:
        return (lo * s, hi * s)

    out: list[Emitter] = []
    confetti_cols = PARTY_COLOURS + GOLD_COLOURS if gold else PARTY_COLOURS
    if n_confetti:
        out.append(Emitter(pos_px, EmitBurst(n_confetti),
                           confetti(confetti_cols, speed_px_s=spd(250, 800 if tier == Tier.PERFECT else 650),
                                    gravity_px_s2=900 * s), rng))
    if n_sparkle:
        out.append(Emitter(pos_px, EmitBurst(n_sparkle),
                           sparkles(speed_px_s=spd(60, 380), spread_deg=180.0, gravity_px_s2=60 * s), rng))
    if n_star:
        out.append(Emitter(pos_px, EmitBurst(n_star),
                           stars(speed_px_s=spd(300, 650), gravity_px_s2=1100 * s), rng))
    if gold:
        out.append(Emitter(pos_px, EmitInterval(GOLD_FOUNTAIN_RATE_PER_S, GOLD_FOUNTAIN_S),
                           stars(GOLD_COLOURS, size_px=20.0, speed_px_s=spd(350, 700), spread_deg=25.0,
                                 gravity_px_s2=1100 * s), rng))
    return out


class ParticleSystem:
    """All live emitters; the play scene owns one.

    max_particles caps the total so a storm of judgements can never sink the frame rate.
    """

    def __init__(self, max_particles: int = 12_000, seed: int | None = None) -> None:
        self.max_particles = int(max_particles)
        self.rng = np.random.default_rng(seed)
        self.emitters: list[Emitter] = []
        self.bursts = 0
        self._emitted_by_reaped = 0

    def add(self, *emitters: Emitter) -> None:
        self.emitters.extend(emitters)

    def burst(self, tier: Tier, gold: bool, pos_px: tuple[float, float], scale: float = 1.0) -> list[Emitter]:
        """Fire the celebration for one judgement; returns the emitters added (maybe none)."""
        ems = burst_for(tier, gold, pos_px, scale, self.rng)
        if ems:
            self.bursts += 1
            self.add(*ems)
        return ems

    @property
    def live_count(self) -> int:
        return sum(e.live_count for e in self.emitters)

    @property
    def total_emitted(self) -> int:
        return self._emitted_by_reaped + sum(e.emitted for e in self.emitters)

    def update(self, dt_s: float) -> None:
        """Advance every emitter by ``dt_s`` seconds, then drop the finished ones."""
        room = self.max_particles - self.live_count
        for e in self.emitters:
            # Share the global cap: an emitter may grow only into the room that is left.
            e.max_particles = e.live_count + max(room, 0)
            before = e.emitted
            e.update(dt_s)
            room -= e.emitted - before
        finished = [e for e in self.emitters if e.can_reap()]
        if finished:
            self._emitted_by_reaped += sum(e.emitted for e in finished)
            self.emitters = [e for e in self.emitters if not e.can_reap()]

    def draw(self, surface: pygame.Surface) -> int:
        """Draw every particle; returns how many sprites were blitted."""
        return sum(e.draw(surface) for e in self.emitters)

    def clear(self) -> None:
        self._emitted_by_reaped += sum(e.emitted for e in self.emitters)
        self.emitters = []
