"""The pygame game. Import-light: ``game.cli`` must not import pygame at module level."""
import os

# pygame prints "Hello from the pygame community" on import; every `dance` command goes
# through this package, so none of them (or their JSON output) carries that banner.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
