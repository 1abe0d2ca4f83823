"""Where DanceStudio keeps things on disk.

- cache dir (models, sample footage): ``$DANCE_CACHE`` or the platform's user cache dir;
- DANCE_HOME (sessions, settings): ``$DANCE_HOME`` or the platform's user data dir.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "dancestudio"


def cache_dir() -> Path:
    env = os.environ.get("DANCE_CACHE")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP))


def models_dir() -> Path:
    return cache_dir() / "models"


def samples_dir() -> Path:
    return cache_dir() / "samples"


def dance_home() -> Path:
    env = os.environ.get("DANCE_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP))
