"""ScoreProcessor through its public API, on a real reference track (BodyTracker, cam01)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pose.errors import TrackError
from pose.frame import PoseFrame
from pose.landmarks import INDEX
from pose.track import PoseTrack
from scoring.events import Judgement, Tier
from scoring.features import mirror_points
from scoring.parts import BODY_PARTS
from scoring.processor import ScoreProcessor, SessionResult, score_track


@pytest.fixture(scope="module")
def ref(real_track):
    return real_track("Demo_SinglePerson/cam01")


@pytest.fixture
def choreo(make_choreo, ref, clip_moves):
    return make_choreo(ref, clip_moves)


def _push_all(proc: ScoreProcessor, track: PoseTrack, t0: float = 0.0) -> list[Judgement]:
    out = []
    for i in range(len(track)):
        out += proc.push(track.frame(i), float(track.t[i]) + t0)
    return out


def test_the_reference_itself_is_perfect(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    seen: list[Judgement] = []
    proc.subscribe(seen.append)
    pushed = _push_all(proc, ref)
    result = proc.finish()
    assert isinstance(result, SessionResult)
    assert [j.move_index for j in result.judgements] == [0, 1, 2, 3]
    assert seen == list(result.judgements)
    assert pushed == list(result.judgements[: len(pushed)])
    assert all(j.tier == Tier.PERFECT and j.score > 99 for j in result.judgements)
    assert all(abs(j.offset_s) < 0.02 for j in result.judgements)
    assert result.total > 99 and result.stars == 5 and result.max_combo == 4
    assert result.judgements[-1].gold and result.judgements[-1].combo == 4
    assert result.tier_counts["PERFECT"] == 4 and sum(result.tier_counts.values()) == 4
    assert result.best_moves[0] in {m.name for m in choreo.moves}
    assert result.judgements[0].hint == ""  # nothing to fix on a PERFECT


def test_judgements_come_once_the_move_is_over_plus_the_late_window(choreo, ref):
    proc = ScoreProcessor(choreo, ref, max_late_s=0.5)
    times = []
    proc.subscribe(lambda j: times.append((j.move_index, j.time_s)))
    _push_all(proc, ref)
    for index, t in times:
        assert t >= choreo.moves[index].end_s + 0.5 - 1e-9
    # The clip ends before the last moves' late windows: finish() judges them.
    assert len(times) < 4
    proc.finish()
    assert len(times) == 4


def test_nobody_in_frame_is_a_miss_for_every_move(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    for t in ref.t:
        proc.push(None, float(t))
    result = proc.finish()
    assert [j.tier for j in result.judgements] == [Tier.MISS] * 4
    assert all(j.score == 0 for j in result.judgements)
    assert result.total == 0 and result.stars == 0 and result.max_combo == 0
    assert proc.live_score is None and proc.live_parts == {}
    assert result.judgements[0].hint == "Step into the picture so I can see you dance!"


def test_no_frames_at_all_is_a_defined_result(choreo, ref):
    result = ScoreProcessor(choreo, ref).finish()
    assert result.total == 0 and len(result.judgements) == 4
    assert all(j.tier == Tier.MISS for j in result.judgements)
    json.dumps(result.to_json())


def test_nobody_during_one_move_misses_only_that_move(choreo, ref):
    lm, world = ref.landmarks.copy(), ref.world.copy()
    gap = (ref.t >= 0.0) & (ref.t < 0.95)  # move 0 and 1 and their windows
    lm[gap], world[gap] = np.nan, np.nan
    player = PoseTrack(lm, world, ref.t, ref.fps, ref.size)
    result = score_track(choreo, ref, player)
    assert result.judgements[0].tier == Tier.MISS and result.judgements[0].score == 0
    assert result.judgements[3].tier >= Tier.GREAT


def test_nan_and_inf_keypoints_do_not_crash(choreo, ref):
    rng = np.random.default_rng(0)
    lm, world = ref.landmarks.copy(), ref.world.copy()
    rows = rng.choice(len(ref), 30, replace=False)
    world[rows, rng.integers(0, 33, 30)] = np.nan
    world[rows[:10], 15, 1] = np.inf
    lm[rows[10:20], 13, 3] = np.nan
    proc = ScoreProcessor(choreo, ref)
    for i in range(len(ref)):
        proc.push(PoseFrame(lm[i], world[i], 1.0, float(ref.t[i]), ref.size), float(ref.t[i]))
    result = proc.finish()
    assert all(np.isfinite(j.score) for j in result.judgements)
    assert result.total > 80


def test_out_of_order_and_non_finite_times_are_ignored(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    proc.push(ref.frame(10), 0.5)
    assert proc.push(ref.frame(5), 0.4) == []
    assert proc.push(ref.frame(5), float("nan")) == []
    with pytest.raises(TypeError):
        proc.push("not a frame", 0.6)  # type: ignore[arg-type]


def test_live_feedback_and_current_move(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    assert proc.live_score is None and proc.current_move is None
    proc.push(ref.frame(30), float(ref.t[30]))
    assert proc.live_score == pytest.approx(1.0, abs=1e-6)
    assert set(proc.live_parts) == set(BODY_PARTS)
    assert proc.current_move is choreo.moves[1]
    proc.push(None, float(ref.t[31]))
    assert proc.live_score is None and proc.live_parts == {}


def test_finish_is_final_and_idempotent(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    _push_all(proc, ref)
    a = proc.finish()
    assert proc.finish() is a
    assert proc.push(ref.frame(0), 99.0) == []


def test_latency_is_taken_off_the_player_clock(choreo, ref):
    # The camera shows everything 0.2 s late; with the calibrated latency the offsets vanish.
    late = score_track(choreo, ref, ref, time_offset_s=0.2)
    fixed = score_track(choreo, ref, ref, time_offset_s=0.2, latency_s=0.2)
    assert all(abs(j.offset_s - 0.2) < 0.05 for j in late.judgements)
    assert all(abs(j.offset_s) < 0.02 for j in fixed.judgements)
    assert fixed.total > 99


def test_camera_frame_rate_does_not_change_the_score(choreo, ref, real_track):
    player = real_track("Demo_SinglePerson/cam03")
    full = score_track(choreo, ref, player)
    every_other = np.arange(0, len(player), 2)
    half = PoseTrack(player.landmarks[every_other], player.world[every_other], player.t[every_other],
                     player.fps / 2, player.size)
    assert abs(score_track(choreo, ref, half).total - full.total) <= 3


def test_2d_player_frames_are_scored_in_2d(choreo, ref):
    proc = ScoreProcessor(choreo, ref)
    for i in range(len(ref)):
        f = ref.frame(i)
        proc.push(PoseFrame(f.landmarks, None, 1.0, f.timestamp_s, f.image_size), f.timestamp_s)
    result = proc.finish()
    assert result.player_mode == "2d" and result.total > 99


def test_mirror_choreography_scores_the_mirror_image_and_names_the_childs_own_limbs(make_choreo, ref, clip_moves):
    choreo = make_choreo(ref, [(n, s, e, {"parts": ["left_arm"]}) for n, s, e, *_ in clip_moves], mirror=True)
    lm = ref.landmarks.copy()
    lm = lm[:, [i for i in range(33)], :]
    mirrored_lm = lm[:, list(__import__("pose.landmarks", fromlist=["MIRROR"]).MIRROR)].copy()
    mirrored_lm[..., 0] = 1.0 - mirrored_lm[..., 0]
    child = PoseTrack(mirrored_lm, mirror_points(ref.world), ref.t, ref.fps, ref.size)
    mirrored = score_track(choreo, ref, child)
    copied = score_track(choreo, ref, ref)  # the child copying left for left: not a mirror
    assert mirrored.total > 99
    assert copied.total < mirrored.total - 10
    # The coach's left arm is the mirroring child's right arm.
    assert set(mirrored.judgements[0].parts) == {"right_arm"}


def _bend_left_arm(track: PoseTrack, angle_deg: float) -> PoseTrack:
    """Rotate the left elbow and wrist about the left shoulder (world and image)."""
    sh, el, wr = INDEX["left_shoulder"], INDEX["left_elbow"], INDEX["left_wrist"]
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    world = track.world.astype(np.float64).copy()
    lm = track.landmarks.astype(np.float64).copy()
    Rw = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])  # about the camera axis: visible in 2D too
    for k in (el, wr, INDEX["left_pinky"], INDEX["left_index"], INDEX["left_thumb"]):
        world[:, k] = (world[:, k] - world[:, sh]) @ Rw.T + world[:, sh]
        xy = lm[:, k, :2] - lm[:, sh, :2]
        lm[:, k, :2] = xy @ Rw[:2, :2].T + lm[:, sh, :2]
    return PoseTrack(lm, world, track.t, track.fps, track.size)


def test_a_growing_arm_error_lowers_the_arm_and_the_move_monotonically(choreo, ref):
    arm, move = [], []
    for angle in (0, 10, 20, 35, 50, 70):
        r = score_track(choreo, ref, _bend_left_arm(ref, angle))
        arm.append(np.mean([j.parts["left_arm"] for j in r.judgements]))
        move.append(r.total)
    assert all(a > b for a, b in zip(arm, arm[1:])), arm
    assert all(a > b for a, b in zip(move, move[1:])), move
    assert arm[-1] < 40


def test_the_weakest_part_gets_a_specific_hint(choreo, ref):
    r = score_track(choreo, ref, _bend_left_arm(ref, 60))
    weak = [j for j in r.judgements if j.weakest_part == "left_arm"]
    assert weak and all("left arm" in j.hint for j in weak)
    assert r.tips and all(t.endswith("!") for t in r.tips)


def test_score_json_has_the_architecture_fields(choreo, ref):
    data = json.loads(json.dumps(score_track(choreo, ref, ref).to_json()))
    assert isinstance(data["total"], float) and isinstance(data["stars"], int)
    for m in data["moves"]:
        assert {"name", "score", "judgement", "parts", "offset_s"} <= set(m)
        assert m["judgement"] in {t.name for t in Tier}


def test_difficulty_changes_tiers_not_scores(choreo, ref, real_track):
    player = real_track("Demo_SinglePerson/cam03")
    easy = score_track(choreo, ref, player, difficulty="easy")
    hard = score_track(choreo, ref, player, difficulty="hard")
    assert [j.score for j in easy.judgements] == [j.score for j in hard.judgements]
    assert all(e.tier >= h.tier for e, h in zip(easy.judgements, hard.judgements))
    assert easy.stars >= hard.stars


def test_bad_reference_tracks_are_track_errors(choreo, ref):
    empty = PoseTrack(np.zeros((0, 33, 4)), np.zeros((0, 33, 3)), np.zeros(0), 30.0, (640, 480))
    with pytest.raises(TrackError, match="empty"):
        ScoreProcessor(choreo, empty)
    nobody = PoseTrack(np.full((5, 33, 4), np.nan), np.full((5, 33, 3), np.nan), np.arange(5) / 30, 30.0, (640, 480))
    with pytest.raises(TrackError, match="nobody"):
        ScoreProcessor(choreo, nobody)
    other = PoseTrack(ref.landmarks, ref.world, ref.t, ref.fps, ref.size, skeleton="coco17")
    with pytest.raises(TrackError, match="skeleton"):
        ScoreProcessor(choreo, other)


def test_judgements_carry_a_similarity_timeline_for_reports(choreo, ref, real_track):
    r = score_track(choreo, ref, real_track("Demo_SinglePerson/cam03"))
    for j, move in zip(r.judgements, choreo.moves):
        assert j.sample_rate_hz == 30.0
        assert len(j.samples) == pytest.approx(move.duration_s * 30.0, abs=1)
        assert all(0.0 <= x <= 1.0 for x in j.samples)
        assert j.to_dict()["samples"] == [round(x, 3) for x in j.samples]
    perfect = score_track(choreo, ref, ref)
    assert all(min(j.samples) > 0.99 for j in perfect.judgements)


def test_a_player_who_stands_right_but_skips_the_moves_gesture_scores_low(choreo, ref, monkeypatch):
    """The coach's right arm carries this clip; a player who matches every other part exactly
    but holds the right arm still must not pass for a good dancer (moves are judged mostly on
    what the coach moves in them)."""
    from scoring import verdict

    sh = INDEX["right_shoulder"]
    arm = [INDEX[n] for n in ("right_elbow", "right_wrist", "right_pinky", "right_index", "right_thumb")]
    world = ref.world.astype(np.float64).copy()
    world[:, arm] = world[0, arm] - world[0, sh] + world[:, sh : sh + 1]  # the first frame's arm, always
    still_arm = PoseTrack(ref.landmarks, world, ref.t, ref.fps, ref.size)
    emphasised = score_track(choreo, ref, still_arm).total
    monkeypatch.setattr(verdict, "MOTION_EMPHASIS_FLOOR", 1.0)  # every part as authored
    flat = score_track(choreo, ref, still_arm).total
    assert emphasised <= 70, emphasised
    assert emphasised <= flat - 10, (emphasised, flat)


def test_a_constant_delay_is_learnt_on_the_first_move_and_costs_nothing(choreo, ref):
    d = 0.4  # within max_late_s
    T = len(ref) / ref.fps
    n = int(round((T + d) * ref.fps))
    idx = np.rint((np.arange(n) / ref.fps - d) * ref.fps).astype(int)
    ok = (idx >= 0) & (idx < len(ref))
    lm = np.full((n, 33, 4), np.nan, np.float32)
    world = np.full((n, 33, 3), np.nan, np.float32)
    lm[ok], world[ok] = ref.landmarks[idx[ok]], ref.world[idx[ok]]
    result = score_track(choreo, ref, PoseTrack(lm, world, np.arange(n) / ref.fps, ref.fps, ref.size))
    assert all(j.score > 99 for j in result.judgements), [j.score for j in result.judgements]
    assert all(abs(j.offset_s - d) < 0.02 for j in result.judgements), [j.offset_s for j in result.judgements]


def test_points_only_grow_and_a_whole_song_ends_at_total_x_100(choreo, ref, real_track):
    from scoring.judge import POINTS_MAX

    other = real_track("Demo_SinglePerson/cam02")  # another view: an imperfect dancer
    proc = ScoreProcessor(choreo, ref)
    seen = []
    proc.subscribe(lambda j: seen.append(proc.points))
    for i in range(len(other)):
        proc.push(other.frame(i), float(other.t[i]))
    result = proc.finish()
    seen.append(result.points)
    assert seen == sorted(seen) and 0 < result.points < POINTS_MAX
    assert result.points == round(result.total * 100)
    assert result.to_json()["points"] == result.points and 0 <= result.to_json()["total"] <= 100
    perfect = ScoreProcessor(choreo, ref)
    _push_all(perfect, ref)
    assert perfect.finish().points >= POINTS_MAX * 0.99


def test_a_stopped_song_judges_only_the_moves_danced(choreo, ref):
    """Stopping early: the moves that ended before the stop are judged, the rest are not
    counted as missed; the total is over the moves danced, stars come from points earned."""
    from scoring import judge

    stop_s = float(choreo.moves[1].end_s) + 0.01
    proc = ScoreProcessor(choreo, ref)
    for i in range(len(ref)):
        if ref.t[i] > stop_s:
            break
        proc.push(ref.frame(i), float(ref.t[i]))
    result = proc.finish(stop_s, stopped=True)
    assert [j.move_index for j in result.judgements] == [0, 1]
    assert result.tier_counts["MISS"] == 0 and result.total > 99
    assert result.stopped_at_s == pytest.approx(stop_s)
    assert result.stars == judge.stars_for(result.points / 100, choreo.difficulty)
    whole = ScoreProcessor(choreo, ref)
    for i in range(len(ref)):
        if ref.t[i] > stop_s:
            break
        whole.push(ref.frame(i), float(ref.t[i]))
    unstopped = whole.finish(stop_s)  # without stopped=: the moves never reached are judged (and missed)
    assert len(unstopped.judgements) == 4 and unstopped.tier_counts["MISS"] >= 1 and unstopped.total < result.total
