"""The dance game: copy the coach's moves; body pose, joint-angle similarity, DTW timing.
Options: the child cut out onto the stage (segmentation); accessories won by PERFECT streaks
and gold moves (game.modes.dance.scene)."""
from __future__ import annotations

from game.modes.base import Mode


def play_scene(app, game, choreo_path):
    from game.modes.dance.scene import DancePlayScene

    return DancePlayScene(app, game, choreo_path)


def make_scorer(choreo, ref_track, latency_s: float, difficulty: str | None):
    from scoring.processor import ScoreProcessor

    return ScoreProcessor(choreo, ref_track, latency_s=latency_s, difficulty=difficulty)


MODE = Mode(
    name="dance",
    title="Dance",
    tagline="Copy the coach's moves!",
    how_to="Copy the dancer: match their arms and legs on the beat.",
    pipelines=("body",),
    play_scene=play_scene,
    make_scorer=make_scorer,
    colour=(255, 92, 170),
    template=None,  # `dance new` without --mode writes the dance template (authoring.author)
)
