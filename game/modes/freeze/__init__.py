"""Freeze Dance: dance while the music plays, freeze like a statue when it stops.

Pipelines: body pose (motion) and the person mask (the child cut out and shown live on the
coach's stage). Content: a choreography with ``mode: freeze`` whose moves carry the cue
``dance`` or ``freeze`` on the beat grid; the music is silent during freezes.
"""
from __future__ import annotations

from game.modes.base import Mode


def play_scene(app, game, choreo_path):
    from game.modes.freeze.scene import FreezePlayScene

    return FreezePlayScene(app, game, choreo_path)


def make_scorer(choreo, ref_track, latency_s: float, difficulty: str | None):
    from scoring.freeze import FreezeScorer

    return FreezeScorer(choreo, ref_track, latency_s=latency_s, difficulty=difficulty)


def template(title: str, bpm: float) -> str:
    from game.modes.freeze.content import template_yaml

    return template_yaml(title, bpm)


MODE = Mode(
    name="freeze",
    title="Freeze Dance",
    tagline="Dance to the music - FREEZE when it stops!",
    how_to="Dance while the music plays; when it stops, be a statue!",
    pipelines=("body", "segmentation"),
    play_scene=play_scene,
    make_scorer=make_scorer,
    colour=(90, 200, 255),
    template=template,
)
