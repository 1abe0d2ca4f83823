"""pose.video: real decoding of the sample footage and of broken files made from it."""
from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from pose.errors import VideoError
from pose.samples import sample_path
from pose.video import open_video, prefetch, to_rgb

CAM01 = "Demo_SinglePerson/cam01.mp4"  # mdat before moov: a cut copy has no index at all
CAM02 = "Demo_SinglePerson/cam02.mp4"  # moov first: a cut copy opens, then stops decoding


@pytest.fixture(scope="module")
def cam01():
    return sample_path(CAM01)


@pytest.fixture
def broken(tmp_path):
    """Factory: write bytes to tmp_path/name and return the path."""

    def make(name: str, data: bytes):
        p = tmp_path / name
        p.write_bytes(data)
        return p

    return make


def test_sample_metadata_and_frames(cam01):
    with open_video(cam01) as v:
        assert v.size == (1080, 1920) and v.fps == 60 and v.frame_count == 100
        assert not v.is_camera and v.duration_s == pytest.approx(100 / 60)
        frames = list(v)
    assert [f.index for f in frames] == list(range(100))
    assert np.allclose([f.timestamp_s for f in frames], np.arange(100) / 60)
    f0 = frames[0]
    assert f0.rgb.shape == (1920, 1080, 3) and f0.rgb.dtype == np.uint8 and f0.rgb.flags.c_contiguous
    # RGB, not OpenCV's BGR: compare with a plain cv2 decode of the same frame.
    cap = cv2.VideoCapture(str(cam01))
    ok, bgr = cap.read()
    cap.release()
    assert ok and np.array_equal(f0.rgb, bgr[:, :, ::-1])


def test_mirror_flips_left_right(cam01):
    with open_video(cam01) as a, open_video(cam01, mirror=True) as b:
        fa, fb = a.read(), b.read()
    assert np.array_equal(fb.rgb, fa.rgb[:, ::-1])


def test_skip_and_rewind(cam01):
    with open_video(cam01) as v:
        assert v.skip(10) == 10
        assert v.read().index == 10
        assert v.skip(1000) == 89  # only what is left
        assert v.read() is None
        v.rewind()
        assert v.read().index == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.mp4", b"", r"empty \(0 bytes\)"),
        ("notes.mp4", b"this is a text file, not a video\n" * 20, "not a readable video"),
        ("noise.mp4", bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8)), "not a readable video"),
    ],
)
def test_bad_files_are_one_line_video_errors(broken, name, data, message):
    p = broken(name, data)
    with pytest.raises(VideoError, match=message) as e:
        open_video(p)
    assert str(p) in str(e.value) and "\n" not in str(e.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(VideoError, match="no such file"):
        open_video(tmp_path / "nope.mp4")
    with pytest.raises(VideoError, match="is a directory"):
        open_video(tmp_path)


def test_truncated_without_index_fails_at_open(broken, cam01):
    p = broken("cut01.mp4", cam01.read_bytes()[:200_000])
    with pytest.raises(VideoError, match="not a readable video"):
        open_video(p)


def test_truncated_with_index_fails_where_it_breaks(broken):
    data = sample_path(CAM02).read_bytes()
    p = broken("cut02.mp4", data[: len(data) // 2])
    v = open_video(p)  # the index is intact, so it opens
    got = []
    with pytest.raises(VideoError, match=r"ended after \d+ of 100 frames \(truncated or corrupt\)"):
        for f in v:
            got.append(f.index)
    v.close()
    assert 10 < len(got) < 100 and got == list(range(len(got)))


def test_header_only_has_no_decodable_frames(broken):
    p = broken("head.mp4", sample_path(CAM02).read_bytes()[:3000])
    with pytest.raises(VideoError, match=str(p)):
        open_video(p)


def test_absent_camera_is_a_video_error():
    with pytest.raises(VideoError, match="camera 97 could not be opened"):
        open_video(97)
    with pytest.raises(VideoError, match="camera 98"):
        open_video("98")  # digit strings mean cameras (as on the command line)


def test_grayscale_video_reads_as_rgb(tmp_path):
    p = tmp_path / "gray.avi"
    w = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"MJPG"), 25, (322, 240), isColor=False)
    assert w.isOpened()
    for i in range(8):
        w.write(np.full((240, 322), 30 * i, np.uint8))
    w.release()
    with open_video(p) as v:
        frames = list(v)
        assert v.size == (frames[0].rgb.shape[1], frames[0].rgb.shape[0])
    assert len(frames) == 8
    rgb = frames[5].rgb
    assert rgb.shape[2] == 3 and abs(int(rgb[100, 100, 0]) - 150) <= 3
    assert np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])


@pytest.mark.parametrize(
    "shape, bgr, expect",
    [
        ((5, 7), True, lambda a: np.repeat(a[..., None], 3, axis=2)),
        ((5, 7, 1), True, lambda a: np.repeat(a, 3, axis=2)),
        ((5, 7, 3), True, lambda a: a[..., ::-1]),
        ((5, 7, 3), False, lambda a: a),
        ((5, 7, 4), True, lambda a: a[..., 2::-1]),
        ((5, 7, 4), False, lambda a: a[..., :3]),
    ],
)
def test_to_rgb_channel_layouts(shape, bgr, expect):
    a = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    out = to_rgb(a, bgr=bgr)
    assert out.shape == (5, 7, 3) and out.dtype == np.uint8
    assert np.array_equal(out, expect(a))


@pytest.mark.parametrize(
    "arr, message",
    [
        (np.zeros((4, 4, 2), np.uint8), r"got \(4, 4, 2\)"),
        (np.zeros((4,), np.uint8), r"got \(4,\)"),
        (np.zeros((4, 4, 3), np.float32), "8-bit"),
        (np.zeros((0, 4, 3), np.uint8), "empty frame"),
    ],
)
def test_to_rgb_rejects_other_frames(arr, message):
    with pytest.raises(VideoError, match=message):
        to_rgb(arr)


def test_prefetch_same_frames_and_stops_early(cam01):
    with open_video(cam01) as a, open_video(cam01) as b:
        direct = [f.rgb[::97, ::97].copy() for f in a]
        it = prefetch(iter(b), depth=3)
        ahead = [f.rgb[::97, ::97].copy() for f in it]
    assert len(ahead) == 100 and all(np.array_equal(x, y) for x, y in zip(direct, ahead))

    before = threading.active_count()
    with open_video(cam01) as v:
        it = prefetch(iter(v), depth=2)
        next(it)
        it.close()  # the consumer leaves early: the reader thread must end
    assert threading.active_count() == before


def test_prefetch_reraises_reader_errors(broken):
    data = sample_path(CAM02).read_bytes()
    p = broken("cut.mp4", data[: len(data) // 2])
    with open_video(p) as v:
        n = 0
        with pytest.raises(VideoError, match="truncated"):
            for _ in prefetch(iter(v)):
                n += 1
    assert n > 10


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(0, 6), w=st.integers(0, 6), c=st.sampled_from([None, 1, 2, 3, 4, 5]),
    dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.bool_]),
)
def test_to_rgb_gives_rgb_or_a_video_error(h, w, c, dtype):
    shape = (h, w) if c is None else (h, w, c)
    a = np.ones(shape, dtype=dtype)
    ok = dtype is np.uint8 and h > 0 and w > 0 and c in (None, 1, 3, 4)
    if ok:
        out = to_rgb(a)
        assert out.shape == (h, w, 3) and out.dtype == np.uint8
    else:
        with pytest.raises(VideoError):
            to_rgb(a)
