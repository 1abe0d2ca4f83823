"""Finding modes: the built-in ones, plus any installed package's entry points.

A studio ships a mode as its own package by declaring, in its pyproject.toml::

    [project.entry-points."dancestudio.modes"]
    limbo = "limbo_mode:MODE"        # a game.modes.Mode, or a callable returning one

A mode that fails to load is listed in ``broken()`` with a one-line reason; it never stops
the game or the other modes.
"""
from __future__ import annotations

import importlib
from importlib import metadata

from game.modes.base import Mode
from pose.errors import DanceError

ENTRY_POINT_GROUP = "dancestudio.modes"
BUILTIN: dict[str, str] = {
    "dance": "game.modes.dance:MODE",
    "freeze": "game.modes.freeze:MODE",
    "hand_jive": "game.modes.hand_jive:MODE",
    "face_party": "game.modes.face_party:MODE",
    "battle": "game.modes.battle:MODE",
}

_broken: dict[str, str] = {}


def _resolve(spec: str) -> object:
    module, _, attr = spec.partition(":")
    obj: object = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _as_mode(obj: object, where: str) -> Mode:
    if callable(obj) and not isinstance(obj, Mode):
        obj = obj()
    if not isinstance(obj, Mode):
        raise TypeError(f"{where} is a {type(obj).__name__}, not a game.modes.Mode")
    return obj


def available() -> dict[str, Mode]:
    """name -> Mode: built-ins first (in their order), then installed packages' modes by name.
    A package cannot replace a built-in mode."""
    _broken.clear()
    modes: dict[str, Mode] = {}
    for name, spec in BUILTIN.items():
        try:
            modes[name] = _as_mode(_resolve(spec), spec)
        except (ImportError, AttributeError, TypeError, ValueError) as e:
            _broken[name] = f"{spec}: {e}"
    found = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    for ep in found:
        dist = getattr(ep.dist, "name", "?") if getattr(ep, "dist", None) else "?"
        where = f"{ep.value} (package {dist})"
        try:
            mode = _as_mode(ep.load(), where)
        except Exception as e:  # noqa: BLE001 - someone else's package must not break the game
            _broken[ep.name] = f"{where}: {e.__class__.__name__}: {e}"
            continue
        if mode.name in modes:
            if mode.name in BUILTIN:
                _broken[ep.name] = f"{where}: cannot replace the built-in mode '{mode.name}'"
            continue
        modes[mode.name] = mode
    return modes


def broken() -> dict[str, str]:
    """Modes that failed to load in the last ``available()``: name -> one-line reason."""
    return dict(_broken)


def get(name: str) -> Mode:
    modes = available()
    if name not in modes:
        why = f" ({_broken[name]})" if name in _broken else ""
        raise DanceError(f"no game mode '{name}'{why}; modes: {', '.join(modes) or 'none'}")
    return modes[name]
