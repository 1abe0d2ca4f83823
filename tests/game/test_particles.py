"""Particle system through its public API, headless (real pygame surfaces)."""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np
import pygame
import pytest

from game.particles import (
    BURST_TABLE, EmitBurst, EmitInterval, EmitMaintainCount, Emitter, ParticleSystem,
    ParticleStyle, burst_for, confetti, sparkles, stars,
)
from scoring.events import Tier


@pytest.fixture(scope="module")
def screen():
    pygame.display.init()
    surf = pygame.display.set_mode((320, 240))
    yield surf
    pygame.display.quit()


def test_burst_emits_once_and_reaps_after_lifetime():
    style = sparkles(life_s=(0.5, 0.5))
    e = Emitter((100, 100), EmitBurst(50), style, np.random.default_rng(0))
    e.update(1 / 60)
    assert e.live_count == 50 and e.emitted == 50
    for _ in range(10):
        e.update(1 / 60)
    assert e.emitted == 50, "a burst emits only once"
    assert not e.can_reap()
    e.update(0.2)
    e.update(0.2)  # total age now > 0.5 s: every particle is dead and reaped in this update
    assert e.live_count == 0 and e.can_reap()


@pytest.mark.parametrize("fps", [30, 60, 144])
def test_interval_rate_is_per_second_not_per_frame(fps):
    e = Emitter((0, 0), EmitInterval(120.0, duration_s=1.0), sparkles(life_s=(5, 5)), np.random.default_rng(0))
    for _ in range(fps * 2):
        e.update(1 / fps)
    assert e.emitted == pytest.approx(120, abs=1)
    assert e.rule.is_finished()


def test_maintain_count_tops_up():
    e = Emitter((0, 0), EmitMaintainCount(200), sparkles(life_s=(0.1, 0.3)), np.random.default_rng(0))
    for _ in range(60):
        e.update(1 / 60)
        assert e.live_count <= 200
    assert e.live_count >= 150
    assert e.emitted > 400, "dead particles are replaced"


@pytest.mark.parametrize("fps", [30, 120])
def test_motion_is_time_based(fps):
    """Same seconds simulated -> nearly the same place, whatever the frame rate."""
    def fall(fps: int) -> np.ndarray:
        e = Emitter((0, 0), EmitBurst(20), confetti(life_s=(9, 9)), np.random.default_rng(3))
        e.update(1e-9)  # spawn with no motion
        for _ in range(fps):
            e.update(1 / fps)
        return np.stack([e.arrays()["x"], e.arrays()["y"]])

    assert np.allclose(fall(fps), fall(60), atol=0.5)


def test_gravity_pulls_down_and_drag_limits_speed():
    style = confetti(speed_px_s=(0, 0), gravity_px_s2=900, drag_per_s=3.0, life_s=(9, 9))
    e = Emitter((0, 0), EmitBurst(5), style, np.random.default_rng(0))
    for _ in range(300):
        e.update(1 / 60)
    vy = e.arrays()["vy"]
    assert np.allclose(vy, 900 / 3.0, rtol=0.01), "terminal speed is gravity / drag"


def test_bad_dt_is_ignored():
    e = Emitter((0, 0), EmitBurst(5), sparkles(), np.random.default_rng(0))
    for dt in (float("nan"), -1.0, 0.0):
        e.update(dt)
    assert e.emitted == 0


def test_tiers_scale_the_burst():
    counts = []
    for tier in Tier:
        ems = burst_for(tier, False, (0, 0), rng=np.random.default_rng(0))
        counts.append(sum(e.rule.count for e in ems if isinstance(e.rule, EmitBurst)))
    assert counts[Tier.MISS] == 0
    assert counts == sorted(counts) and len(set(counts)) == len(counts), counts
    gold = burst_for(Tier.PERFECT, True, (0, 0))
    assert sum(e.rule.count for e in gold if isinstance(e.rule, EmitBurst)) == 2 * sum(BURST_TABLE[Tier.PERFECT])
    assert any(isinstance(e.rule, EmitInterval) for e in gold), "gold adds a fountain"


def test_system_counters_cap_and_reaping(screen):
    fx = ParticleSystem(max_particles=300, seed=1)
    assert fx.burst(Tier.MISS, False, (160, 120)) == [] and fx.bursts == 0
    for _ in range(5):
        fx.burst(Tier.PERFECT, True, (160, 120))
    fx.update(1 / 60)
    assert fx.bursts == 5
    assert 0 < fx.live_count <= 300, "the global cap holds"
    emitted = fx.total_emitted
    for _ in range(6 * 60):
        fx.update(1 / 60)
    assert fx.live_count == 0 and fx.emitters == [], "finished emitters are reaped"
    assert fx.total_emitted >= emitted, "total survives reaping"


def test_draw_puts_pixels_on_the_surface(screen):
    fx = ParticleSystem(seed=2)
    for style in (confetti(), sparkles(), stars()):
        fx.add(Emitter((160, 120), EmitBurst(40), style, fx.rng))
    fx.update(1 / 60)
    screen.fill((0, 0, 0))
    drawn = fx.draw(screen)
    assert drawn == fx.live_count == 120
    px = pygame.surfarray.array3d(screen)
    assert (px.sum(axis=2) > 0).sum() > 500, "particles are visible"
    # Nearly faded particles draw fewer sprites (alpha level 0 is skipped).
    for _ in range(int(2.6 * 60)):
        fx.update(1 / 60)
    screen.fill((0, 0, 0))
    assert fx.draw(screen) <= fx.live_count


def test_style_validation():
    with pytest.raises(ValueError, match="kind"):
        ParticleStyle("smoke", ((1, 2, 3),), 5, (1, 2), (1, 2))
    with pytest.raises(ValueError):
        sparkles(life_s=(0, 1))


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(1 / 60)), max_size=40),
       st.sampled_from(list(Tier)), st.booleans())
def test_any_dt_sequence_keeps_the_system_sane(dts, tier, gold):
    fx = ParticleSystem(max_particles=500, seed=0)
    fx.burst(tier, gold, (100.0, 100.0))
    for dt in dts:
        fx.update(dt)
        assert 0 <= fx.live_count <= 500
        assert fx.total_emitted >= fx.live_count
        for e in fx.emitters:
            a = e.arrays()
            assert np.isfinite(a["x"]).all() and np.isfinite(a["y"]).all()
            assert (a["age"] < a["life"]).all(), "dead particles are reaped in the same update"
