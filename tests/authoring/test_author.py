"""`dance author` and `dance preview` on real footage (pose2sim), with the real body tracker."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from authoring.audio import probe
from pose.track import PoseTrack
from content import fields as F
from content.loader import load_choreography

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def authored(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder made by `dance author cam01.mp4 --bpm 120` (100 frames at 60 fps, silent)."""
    from authoring.author import author

    out = tmp_path_factory.mktemp("authored") / "coach"
    author(sample_video, out, bpm=120, title="Pose2Sim Coach", progress=False)
    return out


def test_author_folder_validates(authored: Path, sample_video: Path, cli) -> None:
    files = sorted(p.name for p in authored.iterdir())
    assert files == ["choreography.schema.json", "coach.mp4", "coach.npz", "coach.yaml"]  # silent: no .ogg
    assert (authored / "coach.mp4").read_bytes() == sample_video.read_bytes()
    code, out, err = cli(["validate", str(authored)])
    assert code == 0, err
    assert "1 valid, 0 invalid" in out

    c = load_choreography(authored / "coach.yaml")
    assert c.title == "Pose2Sim Coach" and c.audio is None and c.bpm == 120
    assert c.duration_s == pytest.approx(100 / 60)
    track = c.load_track()
    # The real tracker ran on every frame and found the person.
    assert len(track) == 100 and track.fps == pytest.approx(60) and track.size == (1080, 1920)
    assert track.detection_rate > 0.9
    assert np.isfinite(track.landmarks[track.found]).all()
    # Moves sit on whole beats, inside the media, with at least one gold move.
    assert len(c.moves) >= 2
    for m in c.moves:
        assert m.start_beat is not None and float(m.start_beat).is_integer() and m.beats >= 1
        assert m.end_s <= c.duration_s + 1e-9
        assert m.name and m.tip
    assert sum(m.gold for m in c.moves) >= 1


def test_author_yaml_teaches_the_format(authored: Path) -> None:
    text = (authored / "coach.yaml").read_text()
    lines = text.splitlines()
    assert lines[0] == F.SCHEMA_COMMENT_PREFIX + F.SCHEMA_FILE  # outside choreographies/: own copy
    for word in ("start:", "beats:", "start_s:", "duration_s:", "parts:", "gold:", "pictogram:", "offset"):
        assert any(word in line for line in lines if line.lstrip().startswith("#")), word
    doc = yaml.safe_load(text)
    assert doc["video"] == "coach.mp4" and doc["pose_track"] == "coach.npz" and "audio" not in doc


def test_author_into_choreographies_style_folder_uses_shared_schema(authored: Path, tmp_path: Path) -> None:
    from authoring.author import schema_line_for

    root = tmp_path / "choreos"
    (root / "song").mkdir(parents=True)
    (root / F.SCHEMA_FILE).write_text("{}")
    assert schema_line_for(root / "song") == F.SCHEMA_COMMENT_PREFIX + "../" + F.SCHEMA_FILE
    assert not (root / "song" / F.SCHEMA_FILE).exists()


def test_preview_has_one_frame_per_video_frame(authored: Path, tmp_path: Path, cli) -> None:
    import cv2

    out = tmp_path / "preview.mp4"
    code, stdout, err = cli(["preview", str(authored / "coach.yaml"), "-o", str(out), "-q"])
    assert code == 0, err
    cap = cv2.VideoCapture(str(out))
    frames, first = 0, None
    while True:
        ok, img = cap.read()
        if not ok:
            break
        if first is None:
            first = img
        frames += 1
    cap.release()
    assert frames == 100  # counted by decoding, not from the container's header
    assert first.shape[:2] == (1920, 1080)
    # Something was drawn: the preview differs from the source frame.
    src = cv2.VideoCapture(str(authored / "coach.mp4"))
    ok, raw = src.read()
    src.release()
    assert ok and np.abs(first.astype(int) - raw.astype(int)).mean() > 1.0
    assert "sound: beat clicks" in stdout  # the coach video is silent: clicks only


def test_preview_clicks_fall_on_the_beats(authored: Path, tmp_path: Path, cli, decode_pcm) -> None:
    out = tmp_path / "preview.mp4"
    code, _, err = cli(["preview", str(authored / "coach.yaml"), "-o", str(out), "-q"])
    assert code == 0, err
    rate = 22050
    pcm = decode_pcm(out, rate)
    assert len(pcm) / rate == pytest.approx(100 / 60, abs=0.05)

    def rms(t0: float, t1: float) -> float:
        seg = pcm[int(t0 * rate):int(t1 * rate)]
        return float(np.sqrt(np.mean(seg ** 2))) if seg.size else 0.0

    beats_s = [0.0, 0.5, 1.0, 1.5]  # 120 bpm, offset 0
    on = [rms(t, t + 0.03) for t in beats_s]
    off = [rms(t + 0.15, t + 0.35) for t in beats_s]
    assert min(on) > 10 * max(max(off), 1e-4), (on, off)
    assert on[0] > on[1]  # the first beat of a bar is louder


