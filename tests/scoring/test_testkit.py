"""The importable test kit checks any scorer: it fails one that cannot tell dances apart,
and on real footage it judges the project's scorer per move (assertions: the aims met)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from content import corpus as C
from testkit.corpus_aims import run_corpus

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class _Move:
    score: float
    parts: dict


@dataclass(frozen=True)
class _Result:
    total: float
    judgements: tuple


def everything_is_perfect(choreo, ref_track, player_track):
    """A scorer that gives every move 100 whatever the player does."""
    return _Result(100.0, tuple(_Move(100.0, {p: 100.0 for p in ("left_arm", "right_arm", "left_leg", "right_leg")})
                                for _ in choreo.moves))


def test_the_corpus_aims_fail_a_scorer_that_cannot_tell_dances_apart():
    view = next(v for v in C.VIEWS if not v.tune)
    table, conf, clips = run_corpus(["dance_b", "punch"], [view], quick=True, score_fn=everything_is_perfect,
                                    progress=False)
    unmet = {r.aim for r in table.unmet()}
    assert {"different movement", "standing still", "random flailing", "seen from behind (labels swapped)"} <= unmet
    assert "same movement, other view/body" not in unmet and "delay 0.3 s: cost" not in unmet
    # A scorer whose scores never fall fails the limb-error aim too.
    assert any(a.startswith("one limb off") for a in unmet)
    assert conf.shape == (2, 2) and (conf == 100).all()


def test_a_choreography_on_real_footage_per_move(real_track, make_choreo, clip_moves):
    """pose2sim: the coach filmed by cam01, the same movement by cam03."""
    from testkit.choreo import check_choreography

    ref = real_track("Demo_SinglePerson/cam01")
    choreo = make_choreo(ref, clip_moves)
    table = check_choreography(choreo, ref, player=real_track("Demo_SinglePerson/cam03"))
    rows = {r.aim: r for r in table.rows.values()}
    print({a: (round(r.rate, 2), [round(v, 1) for v in r.values]) for a, r in rows.items()})
    for aim in ("delay 0.3 s: cost", "tempo +10 %: cost", "tempo -10 %: cost"):
        assert rows[aim].met, (aim, rows[aim].values)
    assert rows["one limb off 0..60 deg (right_arm)"].met, rows["one limb off 0..60 deg (right_arm)"].labels


def test_sports2d_in_four_beat_moves(real_track):
    """Sports2D's demo (real footage, one camera) as the coach in 4-beat moves: the aims
    met there (other movements, a frozen pose, timing, one arm off) hold per move."""
    from testkit.choreo import check_choreography

    s2d = real_track("sports2d/demo")
    others = [("pose2sim cam02", real_track("Demo_SinglePerson/cam02")),
              ("punch", C.render(C.joints("punch"), C.VIEWS[4].camera, C.VIEWS[4].body_scale, seed=800))]
    table = check_choreography(C.choreography(s2d, 4, title="sports2d"), s2d, others=others)
    rows = {r.aim: r for r in table.rows.values()}
    print({a: (round(r.rate, 2), [round(v, 1) for v in r.values]) for a, r in rows.items()})
    for aim in ("different movement", "frozen in the move's mid pose", "delay 0.3 s: cost", "tempo +10 %: cost",
                "tempo -10 %: cost", "one limb off 0..60 deg (right_arm)"):
        assert rows[aim].met, (aim, rows[aim].values, rows[aim].labels)
