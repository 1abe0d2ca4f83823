"""PlayerTracker: two children on one camera, each in their own slot, on real footage
(pose2sim's Demo_MultiPerson: two real people)."""
import numpy as np
import pytest

from pose.body.players import Players, PlayerTracker, body_centre_x
from pose.frame import PoseFrame


def _video(name: str, n: int, step: int = 1) -> list[np.ndarray]:
    import cv2

    from pose.samples import sample_path

    cap = cv2.VideoCapture(str(sample_path(name)))
    out = []
    i = 0
    while len(out) < n:
        ok, bgr = cap.read()
        assert ok
        if i % step == 0:
            out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        i += 1
    cap.release()
    return out


@pytest.fixture(scope="module")
def two_people() -> list[np.ndarray]:
    return _video("Demo_MultiPerson/cam04.mp4", 20)


@pytest.mark.slow
def test_sides_are_claimed_left_to_right_and_kept(two_people):
    pt = PlayerTracker(2)
    first = pt.process(two_people[0], 0.0)
    assert isinstance(first, Players) and not first.claimed and first.found == 2
    left, right = pt.bodies_by_side()
    assert body_centre_x(left) < body_centre_x(right)
    claimed = pt.claim_sides()
    assert claimed.claimed and claimed.poses[0] is not None
    assert body_centre_x(claimed.poses[0]) < body_centre_x(claimed.poses[1])
    ids = claimed.track_ids
    for i, rgb in enumerate(two_people[1:], 1):
        p = pt.process(rgb, i / 60)
        assert p.track_ids == ids and p.switched == (False, False)
        assert all(isinstance(q, PoseFrame) for q in p.poses)
        assert body_centre_x(p.poses[0]) < body_centre_x(p.poses[1])
    assert pt.detector_calls == 1  # both tracked from the first frame on


def test_players_check_themselves():
    with pytest.raises(ValueError, match="one entry per slot"):
        Players((None, None), (None,), 0.0, (640, 480), (False, False))
    with pytest.raises(ValueError, match="track id exactly when"):
        Players((None,), (3,), 0.0, (640, 480), (False,))
    with pytest.raises(ValueError, match="n_players"):
        PlayerTracker(0)


# ------------------------------------------------------------------ composited crossings
# Real people cut out of pose2sim's footage and walked across one canvas (pose.body.crossings):
# the truth is the compositing script. 15 fps keeps the tests short and checks that the
# motion prediction is not tuned to one frame rate.
FPS = 15.0


@pytest.fixture(scope="module")
def man_and_woman():
    from pose.body import crossings as X

    def right(bodies):
        return max(bodies, key=lambda p: X.body_centre_px(p)[0]) if bodies else None

    man = X.cut_out("man", X.read_frames("Demo_SinglePerson/cam01.mp4", 16, 4), 400)
    woman = X.cut_out("woman", X.read_frames("Demo_MultiPerson/cam01.mp4", 13, 4), 400, pick=right)
    return man, woman


def _run(people, scene):
    from pose.body import crossings as X

    plan = X.script(scene, fps=FPS)
    frames = list(X.render(people, plan))
    run = X.track_players(((f.rgb, f.centres_px, f.sizes_px) for f in frames), FPS)
    return plan, frames, run


@pytest.mark.slow
def test_swapping_places_keeps_each_child_in_their_slot(man_and_woman):
    plan, frames, run = _run(man_and_woman, "swap")
    s = run.score
    assert run.claim_frame == 0
    assert s.wrong == (0, 0) and s.astray == (0, 0) and s.switches == (0, 0)
    assert s.right_share == 1.0
    # The woman walked in front of the man: he was hidden for a while, so his slot paused...
    assert s.shown[0] < s.visible[0]
    # ...and once they stand apart again, each is in their own slot on every frame.
    assert plan.centres_norm[-1, 0, 0] > plan.centres_norm[-1, 1, 0]  # they did swap sides
    pt_last = int(FPS)  # the last second: both standing apart
    assert s.right[0] >= pt_last and s.right[1] >= pt_last


@pytest.mark.slow
def test_a_child_who_leaves_and_comes_back_on_the_other_side_is_still_themselves(man_and_woman):
    plan, frames, run = _run(man_and_woman, "leave_other_side")
    s = run.score
    assert s.wrong == (0, 0) and s.switches == (0, 0) and s.right_share == 1.0
    # The man (slot 0, claimed on the left) was away, then came back on the right while the
    # woman (slot 1) had moved to the left: slot 0 shows him again, not her.
    assert plan.centres_norm[-1, 0, 0] > 0.5 > plan.centres_norm[-1, 1, 0]
    away = ~np.isfinite(np.array([f.centres_px[0, 0] for f in frames]))
    assert away.sum() > FPS  # more than a second out of the frame
    assert s.right[0] >= s.visible[0] - 0.75 * FPS * 2  # found again within about 0.75 s each way in
    assert s.coverage > 0.8


@pytest.mark.slow
def test_real_two_people_no_switch_no_wrong_frame():
    """pose2sim's Demo_MultiPerson cam04 against the truth fixture (fresh per-frame detections
    labelled by torso colour, benchmarks/make_identity_truth.py)."""
    from pathlib import Path

    from pose.body import crossings as X

    with np.load(Path(__file__).parent / "fixtures" / "identity_truth.npz") as z:
        centres = z["Demo_MultiPerson__cam04__centres_px"].astype(np.float64)
        sizes = z["Demo_MultiPerson__cam04__sizes_px"].astype(np.float64)
    frames = X.read_frames("Demo_MultiPerson/cam04.mp4", 60, 2)
    run = X.track_players(((rgb, centres[2 * i], sizes[2 * i]) for i, rgb in enumerate(frames)), 30.0)
    s = run.score
    assert run.claim_frame == 0
    assert s.switches == (0, 0) and s.wrong == (0, 0) and s.right_share == 1.0
    assert run.detector_calls == 1  # both held from the first frame: the detector rests


@pytest.mark.slow
def test_a_child_alone_on_the_right_is_the_right_player(two_people):
    pt = PlayerTracker(2)
    full = pt.process(two_people[0], 0.0)
    xs = [body_centre_x(p) for p in full.poses]
    cut = int(0.5 * sum(xs) * two_people[0].shape[1])
    pt.reset()
    rgb = two_people[0].copy()
    rgb[:, :cut] = 0  # only the child on the right is in view at the step-in
    pt.process(rgb, 0.0)
    claimed = pt.claim_sides()
    assert claimed.poses[0] is None and claimed.poses[1] is not None
    assert body_centre_x(claimed.poses[1]) > 0.5
    # The left child steps in: the empty slot takes them, flagged for the HUD.
    back = pt.process(two_people[1], 1 / 60)
    for i in range(2, 6):
        if back.poses[0] is None:
            back = pt.process(two_people[i], i / 60)
    assert back.poses[0] is not None and body_centre_x(back.poses[0]) < body_centre_x(back.poses[1])
