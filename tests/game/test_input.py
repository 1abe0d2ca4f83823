"""The input-actions layer: every device becomes the same named actions.

Keys, mouse clicks, touches and window focus go through real pygame events into the
InputLayer; the hand path (cursor, dwell, gestures) is driven by HandObservations on a
clock. The end-to-end hands-free walk through the game on recordings of real hands is in
test_handsfree.py.
"""
from __future__ import annotations

import os

import numpy as np
import pygame
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.input.actions import Action, ActionEvent  # noqa: E402
from game.input.hands import (DWELL_S, REFRACTORY_S, Dwell, GestureReader, HandCursor,  # noqa: E402
                              HandObservation)
from game.input.layer import InputLayer  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.display.init()
    yield


def _key(name: str) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=pygame.key.key_code(name), mod=0, unicode="", scancode=0)


class Target:
    def __init__(self, rect):
        self.rect = pygame.Rect(rect)


@pytest.mark.parametrize("key, action", [
    ("left", Action.LEFT), ("a", Action.LEFT), ("right", Action.RIGHT), ("up", Action.UP),
    ("down", Action.DOWN), ("return", Action.SELECT), ("space", Action.SELECT), ("escape", Action.BACK),
    ("p", Action.PAUSE), ("tab", Action.NEXT), ("y", Action.YES), ("c", Action.CALIBRATE), ("r", Action.RETRY),
])
def test_keys_map_to_actions(key, action):
    layer = InputLayer((1280, 720))
    assert [a.action for a in layer.translate(_key(key))] == [action]


def test_unmapped_key_is_no_action():
    assert InputLayer((1280, 720)).translate(_key("q")) == []


def test_click_and_touch_select_the_target_under_them():
    layer = InputLayer((1000, 500))
    a, b = Target((0, 0, 100, 100)), Target((500, 250, 100, 100))
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(550, 300))
    (ev,) = layer.translate(click, [a, b])
    assert ev.action is Action.SELECT and ev.target is b and ev.pos_px == (550, 300) and ev.device == "mouse"
    touch = pygame.event.Event(pygame.FINGERDOWN, x=0.05, y=0.1, touch_id=1, finger_id=0, dx=0, dy=0, pressure=1)
    (ev,) = layer.translate(touch, [a, b])
    assert ev.target is a and ev.device == "touch"
    miss = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(300, 10))
    (ev,) = layer.translate(miss, [a, b])
    assert ev.target is None and ev.pos_px == (300, 10)
    right_button = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=3, pos=(550, 300))
    assert layer.translate(right_button, [a, b]) == []


def test_window_focus_loss_pauses_only_a_real_window():
    lost = pygame.event.Event(pygame.WINDOWFOCUSLOST)
    assert [a.action for a in InputLayer((640, 480)).translate(lost)] == [Action.PAUSE]
    assert InputLayer((640, 480), pause_on_focus_loss=False).translate(lost) == []


def test_action_event_checks_its_device():
    with pytest.raises(ValueError, match="unknown input device"):
        ActionEvent(Action.SELECT, "joystick")
    assert ActionEvent("select").action is Action.SELECT


def _hand(x, y, gesture="Pointing_Up", t=0.0, side="right"):
    return HandObservation(np.array([x, y]), gesture, side, t)


def test_observation_checks_its_fields():
    with pytest.raises(ValueError, match="unknown gesture"):
        _hand(0.5, 0.5, "Wave")
    with pytest.raises(ValueError, match="2 finite"):
        HandObservation(np.array([np.nan, 0.2]), "", "", 0.0)
    with pytest.raises(ValueError, match=r"\(21, C>=2\)"):
        HandObservation.from_landmarks(np.zeros((20, 3)), "", "", 0.0)


def test_cursor_is_mirrored_like_the_camera_view():
    c = HandCursor((1000, 600))
    # The child's hand on the camera image's left is on their right: the screen's right.
    left_in_image = c.update(_hand(0.25, 0.42), 0.0)
    c2 = HandCursor((1000, 600))
    right_in_image = c2.update(_hand(0.75, 0.42), 0.0)
    assert left_in_image[0] > 700 and right_in_image[0] < 300
    assert abs(left_in_image[1] - 300) < 40
    c.update(None, 0.1)
    assert c.visible  # a frame without the hand does not hide it at once
    c.update(None, 1.0)
    assert not c.visible


