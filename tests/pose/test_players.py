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
