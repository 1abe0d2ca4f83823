"""Freeze Dance scoring on real poses: pose2sim's Demo_SinglePerson cam02 tracked by our
BlazePose pipeline (tests/fixtures/pose2sim_cam02_track.npz, made with
``dance track cam02.mp4``). A child who keeps dancing is played by the real clip looping;
a child who freezes holds one real frame of it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pose.frame import PoseFrame
from pose.track import PoseTrack
from content.loader import load_choreography
from scoring.events import Tier
from scoring.freeze import POLICY, FreezePolicy, FreezeScorer

REPO = Path(__file__).resolve().parents[2]
SONG = REPO / "choreographies" / "freeze_party" / "freeze.yaml"
REAL = PoseTrack.load(REPO / "tests" / "fixtures" / "pose2sim_cam02_track.npz")


def frame_at(i: int) -> PoseFrame:
    return PoseFrame(REAL.landmarks[i % len(REAL.t)], None, 1.0, 0.0, tuple(REAL.size))


def play(choreo, behaviour, fps: float = 30.0, until_s: float | None = None, react_s: float = 0.3):
    """behaviour(cue) -> 'dance' | 'freeze' | 'away'. Frames stepped at ``fps`` song time."""
    scorer = FreezeScorer(choreo)
    end = until_s or choreo.moves[-1].end_s + 0.1
    held = None
    k = 0
    for n in range(int(end * fps)):
        t = n / fps
        m = choreo.move_at(t - react_s)  # a child reacts a moment after the music changes
        what = behaviour(m.cue if m is not None else "dance")
        if what == "dance":
            k += 2  # the 60 fps clip at 30 fps
            held = None
            frame = frame_at(k)
        elif what == "freeze":
            held = frame_at(k) if held is None else held
            frame = held
        else:
            frame = None
        scorer.push(frame, t)
    return scorer.finish()


@pytest.fixture(scope="module")
def song():
    return load_choreography(SONG)


def test_the_bundled_song_is_a_freeze_song(song):
    assert song.mode == "freeze"
    cues = [m.cue for m in song.moves]
    assert set(cues) == {"dance", "freeze"} and cues.count("freeze") >= 4


@pytest.fixture(scope="module")
def on_cue(song):
    return play(song, lambda cue: cue)


def test_dancing_and_freezing_on_cue_scores_high(song, on_cue):
    r = on_cue
    by_cue = {c: [j for j in r.judgements if song.moves[j.move_index].cue == c] for c in ("dance", "freeze")}
    assert all(j.tier >= Tier.GREAT for j in by_cue["freeze"]), [(j.move_name, j.score) for j in by_cue["freeze"]]
    assert all(j.tier >= Tier.GOOD for j in by_cue["dance"]), [(j.move_name, j.score) for j in by_cue["dance"]]
    assert r.stars >= 4 and len(r.judgements) == len(song.moves)
    # The reaction time (0.3 s here) is the freeze's timing offset.
    for j in by_cue["freeze"]:
        assert 0.2 <= j.offset_s <= 0.5


def test_wobbling_through_a_freeze_costs_points(song, on_cue):
    good = on_cue
    wobbly = play(song, lambda cue: "dance")
    for a, b in zip(good.judgements, wobbly.judgements):
        if song.moves[a.move_index].cue == "freeze":
            assert b.score < a.score - 40 and b.tier <= Tier.OK
            assert "statue" in b.hint.lower() or "stop" in b.hint.lower()
    assert wobbly.total < good.total - 25


def test_standing_still_all_song_fails_the_dancing(song):
    r = play(song, lambda cue: "freeze")
    for j in r.judgements:
        if song.moves[j.move_index].cue == "dance":
            assert j.tier == Tier.MISS and "moving" in j.hint


def test_nobody_in_the_picture_is_a_miss(song):
    r = play(song, lambda cue: "away")
    assert all(j.tier == Tier.MISS for j in r.judgements) and r.stars == 0
    assert "picture" in r.judgements[0].hint


def test_judgements_arrive_on_time_and_in_order(song):
    scorer = FreezeScorer(song)
    seen = []
    scorer.subscribe(seen.append)
    first = song.moves[0]
    for n in range(int((first.end_s + 0.05) * 30)):
        scorer.push(frame_at(n), n / 30)
    assert [j.move_index for j in seen] == [0] and seen[0].time_s <= first.end_s + 0.05
    assert len(seen[0].samples) == int(first.duration_s * POLICY.sample_rate_hz)


def test_policy_checks_itself():
    with pytest.raises(ValueError):
        FreezePolicy(still=2.0, wobble_full=1.0)


def test_a_dance_song_is_refused(tmp_path):
    demo = load_choreography(REPO / "choreographies" / "demo" / "demo.yaml")
    with pytest.raises(ValueError, match="cue dance or freeze"):
        FreezeScorer(demo)
