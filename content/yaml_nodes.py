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
        what, pos = explain_syntax_error(text, e)
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


def explain_syntax_error(text: str, e: yaml.MarkedYAMLError) -> tuple[str, Pos | None]:
    """The parser's complaint in plain words for a content author, and where it is.

    PyYAML says what its grammar expected ("mapping values are not allowed here",
    "expected <block end>, but found '?'"); an author needs the usual cause and the fix:
    a tab (YAML indents with spaces), a colon inside unquoted text (quote the text), a key
    out of line with its neighbours (which key, and the column it should be at), a bracket
    or quote never closed (where it was opened). Unknown cases keep the parser's words.
    """
    mark = e.problem_mark or e.context_mark
    pos = Pos(mark.line + 1, mark.column + 1) if mark is not None else None
    problem, context = str(e.problem or ""), str(e.context or "")
    ctx = e.context_mark
    lines = text.splitlines()

    def line_at(m) -> str:
        return lines[m.line] if m is not None and 0 <= m.line < len(lines) else ""

    def key_on(line: str) -> str:
        head = line.strip().removeprefix("- ").split(":", 1)[0].strip()
        return head if head and len(head) <= 40 and " " not in head.strip() else ""

    def key_column(line: str) -> int:
        """Where a line's key starts (after any '- ' list markers)."""
        col = len(line) - len(line.lstrip(" "))
        while line[col:col + 2] == "- ":
            col += 2
            col += len(line[col:]) - len(line[col:].lstrip(" "))
        return col

    def neighbour_above(m) -> tuple[str, int] | None:
        """(key, key column) of the nearest line above with content (comments skipped)."""
        for k in range(m.line - 1, -1, -1):
            ln = lines[k] if k < len(lines) else ""
            if ln.strip() and not ln.strip().startswith("#"):
                return key_on(ln), key_column(ln)
        return None

    def misaligned(m) -> str | None:
        """"'beats' is indented 3 spaces but 'start' above it is at 4: ..." when that explains it."""
        above = neighbour_above(m)
        line = line_at(m)
        key = key_on(line)
        if above is None or not key:
            return None
        k_col = key_column(line)
        above_key, above_col = above
        if k_col == above_col or not above_key:
            return None
        return (f"'{key}' is indented {k_col} space{'s' * (k_col != 1)} but '{above_key}' above it is indented "
                f"{above_col}: "
                f"keys of the same block must line up exactly (spaces, not tabs)")

    here = line_at(mark)
    if "expected a single document" in context:
        return "only one YAML document is allowed (found a second '---')", pos
    if "'\t'" in problem or (mark is not None and mark.column < len(here) and here[mark.column:mark.column + 1] == "\t"):
        return "a tab character: YAML indents with spaces only; replace the tab with spaces", pos
    if problem.startswith("mapping values are not allowed") and mark is not None \
            and here.find(":") == mark.column and misaligned(mark):
        # The colon the parser stopped at is the line's first: a key indented too far.
        return misaligned(mark), Pos(mark.line + 1, key_column(here) + 1)
    if problem.startswith("mapping values are not allowed"):
        key = key_on(here)
        value = here.split(":", 1)[1].strip() if ":" in here else ""
        fix = f'{key}: "{value}"' if key and value and '"' not in value else 'key: "text: with a colon"'
        return (f"a colon followed by a space inside unquoted text; if it is part of the text (a tip or "
                f"title), put the whole text in quotes, e.g. {fix}"), pos
    if problem.startswith("found character") and "cannot start any token" in problem:
        ch = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return f"a value cannot start with {ch!r}; put the text in quotes", pos
    if ("expected <block end>" in problem or problem.startswith("did not find expected key")
            or problem.startswith("did not find expected '-'")) and ctx is not None and mark is not None:
        key = key_on(here) or key_on(line_at(ctx))
        started = ctx.line + 1
        what = f"'{key}'" if key else "this line"
        if misaligned(mark):
            return misaligned(mark), pos
        return (f"{what} does not fit the block that started at line {started}: check that every key in it is "
                f"lined up and that list items start with '- '"), pos
    if problem.startswith("could not find expected ':'"):
        return ("a line that is not 'key: value' (no colon after the key); if it continues the text above, "
                "put that text in quotes"), Pos(ctx.line + 1, ctx.column + 1) if ctx is not None else pos
    if "flow sequence" in context or "flow mapping" in context:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        at = f" at line {ctx.line + 1}, column {ctx.column + 1}" if ctx is not None else ""
        return f"a '{opener}' opened{at} is never closed with '{closer}'", pos
    if "quoted scalar" in context:
        at = f" at line {ctx.line + 1}, column {ctx.column + 1}" if ctx is not None else ""
        return f"a quote opened{at} is never closed; end the text with the same quote mark", pos
    what = problem or context or "invalid YAML"
    if problem and context and ctx is not None and mark is not None and ctx.line != mark.line:
        # Say where the unclosed thing began, not only where the parser gave up.
        what += f" ({context} started at line {ctx.line + 1})"
    return what, pos


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
