"""Every choreography shipped in choreographies/ loads without errors and names its schema."""
from __future__ import annotations

from pathlib import Path

import pytest

from content import fields as F
from content.loader import load_choreography

ROOT = Path(__file__).resolve().parents[2] / "choreographies"
SHIPPED = sorted(p for p in ROOT.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_choreography_validates(path: Path) -> None:
    choreo = load_choreography(path)  # raises ChoreographyError with every problem
    assert choreo.moves
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    schema_ref = Path(first.removeprefix(F.SCHEMA_COMMENT_PREFIX).strip())
    assert first.startswith(F.SCHEMA_COMMENT_PREFIX), f"{path}: first line must be the schema comment"
    assert (path.parent / schema_ref).resolve() == (ROOT / F.SCHEMA_FILE).resolve()


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_choreography_passes_the_json_schema(path: Path) -> None:
    """What editors check (the schema) agrees with the loader on real content."""
    import json

    import jsonschema
    import yaml

    schema = json.loads((ROOT / F.SCHEMA_FILE).read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []
