"""Game modes: each a game (its pipelines, content, scenes, scorer, results), found by name."""
from game.modes.base import PIPELINES, Mode, Scorer, song_mode
from game.modes.registry import ENTRY_POINT_GROUP, available, broken, get

__all__ = ["ENTRY_POINT_GROUP", "PIPELINES", "Mode", "Scorer", "available", "broken", "get", "song_mode"]
