"""The keyboard mapping: key name -> action. Data, so a new layout is a new table."""
from __future__ import annotations

from game.input.actions import Action

# pygame key names (pygame.key.key_code(name) turns them into codes).
KEY_ACTIONS: dict[str, Action] = {
    "left": Action.LEFT, "a": Action.LEFT,
    "right": Action.RIGHT, "d": Action.RIGHT,
    "up": Action.UP, "w": Action.UP,
    "down": Action.DOWN, "s": Action.DOWN,
    "return": Action.SELECT, "enter": Action.SELECT, "space": Action.SELECT,
    "escape": Action.BACK, "backspace": Action.BACK,
    "p": Action.PAUSE,
    "y": Action.YES,
    "tab": Action.NEXT, "n": Action.NEXT,
    "r": Action.RETRY,
    "c": Action.CALIBRATE,
    "m": Action.PRACTICE,
    "page up": Action.PAGE_UP, "page down": Action.PAGE_DOWN,
}


def key_codes(table: dict[str, Action] | None = None) -> dict[int, Action]:
    """The table as pygame key codes (names pygame does not know are skipped)."""
    import pygame

    out: dict[int, Action] = {}
    for name, action in (table or KEY_ACTIONS).items():
        try:
            out[pygame.key.key_code(name)] = action
        except ValueError:
            continue
    out[pygame.K_KP_ENTER] = Action.SELECT
    return out
