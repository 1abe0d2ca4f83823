"""The choreography model and loader through the public API, on real media written to disk."""
from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pose.errors import DanceError
from pose.track import PoseTrack
from content import fields as F
from content.loader import ChoreographyError, load_choreography
from scoring.choreography import Choreography, Move
from scoring.parts import BODY_PARTS

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("choreo_helpers", HERE / "choreo_helpers.py")
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)
SCHEMA_LINE = helpers.SCHEMA_LINE


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A choreographies-like tree: <root>/choreography.schema.json and <root>/song/ with media."""
    root = tmp_path_factory.mktemp("choreos")
    from content.schema import schema_text

    (root / F.SCHEMA_FILE).write_text(schema_text())
    song = root / "song"
    helpers.make_folder(song)
    helpers.make_track(song / "hidden.npz", hidden={12: (0, 40), 14: (0, 40), 16: (0, 40)})
    helpers.make_track(song / "gap.npz", nobody=(0, 20))
    helpers.make_track(song / "back.npz", back_turned=(18, 40))  # turns away before move 2 (1.0 s)
    helpers.make_track(song / "short39.npz", frames=39)
    helpers.make_png(song / "wave.png")
    helpers.make_ogg(song / "music.ogg", 2.0)
    return song


def write(folder: Path, text: str, name: str = "t.yaml") -> Path:
    p = folder / name
    p.write_text(text)
    return p


def test_valid_choreography_api(media_dir: Path) -> None:
    c = load_choreography(media_dir / "song.yaml")
    assert isinstance(c, Choreography)
    assert c.path == media_dir / "song.yaml" and c.folder == media_dir.resolve()
    assert (c.title, c.artist, c.difficulty, c.mirror, c.format) == ("Bunny Hop", "The Carrots", "easy", True, 1)
    assert c.video == (media_dir / "clip.mp4").resolve() and c.video.is_absolute()
    assert c.pose_track == (media_dir / "clip.npz").resolve()
    assert c.audio is None and c.cover is None
    assert c.bpm == 120.0 and c.offset_s == 0.0
    assert c.duration_s == pytest.approx(2.0)
    assert c.warnings == ()
    a, b = c.moves
    assert isinstance(a, Move)
    assert (a.index, a.name, a.start_s, a.end_s, a.start_beat, a.beats) == (0, "Bunny ears", 0.0, 1.0, 0.0, 2.0)
    assert dict(a.parts) == {"left_arm": 1.0, "right_arm": 1.0} and a.tip == "Hands up high!" and not a.gold
    assert (b.index, b.start_s, b.end_s, b.start_beat, b.beats, b.gold) == (1, 1.0, 1.5, None, None, True)
    assert b.duration_s == pytest.approx(0.5)
    assert dict(b.parts) == {"left_leg": 2.0, "right_leg": 1.0}
    with pytest.raises(FrozenInstanceError):
        a.name = "x"  # type: ignore[misc]
    hash(a)  # frozen moves can key dicts (the HUD caches per move)
    track = c.load_track()
    assert isinstance(track, PoseTrack) and len(track) == 40 and c.load_track() is track


def test_beat_grid_conversions(media_dir: Path) -> None:
    p = write(media_dir, helpers.VALID_YAML.replace("offset: 0.0", "offset: 0.25").replace("bpm: 120", "bpm: 180"))
    c = load_choreography(p)
    assert c.beat_to_s(0) == pytest.approx(0.25)
    assert c.beat_to_s(3) == pytest.approx(0.25 + 1.0)
    for beat in (-1.5, 0.0, 2.25, 7.0):
        assert c.s_to_beat(c.beat_to_s(beat)) == pytest.approx(beat)
    assert c.moves[0].start_s == pytest.approx(0.25) and c.moves[0].end_s == pytest.approx(0.25 + 2 * 60 / 180)
    assert c.move_at(0.3) is c.moves[0]
    assert c.move_at(0.1) is None
    assert c.move_at(c.moves[1].start_s) is c.moves[1]


def test_defaults_all_parts_and_sorting(media_dir: Path) -> None:
    text = SCHEMA_LINE + """format: 1
