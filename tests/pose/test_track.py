import numpy as np
import pytest

from pose.errors import TrackError
from pose.track import PoseTrack


def _track(n=10):
    rng = np.random.default_rng(0)
    lm = rng.random((n, 33, 4)).astype(np.float32)
    lm[3] = np.nan
    world = rng.normal(size=(n, 33, 3)).astype(np.float32)
    world[3] = np.nan
    return PoseTrack(lm, world, np.arange(n) / 30.0, 30.0, (640, 480))


def test_roundtrip(tmp_path):
    tr = _track()
    p = tr.save(tmp_path / "a.npz")
    back = PoseTrack.load(p)
    assert np.array_equal(back.landmarks, tr.landmarks, equal_nan=True)
    assert back.size == (640, 480) and back.fps == 30.0 and len(back) == 10
    assert back.found.sum() == 9
    assert back.frame(3) is None and back.frame(0) is not None


def test_load_garbage_is_track_error(tmp_path):
    p = tmp_path / "bad.npz"
    p.write_bytes(b"not a zip")
    with pytest.raises(TrackError, match="bad.npz"):
        PoseTrack.load(p)
    with pytest.raises(TrackError, match="not found"):
        PoseTrack.load(tmp_path / "missing.npz")


def test_shape_checked():
    with pytest.raises(TrackError, match=r"\(T, 33, 4\)"):
        PoseTrack(np.zeros((2, 17, 4)), np.zeros((2, 17, 3)), [0, 1], 30, (1, 1))


@pytest.mark.parametrize("content", ["pickle", "object_npy", "object_in_npz"])
def test_corrupt_track_never_suggests_unsafe_loading(tmp_path, content):
    """Files numpy refuses for holding pickled objects: the message says what the file is
    not, and never repeats numpy's advice to load it with pickle enabled."""
    import pickle

    p = tmp_path / "dance.npz"
    if content == "pickle":
        p.write_bytes(pickle.dumps({"landmarks": [1, 2, 3]}))
    elif content == "object_npy":
        with open(p, "wb") as fh:
            np.save(fh, np.array([{"a": 1}], dtype=object))
    else:
        np.savez(p, landmarks=np.array([{"a": 1}], dtype=object), world=np.zeros(1), t=np.zeros(1),
                 fps=30.0, size=np.array([1, 1]), skeleton="blazepose33")
    with pytest.raises(TrackError) as e:
        PoseTrack.load(p)
    msg = str(e.value)
    assert msg.startswith(str(p)) and "not a pose track" in msg
    assert "pickle" not in msg.lower() and "unsafe" not in msg.lower() and "trust" not in msg.lower()
    assert "\n" not in msg