def test_preview_without_clicks_of_a_silent_video_is_silent(authored: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "quiet.mp4"
    code, stdout, err = cli(["preview", str(authored / "coach.yaml"), "-o", str(out), "--no-clicks", "-q"])
    assert code == 0, err
    assert "sound: none" in stdout
    info = probe(out)
    assert info.has_video and not info.has_audio


def test_author_extracts_audio(video_with_audio: Path, tmp_path: Path, cli, decode_pcm) -> None:
    out = tmp_path / "choreographies" / "tone"
    code, stdout, err = cli(["author", str(video_with_audio), "-o", str(out), "--bpm", "240", "-q"])
    assert code == 0, err
    ogg = out / "tone.ogg"
    info = probe(ogg)
    assert info.has_audio and not info.has_video
    assert info.duration_s == pytest.approx(0.5, abs=0.1)
    pcm = decode_pcm(ogg)
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    peak_hz = np.argmax(spectrum) * 22050 / len(pcm)
    assert peak_hz == pytest.approx(440, abs=10)  # it is our tone, not silence or noise
    c = load_choreography(out / "tone.yaml")
    assert c.audio == ogg.resolve()
    assert len(c.load_track()) == 30
    # The preview carries the music (and the clicks).
    prev = tmp_path / "tone_preview.mp4"
    code, stdout, err = cli(["preview", str(out / "tone.yaml"), "-o", str(prev), "--no-clicks", "-q"])
    assert code == 0 and "sound: music" in stdout, err
    pcm = decode_pcm(prev)
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(len(pcm))))
    assert np.argmax(spectrum) * 22050 / len(pcm) == pytest.approx(440, abs=10)


def test_author_refuses_bad_input(sample_video: Path, tmp_path: Path, cli) -> None:
    code, _, err = cli(["author", str(tmp_path / "none.mp4"), "-o", str(tmp_path / "x"), "--bpm", "100"])
    assert code == 1 and err.count("\n") == 1 and "video not found" in err
    bogus = tmp_path / "bogus.mp4"
    bogus.write_text("not a video")
    code, _, err = cli(["author", str(bogus), "-o", str(tmp_path / "y"), "--bpm", "100"])
    assert code == 1 and err.count("\n") == 1 and "cannot be read as a video" in err
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    code, _, err = cli(["author", str(sample_video), "-o", str(full), "--bpm", "100"])
    assert code == 1 and "not empty" in err and (full / "keep.txt").read_text() == "mine"
    with pytest.raises(SystemExit):
        cli(["author", str(sample_video), "-o", str(tmp_path / "z"), "--bpm", "-3"])


def test_preview_of_broken_choreography_is_one_line(authored: Path, tmp_path: Path,
                                                     cli) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(authored, broken)
    y = broken / "coach.yaml"
    y.write_text(y.read_text().replace("bpm: 120", "bpm: zero"))
    code, _, err = cli(["preview", str(y), "-o", str(tmp_path / "p.mp4")])
    assert code == 1 and err.count("\n") == 1
    assert "bpm: must be a number, got 'zero'" in err
    assert not (tmp_path / "p.mp4").exists()


def test_author_cleans_up_when_nothing_can_be_charted(sample_video: Path, tmp_path: Path, cli) -> None:
    # 100 frames at 60 fps = 1.67 s; at 20 bpm one beat is 3 s: no move fits.
    out = tmp_path / "too_slow"
    code, _, err = cli(["author", str(sample_video), "-o", str(out), "--bpm", "20", "-q"])
    assert code == 1 and err.count("\n") == 1
    assert "cannot propose any move: the video is too short: 1.67 s is less than one beat at 20 bpm" in err
    assert not out.exists()  # nothing half-made left behind


def test_preview_without_video_draws_the_track(authored: Path, tmp_path: Path, cli) -> None:
    import cv2

    folder = tmp_path / "novideo"
    shutil.copytree(authored, folder, ignore=shutil.ignore_patterns("*.mp4"))
    y = folder / "coach.yaml"
    y.write_text("\n".join(line for line in y.read_text().splitlines() if not line.startswith("video:")) + "\n")
    out = tmp_path / "p.mp4"
    code, stdout, err = cli(["preview", str(y), "-o", str(out), "--no-clicks", "-q"])
    assert code == 0, err
    cap = cv2.VideoCapture(str(out))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == len(PoseTrack.load(folder / "coach.npz")) == 100


def test_a_short_clip_is_called_too_short_with_what_it_allows(sample_video: Path, tmp_path: Path, cli) -> None:
    """cam01 is 1.7 s: the draft is made, and the author is told plainly why it has so few
    moves and how long a dance video should be."""
    code, out, err = cli(["author", str(sample_video), "-o", str(tmp_path / "short"), "--bpm", "120", "-q"])
    assert code == 0, err
    notes = [ln for ln in err.splitlines() if ln.startswith("dance author: note:")]
    assert len(notes) == 1 and "too short" in notes[0] and "1.7 s" in notes[0] and "at least 20 s" in notes[0]


def test_author_notes_are_quiet_for_a_real_dance_length() -> None:
    from authoring.author import author_notes

    assert author_notes(45.0, 120, 0.0, 11, 0.97) == []
    (short,) = author_notes(1.7, 120, 0.0, 2, 1.0)
    assert "3 beats" in short and "only 2 moves" in short
    (lost,) = author_notes(60.0, 100, 0.0, 10, 0.55)
    assert "55%" in lost
