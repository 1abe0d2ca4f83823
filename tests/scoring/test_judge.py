"""Judgement policy: tier tables per difficulty, stars, combo, totals, kind hints."""
from __future__ import annotations

import math

import pytest

from scoring import judge
from scoring.events import Tier
from scoring.judge import PartDiff


@pytest.mark.parametrize("difficulty", judge.DIFFICULTIES)
def test_tier_thresholds_are_ordered_with_the_tiers(difficulty):
    table = judge.TIER_THRESHOLDS[difficulty]
    tiers = sorted(table)
    assert tiers == [Tier.OK, Tier.GOOD, Tier.GREAT, Tier.PERFECT]
    values = [table[t] for t in tiers]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert all(0 < v <= 100 for v in values)


@pytest.mark.parametrize("difficulty", judge.DIFFICULTIES)
def test_tier_for_each_boundary(difficulty):
    table = judge.TIER_THRESHOLDS[difficulty]
    for tier, low in table.items():
        assert judge.tier_for(low, difficulty) == tier
        assert judge.tier_for(low - 0.01, difficulty) < tier
    assert judge.tier_for(0.0, difficulty) == Tier.MISS
    assert judge.tier_for(100.0, difficulty) == Tier.PERFECT
    assert judge.tier_for(math.nan, difficulty) == Tier.MISS


def test_harder_difficulty_never_gives_a_better_tier():
    for score in range(0, 101):
        tiers = [judge.tier_for(score, d) for d in ("easy", "normal", "hard")]
        assert tiers[0] >= tiers[1] >= tiers[2], score


def test_stars_grow_with_total_from_0_to_5():
    for d in judge.DIFFICULTIES:
        stars = [judge.stars_for(t, d) for t in range(0, 101)]
        assert stars[0] == 0 and stars[-1] == 5
        assert stars == sorted(stars)
    assert judge.stars_for(math.nan) == 0


def test_unknown_difficulty_is_a_clear_error():
    with pytest.raises(ValueError, match="easy, normal, hard"):
        judge.tier_for(50, "extreme")


def test_combo_continues_from_good_and_breaks_below():
    combo = 0
    for tier in (Tier.GOOD, Tier.PERFECT, Tier.GREAT):
        combo = judge.next_combo(combo, tier)
    assert combo == 3
    assert judge.next_combo(combo, Tier.OK) == 0
    assert judge.next_combo(0, Tier.MISS) == 0


def test_session_total_counts_gold_moves_twice():
    assert judge.session_total([100, 40], [False, False]) == pytest.approx(70)
    assert judge.session_total([100, 40], [True, False]) == pytest.approx(80)
    assert judge.session_total([], []) == 0.0
    assert judge.session_total([math.nan, 50], [False, False]) == pytest.approx(25)


@pytest.mark.parametrize("part,diff,expected", [
    ("left_arm", PartDiff(lift=-0.5), "Lift your left arm higher!"),
    ("right_arm", PartDiff(lift=0.5), "Bring your right arm down a little!"),
    ("left_arm", PartDiff(bend_rad=-0.8), "Stretch your left arm out straight!"),
    ("right_arm", PartDiff(bend_rad=0.8), "Bend your right elbow more!"),
    ("left_leg", PartDiff(bend_rad=0.6), "Bend your knees more!"),
    ("right_leg", PartDiff(bend_rad=-0.6), "Straighten your right leg!"),
    ("left_leg", PartDiff(lift=-0.4), "Lift your left knee higher!"),
    ("torso", PartDiff(lean=0.3), "Lean your body more, like the coach!"),
    ("torso", PartDiff(lean=-0.3), "Stand up tall!"),
    ("head", PartDiff(lift=-0.3), "Keep your head up and look at the screen!"),
    ("left_arm", PartDiff(), "Watch the coach's left arm and copy it!"),
    ("left_arm", None, "Watch the coach's left arm and copy it!"),
])
def test_hints_follow_the_sign_of_the_difference(part, diff, expected):
    assert judge.hint_for(part, diff) == expected


def test_every_hint_is_short_kind_and_ends_with_an_exclamation():
    from scoring.parts import BODY_PARTS

    for part in BODY_PARTS:
        for diff in (None, PartDiff(lift=-1), PartDiff(lift=1), PartDiff(bend_rad=-1), PartDiff(bend_rad=1),
                     PartDiff(lean=-1), PartDiff(lean=1)):
            h = judge.hint_for(part, diff)
            assert h.endswith("!") and len(h) <= 48
            assert not any(w in h.lower() for w in ("wrong", "bad", "fail"))


def test_weakest_part():
    assert judge.weakest_part({"left_arm": 80, "torso": 20, "head": 50}) == "torso"
    assert judge.weakest_part({}) is None
