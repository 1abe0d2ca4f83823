"""A strict choreography loader with line numbers.

    choreo = load_choreography("choreographies/demo/demo.yaml")
    for move in choreo.moves: ...   # frozen scoring.choreography.Moves

The loader composes YAML into nodes (positions kept, object-constructing tags refused),
then walks the field table of ``content.fields`` and parses explicitly into the frozen
dataclasses of ``scoring.choreography``. Every problem becomes a ``Diagnostic`` printed as
``file:line:col: moves[3].beats: must be > 0``; all errors are collected and raised
together as one ``ChoreographyError``. Level-design warnings (hidden body parts, nobody in
the reference) are kept on ``Choreography.warnings``.
"""
from __future__ import annotations

import difflib
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from content import cues
from content import fields as F
from content.fields import FieldSpec
from content.media import MediaError, probe_media, probe_video
from content.yaml_nodes import MAP, SEQ, STR, Pos, YamlProblem, compose, describe, scalar_value
from pose.errors import DanceError, TrackError, VideoError
from pose.track import PoseTrack
from scoring.choreography import ALL_PARTS, Choreography, Diagnostic, Move, PartWeights
from scoring.parts import BODY_PARTS, PART_LANDMARKS

# A part counts as visible in a frame when all its landmarks have at least this visibility;
# a move warns when its scored parts are hidden in more than HIDDEN_FRACTION of its frames.
VISIBLE_MIN = 0.5
HIDDEN_FRACTION = 0.5
# Pose track and video may differ by this many frames (decoders disagree on the last one).
FRAME_SLACK = 1
FPS_REL_TOLERANCE = 0.01


class ChoreographyError(DanceError):
    """A choreography that cannot be used; ``errors`` lists every problem found.

    ``str()`` is one line (the CLI's rule); ``dance validate`` prints one line per error.
    """

    def __init__(self, errors: list[Diagnostic] | tuple[Diagnostic, ...],
                 warnings: list[Diagnostic] | tuple[Diagnostic, ...] = ()) -> None:
        self.errors: tuple[Diagnostic, ...] = tuple(errors)
        self.warnings: tuple[Diagnostic, ...] = tuple(warnings)
        n = len(self.errors)
        text = "; ".join(str(d) for d in self.errors)
        super().__init__(text if n == 1 else f"{n} errors: {text}")

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.errors + self.warnings