title: Sorted
pose_track: clip.npz
bpm: 60
moves:
  - {name: Late, start_s: 1.5, end_s: 2.0}
  - {name: Early, start: 0, beats: 0.5}
  - {name: Middle, start: 0.5, beats: 1}
"""
    c = load_choreography(write(media_dir, text))
    assert [m.name for m in c.moves] == ["Early", "Middle", "Late"]
    assert [m.index for m in c.moves] == [0, 1, 2]
    assert c.video is None and c.duration_s == pytest.approx(2.0)  # from the track
    assert (c.mirror, c.difficulty, c.offset_s) == (True, "normal", 0.0)
    assert tuple(c.moves[0].parts) == BODY_PARTS and set(c.moves[0].parts.values()) == {1.0}
    assert c.moves[0].tip == "" and c.moves[0].gold is False and c.moves[0].pictogram is None


def test_moves_meeting_on_a_beat_do_not_overlap(media_dir: Path) -> None:
    # 0.1 s steps are not exact in binary floating point; touching moves must still pass.
    text = SCHEMA_LINE + "format: 1\ntitle: T\npose_track: clip.npz\nbpm: 600\noffset: 0.1\nmoves:\n" + "".join(
        f"  - {{name: m{i}, start: {i}, beats: 1}}\n" for i in range(15))
    c = load_choreography(write(media_dir, text))
    assert len(c.moves) == 15
    assert all(a.end_s == pytest.approx(b.start_s) for a, b in zip(c.moves, c.moves[1:]))


def test_optional_paths_and_scalars(media_dir: Path) -> None:
    text = helpers.VALID_YAML.replace("offset: 0.0\n", "offset: 0.0\naudio: music.ogg\ncover: wave.png\n").replace(
        "    tip: Hands up high!\n", "    tip: !!str 12\n    pictogram: wave.png\n").replace("title: Bunny Hop", "title: 1999")
    c = load_choreography(write(media_dir, text))
    assert c.audio == (media_dir / "music.ogg").resolve() and c.cover == (media_dir / "wave.png").resolve()
    assert c.moves[0].pictogram == (media_dir / "wave.png").resolve()
    assert c.moves[0].tip == "12" and c.title == "1999"


def test_track_one_frame_short_is_allowed(media_dir: Path) -> None:
    c = load_choreography(write(media_dir, helpers.VALID_YAML.replace("clip.npz", "short39.npz")))
    assert len(c.load_track()) == 39


def test_warning_hidden_parts(media_dir: Path) -> None:
    c = load_choreography(write(media_dir, helpers.VALID_YAML.replace("clip.npz", "hidden.npz"), "hidden.yaml"))
    msgs = [str(w).split("hidden.yaml:", 1)[1] for w in c.warnings]
    assert msgs == ["15:12: warning: moves[0].parts: scored body parts hidden in the reference for most of "
                    "'Bunny ears': right_arm (100% of frames)"]
    assert all(w.severity == "warning" for w in c.warnings)


def test_warning_nobody_found(media_dir: Path) -> None:
    c = load_choreography(write(media_dir, helpers.VALID_YAML.replace("clip.npz", "gap.npz"), "gap.yaml"))
    msgs = [str(w).split("gap.yaml:", 1)[1] for w in c.warnings]
    assert msgs == ["12:5: warning: moves[0]: nobody is found in the reference track during 'Bunny ears'"]


def test_warning_back_to_the_camera(media_dir: Path) -> None:
    c = load_choreography(write(media_dir, helpers.VALID_YAML.replace("clip.npz", "back.npz"), "back.yaml"))
    msgs = [str(w).split("back.yaml:", 1)[1] for w in c.warnings]
    assert msgs == ["17:5: warning: moves[1]: the coach has their back to the camera as 'Hop' starts; "
                    "children cannot see what to copy"]


def test_schema_line_warnings(media_dir: Path) -> None:
    c = load_choreography(write(media_dir, helpers.VALID_YAML.removeprefix(SCHEMA_LINE), "noschema.yaml"))
    assert [w.message for w in c.warnings] == [
        "first line should be '# yaml-language-server: $schema=../choreography.schema.json' so editors check this file"]
    assert (c.warnings[0].line, c.warnings[0].col) == (1, 1)
    wrong = helpers.VALID_YAML.replace("../choreography.schema.json", "../nowhere.json")
    c = load_choreography(write(media_dir, wrong, "wrongschema.yaml"))
    assert [w.message for w in c.warnings] == ["schema file '../nowhere.json' not found next to this file"]


def test_unreadable_files(media_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ChoreographyError, match=r"nope\.yaml: file not found$"):
        load_choreography(tmp_path / "nope.yaml")
    with pytest.raises(ChoreographyError, match="is a folder"):
        load_choreography(tmp_path)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"format: 1\ntitle: Caf\xe9\n")
    with pytest.raises(ChoreographyError) as info:
        load_choreography(bad)
    d = info.value.errors[0]
    assert (d.line, d.col, d.message) == (2, 11, "not UTF-8 text")
    assert isinstance(info.value, DanceError)


def test_all_errors_collected_not_only_first(media_dir: Path) -> None:
    text = helpers.VALID_YAML.replace("bpm: 120", "bpm: -1").replace("beats: 2", "beats: 0").replace(
        "difficulty: easy", "difficulty: medium")
    with pytest.raises(ChoreographyError) as info:
        load_choreography(write(media_dir, text))
    paths = [d.path for d in info.value.errors]
    assert paths == ["bpm", "difficulty", "moves[0].beats"]
    assert str(info.value).startswith("3 errors: ")


def test_aliases_are_fine_and_alias_bombs_are_cheap(media_dir: Path) -> None:
    text = helpers.VALID_YAML.replace("    tip: Hands up high!", "    tip: &t Hands up high!").replace(
        "    gold: true", "    gold: true\n    tip: *t")
    c = load_choreography(write(media_dir, text))
    assert c.moves[1].tip == "Hands up high!"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    t0 = time.perf_counter()
    with pytest.raises(ChoreographyError):
        load_choreography(write(media_dir, bomb, "bomb.yaml"))
    assert time.perf_counter() - t0 < 5.0  # never expanded: 9**9 leaves would take forever


# ---------------------------------------------------------------------------------- fuzz
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
_keys = st.sampled_from([f.name for f in F.TOP_FIELDS + F.MOVE_FIELDS] + ["x", "<<", "parts", "left_arm"])
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["clip.mp4", "clip.npz", "../x", "/etc/passwd", "easy", "head"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_keys, inner, max_size=5)), max_leaves=20)


def _check_loader_on(path: Path) -> None:
    try:
        c = load_choreography(path)
    except ChoreographyError as e:
        assert e.errors and all(isinstance(d.message, str) and d.message for d in e.errors)
        return
    for m in c.moves:  # whatever loads must honour the model's promises
        assert math.isfinite(m.start_s) and m.start_s < m.end_s <= c.duration_s + 0.05
    assert all(a.end_s <= b.start_s + 1e-6 for a, b in zip(c.moves, c.moves[1:]))


@_FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_arbitrary_text(media_dir: Path, text: str) -> None:
    _check_loader_on(write(media_dir, text, "fuzz_text.yaml"))


@_FUZZ
@given(doc=st.fixed_dictionaries({}, optional={
    "format": _values, "title": _values, "video": _values, "pose_track": _values, "bpm": _values,
    "offset": _values, "mirror": _values, "difficulty": _values,
    "moves": st.lists(st.dictionaries(_keys, _values, max_size=6), max_size=4) | _values,
}), extra=st.dictionaries(_keys, _values, max_size=2))
def test_fuzz_yaml_structures(media_dir: Path, doc: dict, extra: dict) -> None:
    doc = {**extra, **doc}
    _check_loader_on(write(media_dir, SCHEMA_LINE + yaml.safe_dump(doc, allow_unicode=True), "fuzz_doc.yaml"))


@_FUZZ
@given(data=st.data())
def test_fuzz_mutated_valid_file(media_dir: Path, data: st.DataObject) -> None:
    """Small edits of a valid file: deleted, duplicated or garbled characters."""
    text = helpers.VALID_YAML
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["del", "dup", "sub"]))
        ch = data.draw(st.sampled_from(list(":-[]{}&*!#|>'\"\t\n 0.9eE%@`,?")))
        text = text[:i] + (ch if op == "sub" else text[i] * 2 if op == "dup" else "") + text[i + 1:]
    _check_loader_on(write(media_dir, text, "fuzz_mut.yaml"))
