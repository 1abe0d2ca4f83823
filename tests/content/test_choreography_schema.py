"""The shipped JSON Schema is generated from the loader's field table and agrees with it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from content import fields as F
from content.schema import build_schema, schema_text, shipped_schema_path

HERE = Path(__file__).parent
CORPUS = HERE / "broken_choreos"
REPO = HERE.parents[1]

# Corpus files whose problem a schema can see (types, ranges, names, timing shape); the
# others need the files, the media or the order of moves, which only the loader checks.
SCHEMA_CATCHES = {
    "beats_negative", "beats_string", "bpm_bool", "bpm_zero", "difficulty_unknown",
    "format_float", "format_newer", "format_string", "merge_key", "mirror_not_bool", "missing_required",
    "move_end_and_duration", "move_missing_beats", "move_missing_name", "move_mixed_timing",
    "move_no_timing", "move_not_mapping", "moves_empty", "moves_not_list", "parts_duplicate",
    "parts_empty", "parts_scalar", "parts_unknown", "parts_weight_negative", "path_absolute",
    "path_backslash", "path_dotdot", "root_is_list", "title_empty", "title_mapping", "unknown_key_move",
    "unknown_key_no_suggestion", "unknown_key_top", "many_errors", "path_and_choice_not_text",
}


def test_shipped_schema_is_the_generated_one() -> None:
    assert shipped_schema_path() == REPO / "choreographies" / "choreography.schema.json"
    assert shipped_schema_path().read_text(encoding="utf-8") == schema_text(), \
        "stale schema: run python -m content.schema"


def test_generator_check_mode(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    run = [sys.executable, "-m", "content.schema", "-o", str(out)]
    assert subprocess.run(run + ["--check"], capture_output=True).returncode == 1
    assert subprocess.run(run, capture_output=True).returncode == 0
    assert subprocess.run(run + ["--check"], capture_output=True).returncode == 0
    assert json.loads(out.read_text()) == build_schema()


def test_schema_is_valid_and_covers_every_field() -> None:
    schema = build_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert set(schema["properties"]) == {f.name for f in F.TOP_FIELDS}
    assert set(schema["definitions"]["move"]["properties"]) == {f.name for f in F.MOVE_FIELDS}
    assert schema["required"] == [f.name for f in F.TOP_FIELDS if f.required]


def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(build_schema())


def test_valid_documents_pass_the_schema() -> None:
    docs = [
        {"format": 1, "title": "T", "pose_track": "a.npz", "bpm": 100, "moves": [{"name": "m", "start": 0, "beats": 4}]},
        {"format": 1, "title": "T", "video": "sub/a.mp4", "pose_track": "a.npz", "bpm": 100, "offset": -0.5,
         "mirror": False, "difficulty": "hard", "moves": [
             {"name": "a", "start_s": 0, "end_s": 1, "parts": {"head": 2, "torso": 0}, "gold": True, "tip": "x"},
             {"name": "b", "start_s": 1, "duration_s": 1, "parts": ["left_arm"], "pictogram": "p.png"}]},
    ]
    for doc in docs:
        assert list(_validator().iter_errors(doc)) == []


@pytest.mark.parametrize("stem", sorted(SCHEMA_CATCHES))
def test_schema_rejects_what_it_can_see(stem: str) -> None:
    text = (CORPUS / f"{stem}.yaml").read_text()
    doc = yaml.safe_load(text)
    assert list(_validator().iter_errors(doc)), f"{stem} passes the schema"


def test_every_corpus_name_in_schema_table_exists() -> None:
    stems = {f.stem for f in CORPUS.glob("*.yaml")}
    assert SCHEMA_CATCHES <= stems


# ------------------------------------------------------- schema and loader agree (fuzz)
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_num = st.one_of(st.integers(-5, 400), st.floats(-5, 400, allow_nan=False), st.just(0), st.sampled_from(["4", True]))
_move = st.fixed_dictionaries({}, optional={
    "name": st.sampled_from(["Wave", "", 3]), "start": _num, "beats": _num, "start_s": _num, "end_s": _num,
    "duration_s": _num, "gold": st.sampled_from([True, False, "yes", 1]), "tip": st.sampled_from(["Go!", 5, None]),
    "parts": st.one_of(st.lists(st.sampled_from(["head", "torso", "left_arm", "elbow"]), max_size=3),
                       st.dictionaries(st.sampled_from(["head", "left_leg", "tail"]), _num, max_size=2)),
    "beat": _num,
})
_doc = st.fixed_dictionaries({}, optional={
    "format": st.sampled_from([1, 2, "1"]), "title": st.sampled_from(["Song", "", 1999, None]),
    "video": st.sampled_from(["clip.mp4", "../clip.mp4", 5]), "pose_track": st.sampled_from(["clip.npz", "/clip.npz"]),
    "bpm": _num, "offset": _num, "mirror": st.sampled_from([True, "no", 0]),
    "difficulty": st.sampled_from(["easy", "hard", "medium", 2]), "moves": st.lists(_move, max_size=3),
    "artist": st.sampled_from(["Band", 7]), "colour": st.just("red"),
})


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("choreo_helpers", HERE / "choreo_helpers.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    folder = tmp_path_factory.mktemp("agree") / "song"
    folder.mkdir()
    helpers.make_video(folder / "clip.mp4", frames=200, fps=1.0)  # 200 s: timing rarely decides
    helpers.make_track(folder / "clip.npz", frames=200, fps=1.0)
    return folder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_doc)
def test_what_the_schema_rejects_the_loader_rejects(media_folder: Path, doc: dict) -> None:
    """An editor never underlines a file that loads; a file the editor accepts fails only
    for what a schema cannot know (files, media lengths, overlaps)."""
    from content.loader import ChoreographyError, load_choreography

    path = media_folder / "doc.yaml"
    path.write_text(F.SCHEMA_COMMENT_PREFIX + "../" + F.SCHEMA_FILE + "\n" + yaml.safe_dump(doc))
    schema_ok = not list(_validator().iter_errors(doc))
    event(f"schema {'ok' if schema_ok else 'rejects'}")
    try:
        load_choreography(path)
        loader_ok = True
    except ChoreographyError as e:
        loader_ok = False
        messages = [d.message for d in e.errors]
    if not schema_ok:
        assert not loader_ok, f"schema rejects but loader accepts: {doc}"
    elif not loader_ok:
        semantic = ("overlaps", "past the end", "before the media", "must be > start_s", "timing overflows")
        assert all(any(w in m for w in semantic) for m in messages), (doc, messages)