# --------------------------------------------------------------------------------- loader
def load_choreography(path: str | Path, *, check_media: bool = True) -> Choreography:
    """Load and check a choreography YAML.

    ``check_media=False`` skips opening the video and pose track (paths are still checked
    to exist); duration_s is then the track's length if it loads, else the last move's end.
    Raises ChoreographyError listing every error found.
    """
    path = Path(path)
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ChoreographyError([Diagnostic(label, None, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ChoreographyError([Diagnostic(label, None, None, "", "is a folder, not a choreography file")]) from None
    except OSError as e:
        raise ChoreographyError([Diagnostic(label, None, None, "", f"cannot read file ({e.strerror})")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ChoreographyError([Diagnostic(label, line, col, "", "not UTF-8 text")]) from None
    return _Parser(path, text, check_media).parse()


@dataclass
class _Media:
    track: PoseTrack | None = None
    video_frames: int | None = None
    video_fps: float | None = None
    audio_s: float | None = None
    duration_s: float | None = None  # video (else track) length: Choreography.duration_s


class _Parser:
    def __init__(self, path: Path, text: str, check_media: bool) -> None:
        self.path = path
        self.label = str(path)
        self.folder = path.parent.resolve()
        self.text = text
        self.check_media = check_media
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        # (yaml index, key nodes, move node) for each Move built, in Move order.
        self.move_nodes: list[tuple[int, dict[str, Node], Node]] = []
        # id(mapping node) -> key names suggested for its misspelt keys.
        self.suggested: dict[int, set[str]] = {}

    # -- reporting
    def error(self, at: Node | Pos | None, path: str, message: str) -> None:
        self.errors.append(self._diag(at, path, message, "error"))

    def warn(self, at: Node | Pos | None, path: str, message: str) -> None:
        self.warnings.append(self._diag(at, path, message, "warning"))

    def _diag(self, at: Node | Pos | None, path: str, message: str, severity: str) -> Diagnostic:
        pos = Pos.of(at) if isinstance(at, Node) else at
        return Diagnostic(self.label, pos.line if pos else None, pos.col if pos else None,
                          path, message, severity)

    def fail(self) -> ChoreographyError:
        # Reading order: an author fixes a file top to bottom.
        def key(d: Diagnostic) -> tuple[int, int]:
            return (d.line or 0, d.col or 0)

        return ChoreographyError(sorted(self.errors, key=key), sorted(self.warnings, key=key))

    # -- the document
    def parse(self) -> Choreography:
        self._check_schema_comment()
        try:
            root, bad_tags = compose(self.text)
        except YamlProblem as e:
            self.error(e.pos, "", e.message)
            raise self.fail() from None
        if bad_tags:
            # Refuse the whole document: a tag that constructs objects is never content.
            for tag, pos in bad_tags:
                self.error(pos, "", f"tag {tag} is not allowed (only plain YAML values)")
            raise self.fail()
        if root is None:
            self.error(Pos(1, 1), "", "file is empty; a choreography is a mapping with "
                       "format, title, pose_track, bpm and moves")
            raise self.fail()
        if not isinstance(root, MappingNode):
            self.error(root, "", f"must be a mapping of keys (format, title, ...), got {describe(root)}")
            raise self.fail()

        nodes = self.mapping(root, "", F.TOP_FIELDS)
        values: dict[str, Any] = {}
        fmt_node = nodes.get("format")
        if fmt_node is not None and isinstance(fmt_node, ScalarNode):
            fmt = self._maybe_int(fmt_node)
            if fmt is not None and fmt > F.FORMAT_VERSION:
                # Say why rather than "must be <= 1": the file is from a newer program.
                self.error(fmt_node, "format", f"format {fmt} is newer than this program reads "
                           f"(format {F.FORMAT_VERSION}); update DanceStudio")
                raise self.fail()
        for spec in F.TOP_FIELDS:
            if spec.name in nodes and spec.kind != "moves":
                values[spec.name] = self.value(spec, nodes[spec.name], spec.name)
            elif spec.name not in nodes:
                values[spec.name] = spec.default

        raw_moves: list[tuple[int, dict[str, Node], dict[str, Any], Node]] = []
        if "moves" in nodes:
            raw_moves = self.moves(nodes["moves"])

        media = self.media(values, nodes)
        self.cues(values, nodes, raw_moves)
        moves = self.timed_moves(raw_moves, values, media)
        if self.errors:
            raise self.fail()

        choreo = Choreography(
            path=self.path,
            folder=self.folder,
            format=values["format"],
            title=values["title"],
            artist=values["artist"],
            video=values["video"],
            audio=values["audio"],
            pose_track=values["pose_track"],
            cover=values["cover"],
            bpm=values["bpm"],
            offset_s=values["offset"],
            mirror=values["mirror"],
            difficulty=values["difficulty"],
            duration_s=float(media.duration_s or 0.0),
            moves=moves,
            warnings=(),
            _track=media.track,
            mode=values["mode"] or "dance",
            stage=values["stage"] or "camera",
        )
        if media.track is not None:
            self.track_warnings(choreo, media.track)
        object.__setattr__(choreo, "warnings", tuple(sorted(self.warnings, key=lambda d: (d.line or 0, d.col or 0))))
        return choreo

    def _check_schema_comment(self) -> None:
        first = self.text.split("\n", 1)[0].rstrip("\r")
        expected = F.SCHEMA_COMMENT_PREFIX + "../" + F.SCHEMA_FILE
        if not first.startswith(F.SCHEMA_COMMENT_PREFIX):
            self.warn(Pos(1, 1), "", f"first line should be '{expected}' so editors check this file")
            return
        ref = first[len(F.SCHEMA_COMMENT_PREFIX):].strip()
        if re.match(r"^[a-z][a-z0-9+.-]*://", ref):
            return  # a URL: nothing to check offline
        if not (self.folder / ref).is_file():
            self.warn(Pos(1, len(F.SCHEMA_COMMENT_PREFIX) + 1), "",
                      f"schema file {ref!r} not found next to this file")

    # -- structure
    def mapping(self, node: MappingNode, path: str, fields: tuple[FieldSpec, ...]) -> dict[str, Node]:
        """Key -> value node for known keys; reports unknown, duplicate and missing keys."""
        known = {f.name: f for f in fields}
        seen: dict[str, Node] = {}
        out: dict[str, Node] = {}
        suggested: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, f"keys must be plain names, got {describe(key_node)}")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node, path, "merge keys (<<) are not supported; write the keys out")
                continue
            key = str(key_node.value)
            kpath = f"{path}.{key}" if path else key
            if key in seen:
                first = Pos.of(seen[key])
                self.error(key_node, kpath, f"duplicate key (first given at line {first.line})")
                continue
            seen[key] = key_node
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(known)})"
                self.error(key_node, kpath, f"unknown key '{key}'{hint}")
                suggested.update(close)
                continue
            out[key] = value_node
        # A misspelt key was reported with its suggestion: not also as "missing".
        self.suggested[id(node)] = suggested
        for f in fields:
            if f.required and f.name not in seen and f.name not in suggested:
                self.error(node, path, f"missing required key '{f.name}'")
        return out

    def _maybe_int(self, node: ScalarNode) -> int | None:
        try:
            v = scalar_value(node)
        except YamlProblem:
            return None
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    def value(self, spec: FieldSpec, node: Node, path: str) -> Any:
        """Parse one field's value; None (after reporting) when it is unusable."""
        kind = spec.kind
        if kind == "parts":
            return self.parts(node, path)
        if not isinstance(node, ScalarNode):
            self.error(node, path, f"must be {_KIND_WORDS[kind]}, got {describe(node)}")
            return None
        try:
            v = scalar_value(node)
        except YamlProblem as e:
            self.error(e.pos, path, e.message)
            return None
        if kind in ("string", "path", "enum"):
            # Any scalar's text is a fine title or tip ("title: 1999", "tip: Yes!"); a file
            # name or a choice is text only, as in the schema.
            if v is None or (kind != "string" and node.tag != STR):
                what = f"one of {', '.join(spec.choices)}" if kind == "enum" else _KIND_WORDS[kind]
                self.error(node, path, f"must be {what}, got {describe(node)}")
                return None
            text = str(node.value)
            if kind == "path":
                return self.file_path(node, path, text)
            if kind == "enum":
                if text not in spec.choices:
                    close = difflib.get_close_matches(text, spec.choices, n=1, cutoff=0.6)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self.error(node, path, f"must be one of {', '.join(spec.choices)}, got {text!r}{hint}")
                    return None
                return text
            if not text.strip():
                if spec.required:
                    self.error(node, path, "must not be empty")
                    return None
            return text
        if kind == "bool":
            if not isinstance(v, bool):
                self.error(node, path, f"must be true or false, got {describe(node)}")
                return None
            return v
        if kind in ("int", "number"):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (kind == "int" and not isinstance(v, int)):
                self.error(node, path, f"must be {_KIND_WORDS[kind]}, got {describe(node)}")
                return None
            if isinstance(v, float) and not math.isfinite(v):
                self.error(node, path, f"must be a finite number, got {node.value}")
                return None
            if spec.exclusive_minimum is not None and not v > spec.exclusive_minimum:
                self.error(node, path, f"must be > {_num(spec.exclusive_minimum)}, got {_num(v)}")
                return None
            if spec.minimum is not None and v < spec.minimum:
                self.error(node, path, f"must be >= {_num(spec.minimum)}, got {_num(v)}")
                return None
            if spec.maximum is not None and v > spec.maximum:
                self.error(node, path, f"must be <= {_num(spec.maximum)}, got {_num(v)}")
                return None
            return int(v) if kind == "int" else float(v)
        raise AssertionError(kind)  # pragma: no cover - the field table is checked at import

    def parts(self, node: Node, path: str) -> PartWeights | None:
        weights: dict[str, float] = {}
        ok = True
        if isinstance(node, SequenceNode):
            if not node.value:
                self.error(node, path, "must list at least one body part (or leave parts out: all count)")
                return None
            for i, item in enumerate(node.value):
                ipath = f"{path}[{i}]"
                name = self._part_name(item, ipath)
                if name is None:
                    ok = False
                elif name in weights:
                    self.error(item, ipath, f"body part '{name}' is listed twice")
                    ok = False
                else:
                    weights[name] = 1.0
        elif isinstance(node, MappingNode):
            if not node.value:
                self.error(node, path, "must give at least one body part (or leave parts out: all count)")
                return None
            seen: dict[str, Node] = {}
            for key_node, value_node in node.value:
                kpath = f"{path}.{key_node.value}" if isinstance(key_node, ScalarNode) else path
                name = self._part_name(key_node, kpath)
                if name is None:
                    ok = False
                    continue
                if name in seen:
                    self.error(key_node, kpath, f"duplicate key (first given at line {Pos.of(seen[name]).line})")
                    ok = False
                    continue
                seen[name] = key_node
                w = self.value(_WEIGHT, value_node, kpath)
                if w is None:
                    ok = False
                else:
                    weights[name] = w
            if ok and not any(w > 0 for w in weights.values()):
                self.error(node, path, "at least one body part needs a weight > 0")
                return None
        else:
            self.error(node, path, f"must be a list of body parts or a mapping part: weight, got {describe(node)}")
            return None
        return PartWeights(weights) if ok else None

    def _part_name(self, node: Node, path: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag != STR:
            self.error(node, path, f"must be a body part name ({', '.join(BODY_PARTS)}), got {describe(node)}")
            return None
        name = str(node.value)
        if name not in BODY_PARTS:
            close = difflib.get_close_matches(name, BODY_PARTS, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(BODY_PARTS)})"
            self.error(node, path, f"unknown body part '{name}'{hint}")
            return None
        return name

    def file_path(self, node: Node, path: str, text: str) -> Path | None:
        """A path relative to the choreography folder that stays inside it and exists."""
        if not text.strip():
            self.error(node, path, "must not be empty")
            return None
        if "\\" in text:
            self.error(node, path, "use '/' between folders, not '\\'")
            return None
        if any(ord(ch) < 32 for ch in text):
            self.error(node, path, "a file name cannot contain control characters")
            return None
        rel = PurePosixPath(text)
        if rel.is_absolute() or text.startswith("~") or re.match(r"^[A-Za-z]:", text):
            self.error(node, path, "must be a path relative to this file's folder, not an absolute path")
            return None
        if ".." in rel.parts:
            self.error(node, path, "must stay inside this file's folder (no '..')")
            return None
        full = (self.folder / rel).resolve()
        if not full.is_relative_to(self.folder):
            self.error(node, path, f"{text!r} leads outside this file's folder (through a symbolic link)")
            return None
        if not full.exists():
            try:
                names = [p.name for p in self.folder.iterdir()]
            except OSError:
                names = []
            close = difflib.get_close_matches(rel.name, names, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.error(node, path, f"file not found: {text}{hint}")
            return None
        if not full.is_file():
            self.error(node, path, f"{text!r} is not a file")
            return None
        return full

    def moves(self, node: Node) -> list[tuple[int, dict[str, Node], dict[str, Any], Node]]:
        """[(yaml index, key nodes, parsed values, move node)] for moves that are mappings."""
        if not isinstance(node, SequenceNode):
            self.error(node, "moves", f"must be a list of moves, got {describe(node)}")
            return []
        if len(node.value) < 1:
            self.error(node, "moves", "must list at least one move")
            return []
        out = []
        for i, item in enumerate(node.value):
            mpath = f"moves[{i}]"
            if not isinstance(item, MappingNode):
                self.error(item, mpath, f"must be a mapping (name, start, beats, ...), got {describe(item)}")
                continue
            keys = self.mapping(item, mpath, F.MOVE_FIELDS)
            vals: dict[str, Any] = {}
            for spec in F.MOVE_FIELDS:
                if spec.name in keys:
                    vals[spec.name] = self.value(spec, keys[spec.name], f"{mpath}.{spec.name}")
                else:
                    vals[spec.name] = spec.default
            out.append((i, keys, vals, item))
        return out

    # -- mode cues
    def cues(self, values: dict[str, Any], nodes: dict[str, Node], raw_moves) -> None:
        mode = values.get("mode") or cues.DEFAULT_MODE
        if mode not in cues.CUES and "mode" in nodes:
            self.warn(nodes["mode"], "mode", f"mode '{mode}' is not built in; its cues are checked only "
                      "when that mode's package is installed")
        for i, keys, vals, node in raw_moves:
            problem = cues.check_cue(mode, vals.get("cue") or "")
            if problem is not None:
                self.error(keys.get("cue", node), f"moves[{i}].cue", problem)

    # -- media
    def media(self, values: dict[str, Any], nodes: dict[str, Node]) -> _Media:
        media = _Media()
        track_path: Path | None = values.get("pose_track")
        if track_path is not None and not zipfile.is_zipfile(track_path):
            self.error(nodes["pose_track"], "pose_track",
                       "not a pose track (.npz from dance track); re-make it with dance track")
        elif track_path is not None:
            try:
                media.track = PoseTrack.load(track_path)
            except TrackError as e:
                msg = str(e)
                prefix = f"{track_path}: "
                msg = msg[len(prefix):] if msg.startswith(prefix) else msg
                self.error(nodes["pose_track"], "pose_track", f"not a usable pose track: {msg}")
        video_path: Path | None = values.get("video")
        if video_path is not None and self.check_media:
            try:
                media.video_frames, media.video_fps = probe_video(video_path)
            except VideoError as e:
                self.error(nodes["video"], "video", str(e))
        if media.video_frames is not None and media.video_fps:
            media.duration_s = media.video_frames / media.video_fps
            track = media.track
            if track is not None:
                if abs(len(track) - media.video_frames) > FRAME_SLACK:
                    self.error(nodes["pose_track"], "pose_track",
                               f"pose track has {len(track)} frames but the video has {media.video_frames}; "
                               f"re-run: dance track {nodes['video'].value} -o {nodes['pose_track'].value}")
                elif abs(track.fps - media.video_fps) > FPS_REL_TOLERANCE * media.video_fps:
                    self.error(nodes["pose_track"], "pose_track",
                               f"pose track is at {_num(track.fps)} fps but the video is at "
                               f"{_num(media.video_fps)} fps")
        elif media.track is not None:
            media.duration_s = media.track.duration_s
        audio_path: Path | None = values.get("audio")
        if audio_path is not None and self.check_media:
            try:
                info = probe_media(audio_path)
                if not info.has_audio:
                    self.error(nodes["audio"], "audio", f"{audio_path.name} has no audio stream")
                else:
                    media.audio_s = info.duration_s
            except MediaError as e:
                self.error(nodes["audio"], "audio", str(e))
        return media

    # -- timing
    def timed_moves(self, raw_moves, values: dict[str, Any], media: _Media) -> tuple[Move, ...]:
        bpm, offset = values.get("bpm"), values.get("offset")
        timed: list[tuple[float, float, int, dict[str, Node], dict[str, Any], Node]] = []
        for i, keys, vals, node in raw_moves:
            mpath = f"moves[{i}]"
            beat_keys = [k for k in F.BEAT_TIMING if k in keys]
            sec_keys = [k for k in (F.SECONDS_START, *F.SECONDS_END) if k in keys]
            if beat_keys and sec_keys:
                self.error(keys[sec_keys[0]], f"{mpath}.{sec_keys[0]}",
                           f"mixes beat timing ({', '.join(beat_keys)}) with seconds ({', '.join(sec_keys)}); use one")
                continue
            if not beat_keys and not sec_keys:
                self.error(node, mpath, "needs a time: start + beats (in beats) or start_s + end_s "
                           "or duration_s (in seconds)")
                continue
            if beat_keys:
                missing = [k for k in F.BEAT_TIMING if k not in keys]
                for k in missing:
                    if k not in self.suggested.get(id(node), ()):
                        self.error(node, mpath, f"missing required key '{k}' (beat timing needs start and beats)")
                if missing or vals["start"] is None or vals["beats"] is None or bpm is None or offset is None:
                    continue
                start_s = offset + vals["start"] * 60.0 / bpm
                end_s = start_s + vals["beats"] * 60.0 / bpm
                start_key, end_key = "start", "beats"
            else:
                if F.SECONDS_START not in keys and F.SECONDS_START not in self.suggested.get(id(node), ()):
                    self.error(node, mpath, f"missing required key '{F.SECONDS_START}'")
                ends = [k for k in F.SECONDS_END if k in keys]
                if len(ends) == 2:
                    self.error(keys[ends[1]], f"{mpath}.{ends[1]}", "give end_s or duration_s, not both")
                    continue
                if not ends:
                    self.error(node, mpath, "missing 'end_s' or 'duration_s'")
                    continue
                if F.SECONDS_START not in keys or vals[F.SECONDS_START] is None or vals[ends[0]] is None:
                    continue
                start_s = vals[F.SECONDS_START]
                end_key = ends[0]
                end_s = vals["end_s"] if end_key == "end_s" else start_s + vals["duration_s"]
                start_key = F.SECONDS_START
                if end_s <= start_s:
                    self.error(keys[end_key], f"{mpath}.{end_key}",
                               f"must be > start_s ({_num(start_s)}), got {_num(end_s)}")
                    continue
            if not (math.isfinite(start_s) and math.isfinite(end_s)):
                self.error(keys[end_key], f"{mpath}.{end_key}", "timing overflows")
                continue
            if start_s < 0:
                self.error(keys[start_key], f"{mpath}.{start_key}",
                           f"starts at {start_s:.2f} s, before the media begins")
                continue
            # Half a frame of slack: an end on the last frame's far edge is inside.
            slack = 0.5 / (media.video_fps or (media.track.fps if media.track else 60.0))
            dur = media.duration_s
            if dur is not None and end_s > dur + slack:
                self.error(keys[end_key], f"{mpath}.{end_key}",
                           f"ends at {end_s:.2f} s, past the end of the media ({dur:.2f} s)")
                continue
            # Compressed audio ends on a packet boundary: allow 50 ms more than a frame.
            if media.audio_s is not None and end_s > media.audio_s + slack + 0.05:
                self.error(keys[end_key], f"{mpath}.{end_key}",
                           f"ends at {end_s:.2f} s, past the end of the audio ({media.audio_s:.2f} s)")
                continue
            timed.append((start_s, end_s, i, keys, vals, node))

        timed.sort(key=lambda m: (m[0], m[2]))
        moves: list[Move] = []
        prev = None
        for start_s, end_s, i, keys, vals, node in timed:
            # 1 µs tolerance: moves that meet exactly on a beat must not count as overlapping.
            if prev is not None and start_s < prev[1] - 1e-6:
                start_key = "start" if "start" in keys else F.SECONDS_START
                self.error(keys[start_key], f"moves[{i}].{start_key}",
                           f"overlaps moves[{prev[2]}] '{prev[3]}' (it ends at {prev[1]:.2f} s, "
                           f"this move starts at {start_s:.2f} s)")
                continue
            prev = (start_s, end_s, i, vals["name"])
            if any(vals[k] is None for k in keys):
                continue  # a value of this move was already reported as an error
            beat_timed = "start" in keys
            moves.append(Move(
                index=len(moves),
                name=vals["name"],
                start_s=float(start_s),
                end_s=float(end_s),
                start_beat=vals["start"] if beat_timed else None,
                beats=vals["beats"] if beat_timed else None,
                parts=vals["parts"] if vals["parts"] is not None else ALL_PARTS,
                gold=bool(vals["gold"]),
                tip=vals["tip"] or "",
                pictogram=vals["pictogram"],
                cue=vals["cue"] or "",
            ))
            self.move_nodes.append((i, keys, node))
        return tuple(moves)

    # -- level design
    def track_warnings(self, choreo: Choreography, track: PoseTrack) -> None:
        for move, (i, keys, node) in zip(choreo.moves, self.move_nodes):
            mpath = f"moves[{i}]"
            sel = (track.t >= move.start_s) & (track.t < move.end_s)
            if not sel.any():
                continue
            found = track.found[sel]
            if not found.any():
                self.warn(node, mpath, f"nobody is found in the reference track during '{move.name}'")
                continue
            if found.mean() < 1 - HIDDEN_FRACTION:
                self.warn(node, mpath, f"nobody is found in the reference track for "
                          f"{100 * (1 - found.mean()):.0f}% of '{move.name}'")
            vis = np.nan_to_num(track.landmarks[sel, :, 3], nan=0.0)  # nobody -> hidden
            hidden = []
            for part, w in move.parts.items():
                if w <= 0:
                    continue
                visible = (vis[:, list(PART_LANDMARKS[part])] >= VISIBLE_MIN).all(axis=1)
                if 1 - visible.mean() > HIDDEN_FRACTION:
                    hidden.append(f"{part} ({100 * (1 - visible.mean()):.0f}% of frames)")
            if hidden:
                at = keys.get("parts", node)
                self.warn(at, f"{mpath}.parts" if "parts" in keys else mpath,
                          f"scored body parts hidden in the reference for most of '{move.name}': "
                          f"{', '.join(hidden)}")
            if _back_turned(track, move.start_s):
                self.warn(node, mpath, f"the coach has their back to the camera as '{move.name}' starts; "
                          "children cannot see what to copy")


# The first BACK_WINDOW_S of a move decide whether the coach starts it facing away.
BACK_WINDOW_S = 0.25


def _back_turned(track: PoseTrack, start_s: float) -> bool:
    """True when the coach's back is to the camera for most of a move's first moments.

    Facing the camera, the coach's left shoulder is on the image's right (x11 > x12); with
    the back turned the order flips. Side-on poses (shoulders closer than a quarter of the
    torso's height) decide nothing, so a profile never warns.
    """
    sel = (track.t >= start_s) & (track.t < start_s + BACK_WINDOW_S) & track.found
    if not sel.any():
        return False
    w, h = track.size
    xy = track.landmarks[sel][:, :, :2].astype(np.float64) * np.array([w, h])
    dx = xy[:, 11, 0] - xy[:, 12, 0]
    torso = np.linalg.norm(xy[:, [11, 12]].mean(axis=1) - xy[:, [23, 24]].mean(axis=1), axis=1)
    decided = np.abs(dx) > 0.25 * torso
    return bool(decided.any() and (dx[decided] < 0).mean() > 0.5 and decided.mean() > 0.5)


_WEIGHT = FieldSpec("weight", "number", "A body part's weight.", minimum=0, maximum=1000)

_KIND_WORDS = {
    "int": "a whole number",
    "number": "a number",
    "string": "text",
    "bool": "true or false",
    "enum": "a name",
    "path": "a file path (text)",
    "parts": "a list of body parts",
    "moves": "a list of moves",
}


def _num(v: float) -> str:
    """A number as an author wrote it: 4 not 4.0, 0.35 not 0.35000000000000003."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}" if isinstance(v, float) else str(v)
