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

from scoring import choreo_fields as F
from scoring.choreo_schema import build_schema, schema_text, shipped_schema_path

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
        "stale schema: run python -m scoring.choreo_schema"


def test_generator_check_mode(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    run = [sys.executable, "-m", "scoring.choreo_schema", "-o", str(out)]
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
