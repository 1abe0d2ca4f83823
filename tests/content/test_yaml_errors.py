"""YAML syntax errors in plain words, with the fix, at the right line and column: what an
author wrote by mistake (a tab, a colon in a tip, a misaligned key, an unclosed bracket or
quote) and what the message must tell them."""
from __future__ import annotations

import pytest

from content.yaml_nodes import YamlProblem, compose

HEAD = "format: 1\ntitle: Bunny Hop\nmoves:\n"

CASES = [
    # (name, text, line, col, words the message must contain)
    ("tab indent", HEAD + "\t- name: Hop\n", 4, 1, ["tab", "spaces"]),
    ("colon in a tip", HEAD + "  - name: Hop\n    tip: Hands up: high!\n", 5, 18,
     ["quotes", 'tip: "Hands up: high!"']),
    ("key indented less", HEAD + "  - name: Hop\n    start: 1\n   beats: 2\n", 6, 4,
     ["'beats' is indented 3 spaces", "'start' above it is indented 4", "line up"]),
    ("key indented more", HEAD + "  - name: Hop\n    start: 1\n      beats: 2\n", 6, 7,
     ["'beats' is indented 6 spaces", "'start' above it is indented 4"]),
    ("top-level key indented", "format: 1\ntitle: Bunny Hop\n bpm: 120\n", 3, 2,
     ["'bpm' is indented 1 space ", "'title' above it is indented 0"]),
    ("unclosed list", "format: 1\nparts: [left_arm, right_arm\ntitle: x\n", 3, 6,
     ["'[' opened at line 2, column 8", "never closed", "']'"]),
    ("unclosed quote", 'format: 1\ntitle: "Bunny Hop\n', 3, 1, ["quote opened at line 2, column 8", "never closed"]),
    ("value starting with @", "format: 1\ntitle: @home\n", 2, 8, ["'@'", "quotes"]),
]


@pytest.mark.parametrize("name, text, line, col, words", CASES, ids=[c[0] for c in CASES])
def test_syntax_errors_say_what_is_wrong_and_the_fix(name, text, line, col, words):
    with pytest.raises(YamlProblem) as info:
        compose(text)
    e = info.value
    assert (e.pos.line, e.pos.col) == (line, col), e.message
    assert e.message.startswith("YAML syntax error: ")
    for w in words:
        assert w in e.message, e.message
    # The parser's grammar words are not what an author is shown.
    for jargon in ("<block end>", "mapping values are not allowed", "cannot start any token", "<stream end>"):
        assert jargon not in e.message
