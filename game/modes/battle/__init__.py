"""Dance Battle: two children, one camera, the same song; each scored as themselves.

The songs are the dance mode's (content_kind "dance"): the same choreographies, the same
scorer (one ScoreProcessor per child, fed only that child's poses). The camera runs a
PlayerTracker (max_people=2): slot 0 is the child on the left of the mirrored view, slot 1
the child on the right, assigned at the step-in screen.
"""
from __future__ import annotations

from game.modes.base import Mode


def step_in_scene(app, game, choreo_path):
    from game.modes.battle.stepin import BattleStepInScene

    return BattleStepInScene(app, game, choreo_path)


def play_scene(app, game, choreo_path):
    from game.modes.battle.play import BattlePlayScene

    return BattlePlayScene(app, game, choreo_path)


def make_scorer(choreo, ref_track, latency_s: float, difficulty: str | None):
    from game.modes.dance import make_scorer as dance_scorer

    return dance_scorer(choreo, ref_track, latency_s, difficulty)


def results_scene(app, game, result, choreo, **options):
    from game.modes.battle.results import BattleResultsScene

    return BattleResultsScene(app, game, result, choreo, **options)


MODE = Mode(
    name="battle",
    title="Dance Battle",
    tagline="Two dancers, one song - who can copy the coach best?",
    how_to="Stand side by side, one on each half, and both copy the coach!",
    pipelines=("body",),
    content_kind="dance",
    play_scene=play_scene,
    make_scorer=make_scorer,
    results_scene=results_scene,
    colour=(255, 140, 50),
    template=None,  # battles play the dance songs: `dance new` writes those
    max_people=2,
    step_in_scene=step_in_scene,
)
