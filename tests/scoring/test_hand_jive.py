"""Hand Jive scoring on real hands: tests/fixtures/hands_gestures.npz is a real man's right
hand tracked by our hand pipeline (Thumb_Up and Victory from fingerpose's clip, then a
pointing finger and a fist from its photos), fed frame by frame as HandsResults."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pose.frame import Roi
from pose.hands.result import Hand, HandsResult
from content.loader import load_choreography
from scoring.events import Tier
from scoring.hand_jive import Cue, HandJiveScorer

REPO = Path(__file__).resolve().parents[2]
HANDS = REPO / "tests" / "fixtures" / "hands_gestures.npz"


def results() -> list[HandsResult]:
    with np.load(HANDS, allow_pickle=False) as z:
        hands, handed, gestures, t = z["hands"], z["handedness"], z["gestures"], z["t"]
    out = []
    for i in range(len(t)):
        found = tuple(Hand(hands[i, k], int(handed[i, k]), 0.9, 0.9, Roi(0, 0, 1, 0), gesture_raw=str(gestures[i, k]))
                      for k in range(2) if handed[i, k] >= 0)
        out.append(HandsResult(found, float(t[i]), (320, 240)))
    return out


def song(tmp_path: Path, moves: list[tuple[str, str, float, float]]) -> Path:
    shutil.copy(REPO / "choreographies" / "demo" / "demo.npz", tmp_path / "track.npz")
    lines = ["format: 1", "mode: hand_jive", "title: Real hands", "pose_track: track.npz", "bpm: 120", "moves:"]
    for name, cue, a, b in moves:
        lines += [f"  - name: {name}", f"    start_s: {a}", f"    end_s: {b}", f"    cue: {cue}"]
    (tmp_path / "jive.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path / "jive.yaml"


def play(path: Path):
    scorer = HandJiveScorer(load_choreography(path))
    for r in results():
        scorer.push(r, r.timestamp_s)
    return scorer.finish()


def test_the_right_sign_with_the_right_hand_on_time_scores_high(tmp_path):
    r = play(song(tmp_path, [("Thumbs", "thumbs_up/right", 1.5, 2.4), ("Fist", "fist/right", 6.3, 8.2)]))
    thumbs, fist = r.judgements
    assert thumbs.tier >= Tier.GOOD and fist.tier >= Tier.GREAT, (thumbs.score, fist.score)
    assert abs(fist.offset_s) < 0.35  # the fist was there on the cue


def test_a_wrong_sign_or_a_wrong_hand_costs_points(tmp_path):
    r = play(song(tmp_path, [("Peace", "victory/right", 6.3, 8.2), ("Left fist", "fist/left", 8.3, 9.2)]))
    peace, _ = r.judgements
    assert peace.tier == Tier.MISS and "peace" in peace.hint.lower()
    r2 = play(song(tmp_path, [("Left fist", "fist/left", 6.3, 8.2)]))
    (left,) = r2.judgements
    assert left.tier <= Tier.OK and "left hand" in left.hint
    good = play(song(tmp_path, [("Fist", "fist/right", 6.3, 8.2)]))
    assert left.score < good.judgements[0].score - 40


def test_late_costs_timing(tmp_path):
    # The thumb came up at 1.5 s: a cue at 0.3 s (Victory showing then) finds it late.
    on_time = play(song(tmp_path, [("Thumbs", "thumbs_up/right", 1.5, 2.4)])).judgements[0]
    late = play(song(tmp_path, [("Thumbs", "thumbs_up/right", 0.4, 2.4)])).judgements[0]
    assert late.offset_s > 0.6 and late.score < on_time.score and "quicker" in late.hint


def test_no_hands_is_a_miss(tmp_path):
    scorer = HandJiveScorer(load_choreography(song(tmp_path, [("Thumbs", "thumbs_up/right", 1.5, 2.4)])))
    for i in range(60):
        scorer.push(HandsResult.empty(i / 20), i / 20)
    (j,) = scorer.finish().judgements
    assert j.tier == Tier.MISS and "camera" in j.hint


@pytest.mark.parametrize("bad", ["thumbs_up", "wave/left", "fist/middle"])
def test_cue_parsing_is_strict(bad):
    with pytest.raises(ValueError):
        Cue.parse(bad)


def test_the_loader_checks_hand_jive_cues(tmp_path):
    from content.loader import ChoreographyError

    p = song(tmp_path, [("Thumbs", "thumbs-up/right", 1.5, 2.4)])
    with pytest.raises(ChoreographyError) as e:
        load_choreography(p)
    assert "jive.yaml:10:10: moves[0].cue: unknown hand_jive cue 'thumbs-up/right'; did you mean 'thumbs_up/right'?" \
        in str(e.value)
