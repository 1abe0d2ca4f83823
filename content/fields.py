"""The choreography format as data: one field table drives the loader and the JSON Schema.

Change the format here and nowhere else: ``content.loader`` parses by walking these
tables, and ``content.schema`` generates ``choreographies/choreography.schema.json``
from them (a test checks the shipped schema equals the generated one).
"""
from __future__ import annotations

from dataclasses import dataclass

from scoring.parts import BODY_PARTS

FORMAT_VERSION = 1
DIFFICULTIES: tuple[str, ...] = ("easy", "normal", "hard")
SCHEMA_FILE = "choreography.schema.json"
SCHEMA_COMMENT_PREFIX = "# yaml-language-server: $schema="

# Field kinds the loader and the schema generator both understand.
#   int, number, string, bool: scalars (numbers must be finite)
#   enum: a string from ``choices``
#   path: a relative file path inside the choreography's folder
#   parts: a list of body-part names, or a mapping body part -> weight (>= 0)
#   moves: a list of move mappings (MOVE_FIELDS)
KINDS = ("int", "number", "string", "bool", "enum", "path", "parts", "moves")


@dataclass(frozen=True)
class FieldSpec:
    """One key of a mapping in the format."""

    name: str
    kind: str
    doc: str
    required: bool = False
    default: object = None
    minimum: float | None = None  # inclusive
    exclusive_minimum: float | None = None
    maximum: float | None = None  # inclusive
    choices: tuple[str, ...] = ()
    min_items: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


TOP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("format", "int", f"Version of this file format; this program reads format {FORMAT_VERSION}.",
              required=True, minimum=1, maximum=FORMAT_VERSION),
    FieldSpec("title", "string", "The song's title as children see it.", required=True),
    FieldSpec("mode", "string", "The game mode that plays this song (dance, freeze, hand_jive, face_party, "
              "or a mode from an installed package).", default="dance"),
    FieldSpec("artist", "string", "Who made the music (optional)."),
    FieldSpec("video", "path", "The coach video, relative to this file (optional: without it the game "
              "draws the reference skeleton)."),
    FieldSpec("audio", "path", "The music, relative to this file (optional: without it the game runs on a "
              "wall clock)."),
    FieldSpec("pose_track", "path", "The coach's pose track (.npz from `dance track` or `dance author`), "
              "relative to this file.", required=True),
    FieldSpec("cover", "path", "A cover image for the song menu, relative to this file (optional)."),
    FieldSpec("bpm", "number", "Tempo of the music in beats per minute.", required=True,
              exclusive_minimum=0, maximum=1000),
    FieldSpec("offset", "number", "Seconds into the media where beat 0 falls.", default=0.0,
              minimum=-3600, maximum=3600),
    FieldSpec("mirror", "bool", "True when the child faces the screen and mirrors the coach.", default=True),
    FieldSpec("difficulty", "enum", "How strictly moves are judged.", default="normal",
              choices=DIFFICULTIES),
    FieldSpec("stage", "enum", "What the play screen shows of the child: camera (the camera picture) or "
              "cutout (the child cut out onto the coach's stage; the camera then runs segmentation too).",
              default="camera", choices=("camera", "cutout")),
    FieldSpec("moves", "moves", "The judged moves, in time order, not overlapping.", required=True,
              min_items=1),
)

MOVE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "string", "The move's name on its card.", required=True),
    FieldSpec("start", "number", "Beat timing: the beat the move starts on (beat 0 is at `offset`).",
              minimum=-100000, maximum=100000),
    FieldSpec("beats", "number", "Beat timing: the move's length in beats.", exclusive_minimum=0,
              maximum=100000),
    FieldSpec("start_s", "number", "Seconds timing: when the move starts, seconds into the media.",
              minimum=0, maximum=360000),
    FieldSpec("end_s", "number", "Seconds timing: when the move ends (or give duration_s).",
              exclusive_minimum=0, maximum=360000),
    FieldSpec("duration_s", "number", "Seconds timing: the move's length in seconds (or give end_s).",
              exclusive_minimum=0, maximum=360000),
    FieldSpec("parts", "parts", "The body parts that count: a list of names, or a mapping name -> "
              "weight. All parts count equally when absent.", min_items=1, choices=BODY_PARTS),
    FieldSpec("gold", "bool", "A gold move: highlighted and worth double.", default=False),
    FieldSpec("tip", "string", "A short tip shown to the child.", default=""),
    FieldSpec("cue", "string", "What the move asks for in a mode other than dance (freeze: dance | freeze; "
              "hand_jive: gesture/hand such as thumbs_up/left; face_party: big_o, smile, ...).", default=""),
    FieldSpec("pictogram", "path", "An image of the move for its card, relative to this file (optional)."),
)

# A move is timed in beats (all of BEAT_TIMING) or in seconds (start_s plus exactly one of
# SECONDS_END); never both, so a file says one thing about when a move happens.
BEAT_TIMING: tuple[str, ...] = ("start", "beats")
SECONDS_START = "start_s"
SECONDS_END: tuple[str, ...] = ("end_s", "duration_s")

TOP_BY_NAME = {f.name: f for f in TOP_FIELDS}
MOVE_BY_NAME = {f.name: f for f in MOVE_FIELDS}
