"""YAML with positions: compose a document into nodes, never into Python objects.

``yaml.compose`` with a SafeLoader subclass gives nodes with ``start_mark`` (0-based line
and column), so every error can point at the exact spot. Tags are checked while composing:
only the plain JSON-like tags are allowed, so ``!!python/object`` or a custom ``!tag`` is a
positioned error instead of a constructed object.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Y = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_Y + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = _Y + "seq", _Y + "map"
# Explicit tags an author may write (``!!str 12`` is a reasonable way to quote).
ALLOWED_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, SEQ, MAP})
MAX_TEXT_CHARS = 1_000_000


@dataclass(frozen=True)
class Pos:
    """1-based line and column in the source text."""

    line: int
    col: int

    @classmethod
    def of(cls, node: Node) -> "Pos":
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


class YamlProblem(Exception):
    """The text is not YAML we accept; ``pos`` may be None when the parser gives none."""

    def __init__(self, message: str, pos: Pos | None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that records disallowed explicit tags with their position."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.bad_tags: list[tuple[str, Pos]] = []

    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        # Aliases carry no tag; '!' is the non-specific tag of a quoted scalar.
        if tag is not None and tag != "!" and tag not in ALLOWED_TAGS:
            shown = "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag
            self.bad_tags.append(
                (shown, Pos(event.start_mark.line + 1, event.start_mark.column + 1)))
        return super().compose_node(parent, index)


def compose(text: str) -> tuple[Node | None, list[tuple[str, Pos]]]:
    """Compose one YAML document into nodes.

    Returns (root node or None for an empty document, [(disallowed tag, position)]).
    Raises YamlProblem for syntax errors, several documents, or absurd nesting.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise YamlProblem(f"file is too large ({len(text)} characters; at most {MAX_TEXT_CHARS})", None)
    loader = None
    try:
        loader = _StrictLoader(text)  # the reader rejects unprintable characters right here
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark is not None else None
        what = e.problem or e.context or "invalid YAML"
        if "expected a single document" in str(e.context or ""):
            what = "only one YAML document is allowed (found a second '---')"
        elif e.problem and e.context and e.context_mark is not None and mark is not None \
                and e.context_mark.line != mark.line:
            # Say where the unclosed thing began, not only where the parser gave up.
            what += f" ({e.context} started at line {e.context_mark.line + 1})"
        raise YamlProblem(f"YAML syntax error: {what}", pos) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        raise YamlProblem(f"YAML syntax error: {e.reason} (character {char})", Pos(line, col)) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply", None) from None
    except yaml.YAMLError as e:
        raise YamlProblem(f"YAML error: {e}".replace("\n", " "), None) from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, loader.bad_tags


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def scalar_value(node: ScalarNode) -> object:
    """The Python value of a scalar with an allowed tag (str, int, float, bool or None).

    Other implicit tags (timestamps, ...) come back as their source text.
    """
    tag = node.tag
    try:
        if tag == INT:
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
        if tag == BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == NULL:
            return None
    except (ValueError, TypeError, KeyError, yaml.YAMLError, OverflowError):
        # An explicit tag on text that is not of that type, e.g. ``!!int abc``.
        raise YamlProblem(f"{node.value!r} is not a valid {tag[len(_Y):]}", Pos.of(node)) from None
    return node.value


def describe(node: Node) -> str:
    """A short description of a node's value for messages: 'abc', 12, a list, a mapping."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    try:
        value = scalar_value(node)  # type: ignore[arg-type]
    except YamlProblem:
        value = node.value
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return node.value  # as written: yes, on, true...
    if isinstance(value, float) and not math.isfinite(value):
        return node.value
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")