def test_cursor_smoothing_settles_on_a_still_hand():
    c = HandCursor((1000, 600))
    rng = np.random.default_rng(0)
    xs = []
    for i in range(90):
        p = c.update(_hand(0.5 + rng.normal(0, 0.004), 0.4 + rng.normal(0, 0.004), t=i / 30), i / 30)
        xs.append(p[0])
    raw_jitter_px = 0.004 / 0.64 * 1000
    assert np.std(xs[30:]) < raw_jitter_px  # steadier than the raw fingertip


def test_dwell_presses_after_the_hold_and_rearms():
    d = Dwell()
    t = Target((0, 0, 10, 10))
    pressed = [(i / 30, d.update(t, True, i / 30)) for i in range(int(3.5 * 30))]
    times = [s for s, p in pressed if p is t]
    assert len(times) >= 1 and abs(times[0] - DWELL_S) < 0.05
    assert all(b - a > DWELL_S for a, b in zip(times, times[1:]))  # never twice in a row
    d2 = Dwell()
    for i in range(60):  # wandering between targets never presses
        assert d2.update(t if (i // 10) % 2 else None, True, i / 30) is None
    for i in range(60):  # not pointing (e.g. a thumbs up over the button) never presses
        assert d2.update(t, False, 2 + i / 30) is None


def _run(reader, frames):
    out = []
    for t, obs in frames:
        out += [(round(t, 2), a) for a in reader.update(obs, t)]
    return out


def test_open_palm_held_up_pauses_once_per_raise():
    r = GestureReader()
    frames = [(i / 30, _hand(0.5, 0.3, "Open_Palm", i / 30)) for i in range(60)]
    got = _run(r, frames)
    assert [a for _, a in got] == [Action.PAUSE] and 0.55 <= got[0][0] <= 0.7
    # Released and raised again: pauses again.
    frames = [(2 + i / 30, None) for i in range(15)] + [(2.5 + i / 30, _hand(0.5, 0.3, "Open_Palm", 2.5 + i / 30)) for i in range(30)]
    assert [a for _, a in _run(r, frames)] == [Action.PAUSE]


def test_open_palm_held_low_does_not_pause():
    r = GestureReader()
    assert _run(r, [(i / 30, _hand(0.5, 0.8, "Open_Palm", i / 30)) for i in range(60)]) == []


def test_thumbs_up_says_yes_and_a_flicker_does_not():
    r = GestureReader()
    flicker = [(i / 30, _hand(0.5, 0.5, "Thumb_Up" if i % 4 == 0 else "None", i / 30)) for i in range(60)]
    assert _run(r, flicker) == []
    hold = [(2 + i / 30, _hand(0.5, 0.5, "Thumb_Up", 2 + i / 30)) for i in range(30)]
    assert [a for _, a in _run(r, hold)] == [Action.YES]


def test_swipe_is_next_and_a_slow_drift_is_not():
    r = GestureReader()
    swipe = [(i / 30, _hand(0.7 - 0.04 * i, 0.5, "Open_Palm", i / 30)) for i in range(10)]
    assert [a for _, a in _run(r, swipe)] == [Action.NEXT]
    r = GestureReader()
    drift = [(i / 30, _hand(0.7 - 0.004 * i, 0.5, "Open_Palm", i / 30)) for i in range(90)]
    assert Action.NEXT not in [a for _, a in _run(r, drift)]
    r = GestureReader()
    pointing = [(i / 30, _hand(0.7 - 0.04 * i, 0.5, "Pointing_Up", i / 30)) for i in range(10)]
    assert _run(r, pointing) == []  # moving the cursor fast is not a swipe


def test_gestures_rest_after_an_action():
    r = GestureReader()
    frames = [(i / 30, _hand(0.5, 0.5, "Thumb_Up", i / 30)) for i in range(20)]
    frames += [(20 / 30 + i / 30, _hand(0.7 - 0.05 * i, 0.5, "Open_Palm", 20 / 30 + i / 30)) for i in range(8)]
    got = _run(r, frames)
    assert [a for _, a in got] == [Action.YES]  # the swipe right after it falls in the rest
    assert REFRACTORY_S > 0.5
