"""What a move asks for in each game mode: the cue vocabularies, as data.

A choreography says which mode plays it (``mode:``, default ``dance``); in a mode other
than dance each move carries a ``cue`` from that mode's vocabulary. The loader checks cues
here (``check_cue``) so every mode's content gets the same positioned messages; a mode
shipped as its own package and unknown here gets its cues through unchecked (its own
loader checks them), with a warning that says so.
"""
from __future__ import annotations

import difflib

DEFAULT_MODE = "dance"

# mode -> the cues its moves may carry ("" = the move needs no cue).
CUES: dict[str, tuple[str, ...]] = {
    "dance": ("",),
    # Freeze Dance: dance while the music plays, freeze (stand still) when it stops.
    "freeze": ("dance", "freeze"),
    # Hand Jive: a gesture, with the hand(s) that make it.
    "hand_jive": tuple(f"{g}/{h}" for g in ("thumbs_up", "victory", "open_palm", "fist", "point_up")
                       for h in ("left", "right", "both")),
    # Face Party: the face to copy.
    "face_party": ("big_o", "smile", "eyebrows_up", "wink", "head_tilt"),
}


def check_cue(mode: str, cue: str) -> str | None:
    """None if ``cue`` is fine for ``mode``, else the message to show (with a suggestion)."""
    vocab = CUES.get(mode)
    if vocab is None:
        return None
    if cue in vocab:
        return None
    if mode == DEFAULT_MODE:
        return "a dance move has no cue (cues are for the other game modes)"
    if not cue:
        return f"a {mode} move needs a cue: one of {', '.join(c for c in vocab if c)}"
    close = difflib.get_close_matches(cue, vocab, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; one of {', '.join(c for c in vocab if c)}"
    return f"unknown {mode} cue '{cue}'{hint}"
