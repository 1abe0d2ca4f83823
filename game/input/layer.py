"""One stream of actions from every device: ``InputLayer``.

The app hands it each pygame event (``translate``) and asks it once per frame for what the
hands did (``poll``). A pointer — the mouse, a finger on a touch screen, or the hand
cursor — chooses among the *targets* the top scene registers (anything with a pygame
``rect``: buttons, cards, tabs): a click or tap selects the target under it at once, the
hand cursor selects by dwelling. The layer also draws the hand cursor and its dwell ring
on top of everything (``draw``).
"""
from __future__ import annotations

import math
from typing import Sequence

from game.input.actions import Action, ActionEvent
from game.input.hands import DWELL_GESTURES, Dwell, GestureReader, HandCursor, choose_hand
from game.input.keyboard import key_codes
from game.input.sources import HandSource


def target_at(targets: Sequence[object], pos_px: tuple[int, int] | None) -> object | None:
    """The last-registered target whose rect holds ``pos_px`` (later ones are drawn on top)."""
    if pos_px is None:
        return None
    for t in reversed(list(targets)):
        rect = getattr(t, "rect", None)
        if rect is not None and rect.collidepoint(pos_px):
            return t
    return None


class InputLayer:
    """Keyboard, mouse/touch and hands -> ``ActionEvent``s.

    size_px: the screen (touch positions arrive normalised). hands: a HandSource or None.
    Counters for tests: ``counts`` (action name -> times emitted, per device).
    """

    def __init__(self, size_px: tuple[int, int], *, hands: HandSource | None = None,
                 pause_on_focus_loss: bool = True) -> None:
        self.size_px = (int(size_px[0]), int(size_px[1]))
        self._keys: dict[int, Action] | None = None
        self.hands = hands
        self.cursor = HandCursor(self.size_px)
        self.gestures = GestureReader()
        self.dwell = Dwell()
        self.mouse_px: tuple[int, int] | None = None
        self.pause_on_focus_loss = pause_on_focus_loss
        self.last_gesture = ""
        self.counts: dict[str, int] = {}

    # -- devices with events ---------------------------------------------------------------
    def translate(self, event, targets: Sequence[object] = ()) -> list[ActionEvent]:
        """The actions one pygame event means (often none)."""
        import pygame

        if self._keys is None:
            self._keys = key_codes()
        out: list[ActionEvent] = []
        if event.type == pygame.KEYDOWN:
            action = self._keys.get(event.key)
            if action is not None:
                out.append(ActionEvent(action, "keyboard"))
        elif event.type == pygame.MOUSEBUTTONDOWN and getattr(event, "button", 1) == 1:
            if not getattr(event, "touch", False):  # SDL also sends touches as mouse clicks
                self.mouse_px = tuple(event.pos)
                out.append(ActionEvent(Action.SELECT, "mouse", event.pos, target_at(targets, event.pos)))
        elif event.type == pygame.MOUSEMOTION:
            self.mouse_px = tuple(event.pos)
        elif event.type == pygame.FINGERDOWN:
            pos = (int(event.x * self.size_px[0]), int(event.y * self.size_px[1]))
            out.append(ActionEvent(Action.SELECT, "touch", pos, target_at(targets, pos)))
        elif event.type == pygame.WINDOWFOCUSLOST and self.pause_on_focus_loss:
            out.append(ActionEvent(Action.PAUSE, "window"))
        for a in out:
            self._count(a)
        return out

    # -- the hands, once per frame -----------------------------------------------------------
    def poll(self, now_s: float, targets: Sequence[object] = ()) -> list[ActionEvent]:
        """What the hands did since the last frame: gestures, and a dwell that completed."""
        if self.hands is None:
            return []
        seen = self.hands.poll(now_s)
        if seen is None:
            # No new camera frame: the cursor stays (or fades out) and a dwell keeps filling.
            self.cursor.update(None, now_s)
            if not self.cursor.visible:
                self.last_gesture = ""
            out = self._dwell(targets, now_s)
        else:
            hand = choose_hand(seen, self.cursor.hand)
            self.cursor.update(hand, now_s)
            if hand is not None:
                self.last_gesture = hand.gesture
            elif not self.cursor.visible:
                self.last_gesture = ""
            out = [ActionEvent(a, "hand") for a in self.gestures.update(hand, now_s)]
            if out:
                self.dwell.reset()
            else:
                out = self._dwell(targets, now_s)
        for a in out:
            self._count(a)
        return out

    def _dwell(self, targets: Sequence[object], now_s: float) -> list[ActionEvent]:
        pos = self.cursor.position_px
        pointing = pos is not None and self.last_gesture in DWELL_GESTURES
        pressed = self.dwell.update(target_at(targets, pos), pointing, now_s)
        if pressed is None:
            return []
        return [ActionEvent(Action.SELECT, "hand", pressed.rect.center, pressed)]

    def _count(self, a: ActionEvent) -> None:
        key = f"{a.device}:{a.action.value}"
        self.counts[key] = self.counts.get(key, 0) + 1

    def hovered(self, targets: Sequence[object]) -> object | None:
        """The target under the hand cursor (else the mouse), for a highlight."""
        return target_at(targets, self.cursor.position_px or self.mouse_px)

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, screen, time_s: float) -> None:
        """The hand cursor (a glove dot) and the dwell ring filling around it."""
        import pygame

        from game.scenes import theme

        pos = self.cursor.position_px
        if pos is None:
            return
        x, y = pos
        pygame.draw.circle(screen, theme.SHADOW, (x + 3, y + 5), 24)
        pygame.draw.circle(screen, theme.WHITE, pos, 24)
        pygame.draw.circle(screen, theme.PINK, pos, 16)
        pygame.draw.circle(screen, theme.INK, pos, 24, 3)
        k = self.dwell.progress
        if k > 0:
            ring = pygame.Rect(0, 0, 84, 84)
            ring.center = pos
            pygame.draw.circle(screen, theme.SHADOW, pos, 42, 10)
            pygame.draw.arc(screen, theme.SUN, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * k, 10)
