"""Named actions: what a scene is asked to do, whatever device asked.

Scenes never look at pygame keys or mouse buttons: they get ``ActionEvent``s. A keyboard,
a mouse or touch screen, and the child's hands in front of the camera each map onto the
same few actions; a new device is a new mapping, not a change to every scene.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(str, Enum):
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    SELECT = "select"  # press the focused button (or the one at ``pos_px``)
    BACK = "back"      # leave this screen
    PAUSE = "pause"
    YES = "yes"        # agree / go on (thumbs up)
    NEXT = "next"      # move focus to the next button (swipe, Tab)
    RETRY = "retry"    # "again" where a screen offers it
    CALIBRATE = "calibrate"  # the title's camera-timing check
    PRACTICE = "practice"  # practise moves (the title's move picker, the results' weakest move)
    PAGE_UP = "page_up"
    PAGE_DOWN = "page_down"


DEVICES = ("keyboard", "mouse", "touch", "hand", "window")


@dataclass(frozen=True)
class ActionEvent:
    """One action from one device.

    pos_px: where on the screen it happened (a click, a tap, a hand cursor's dwell), or
        None for a device with no position (keys, gestures).
    target: the registered button the pointer chose, when the device knows one.
    """

    action: Action
    device: str = "keyboard"
    pos_px: tuple[int, int] | None = None
    target: object | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.action, Action):
            object.__setattr__(self, "action", Action(self.action))
        if self.device not in DEVICES:
            raise ValueError(f"unknown input device {self.device!r}; one of {DEVICES}")
        if self.pos_px is not None:
            object.__setattr__(self, "pos_px", (int(self.pos_px[0]), int(self.pos_px[1])))
