"""Small inline-SVG figures for reports: the coach's pose for a move, or a pictogram.

Privacy: reports never show the child. A move is illustrated by the *coach's* skeleton,
taken from the choreography's reference pose track at the middle of the move when the
choreography file is still where the session says; otherwise by a generic stick figure
whose limbs that counted for the move are highlighted.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from pose.landmarks import INDEX, LIMBS
from pose.track import PoseTrack

COACH = "#8e7dff"
HIGHLIGHT = "#ff7a59"
BODY = "#c9bcd6"
# A friendly neutral pose (x, y in a 100 x 120 box) for the pictogram: arms out, feet apart.
_PICTO = {
    "head": (50, 16), "neck": (50, 30), "hip": (50, 66),
    "l_elbow": (31, 40), "l_hand": (17, 28), "r_elbow": (69, 40), "r_hand": (83, 28),
    "l_knee": (40, 88), "l_foot": (34, 110), "r_knee": (60, 88), "r_foot": (66, 110),
}
# (from, to, body part). "left" is the dancer's left, drawn on the viewer's right as
# when facing the coach on screen.
_PICTO_BONES = (
    ("neck", "hip", "torso"),
    ("neck", "r_elbow", "left_arm"), ("r_elbow", "r_hand", "left_arm"),
    ("neck", "l_elbow", "right_arm"), ("l_elbow", "l_hand", "right_arm"),
    ("hip", "r_knee", "left_leg"), ("r_knee", "r_foot", "left_leg"),
    ("hip", "l_knee", "right_leg"), ("l_knee", "l_foot", "right_leg"),
)


def _part_of_limb(a: int, b: int) -> str:
    names = {k for k, v in INDEX.items() if v in (a, b)}
    joined = " ".join(names)
    if "elbow" in joined or "wrist" in joined or "index" in joined:
        return "left_arm" if "left" in joined else "right_arm"
    if "knee" in joined or "ankle" in joined or "foot" in joined:
        return "left_leg" if "left" in joined else "right_leg"
    if "ear" in joined or "nose" in joined:
        return "head"
    return "torso"


def pictogram_svg(parts: Iterable[str], title: str = "") -> str:
    """A stick figure with the given body parts highlighted. 100 x 120 viewBox."""
    hot = set(parts)
    lines = []
    for a, b, part in _PICTO_BONES:
        (x1, y1), (x2, y2) = _PICTO[a], _PICTO[b]
        colour = HIGHLIGHT if part in hot else BODY
        lines.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" />')
    hx, hy = _PICTO["head"]
    head = HIGHLIGHT if "head" in hot else BODY
    return (
        f'<svg class="pose picto" viewBox="0 0 100 122" role="img" aria-label="{_esc(title or "pictogram")}">'
        f'<g stroke-width="7" stroke-linecap="round" fill="none">{"".join(lines)}</g>'
        f'<circle cx="{hx}" cy="{hy}" r="11" fill="{head}" />'
        f'<circle cx="{hx - 4}" cy="{hy - 2}" r="1.6" fill="white" /><circle cx="{hx + 4}" cy="{hy - 2}" r="1.6" fill="white" />'
        f'<path d="M{hx - 4} {hy + 4} Q{hx} {hy + 8} {hx + 4} {hy + 4}" stroke="white" stroke-width="1.6" fill="none" />'
        "</svg>"
    )


def coach_svg(landmarks: np.ndarray, size: Sequence[int], parts: Iterable[str] = (), title: str = "") -> str:
    """The coach's skeleton from one frame. landmarks (33, 4): x, y normalised to the frame,
    z, visibility; size (w, h) px. Limbs of ``parts`` are highlighted."""
    w, h = float(size[0]), float(size[1])
    xy = np.asarray(landmarks, dtype=np.float64)[:, :2] * (w, h)  # (33, 2) px
    ok = np.isfinite(xy).all(axis=1)
    used = sorted({i for limb in LIMBS for i in limb} | {INDEX["nose"]})
    pts = xy[[i for i in used if ok[i]]]
    if len(pts) < 4:
        return pictogram_svg(parts, title)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = float(max(hi[0] - lo[0], (hi[1] - lo[1]) / 1.2, 1.0))
    # Fit the body in a 100 x 120 box, centred, with room for the head circle.
    scale = 84.0 / span
    centre = (lo + hi) / 2
    p = (xy - centre) * scale + (50.0, 62.0)
    hot = set(parts)
    lines = []
    for a, b in LIMBS:
        if not (ok[a] and ok[b]):
            continue
        part = _part_of_limb(a, b)
        if part == "head":
            continue  # drawn as a circle
        colour = HIGHLIGHT if part in hot else COACH
        lines.append(f'<line x1="{p[a, 0]:.1f}" y1="{p[a, 1]:.1f}" x2="{p[b, 0]:.1f}" y2="{p[b, 1]:.1f}" stroke="{colour}" />')
    head = ""
    nose = INDEX["nose"]
    if ok[nose]:
        sh = [i for i in (INDEX["left_shoulder"], INDEX["right_shoulder"]) if ok[i]]
        r = 9.0
        if len(sh) == 2:
            r = float(np.clip(np.linalg.norm(p[sh[0]] - p[sh[1]]) * 0.33, 5.0, 12.0))
        colour = HIGHLIGHT if "head" in hot else COACH
        head = f'<circle cx="{p[nose, 0]:.1f}" cy="{p[nose, 1]:.1f}" r="{r:.1f}" fill="{colour}" />'
    return (
        f'<svg class="pose coach" viewBox="0 0 100 122" role="img" aria-label="{_esc(title or "coach pose")}">'
        f'<g stroke-width="6" stroke-linecap="round" fill="none">{"".join(lines)}</g>{head}</svg>'
    )


# Authored pictograms are embedded in the report; keep a page light and refuse anything odd.
MAX_PICTOGRAM_BYTES = 512 * 1024
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class CoachPoses:
    """The coach's figure for each move of a choreography, for reports.

    In order of preference: the move's authored ``pictogram`` image (drawn from the
    coach, never the child), the coach's skeleton from the reference ``pose_track`` at the
    middle of the move, a generic stick figure with the scored parts highlighted. Anything
    missing or broken (file moved, unreadable YAML, track or image) just falls back to the
    next: a report must still render.

    Images are embedded once each, as CSS classes (``css()``), however often a move is shown.
    """

    def __init__(self, choreography_path: str | None) -> None:
        doc, folder = _load_choreography(choreography_path) if choreography_path else (None, None)
        self.track: PoseTrack | None = _load_track(choreography_path) if choreography_path else None
        self._moves: list[tuple[str, str | None]] = []  # (name, pictogram path relative to folder)
        self._folder = folder
        if isinstance(doc, dict) and isinstance(doc.get("moves"), list):
            for m in doc["moves"]:
                m = m if isinstance(m, dict) else {}
                pic = m.get("pictogram")
                self._moves.append((str(m.get("name", "")), pic if isinstance(pic, str) else None))
        self._used: dict[str, str] = {}  # css class -> data URI

    def figure(self, move_index: int, move_name: str, start_s: float | None, end_s: float | None,
               parts: Iterable[str] = (), title: str = "") -> str:
        """HTML for the move's figure (an image-bearing span or an inline SVG)."""
        cls = self._pictogram_class(move_index, move_name)
        if cls is not None:
            return f'<span class="pose pic {cls}" role="img" aria-label="{_esc(title or move_name)}"></span>'
        return self.svg(start_s, end_s, parts, title)

    def css(self) -> str:
        """CSS rules for the pictograms used so far (call after the figures are made)."""
        return "".join(f".{c}{{background-image:url({uri})}}" for c, uri in self._used.items())

    def _pictogram_class(self, move_index: int, move_name: str) -> str | None:
        if self._folder is None or not self._moves:
            return None
        # By index when the choreography still has that move there; else by name.
        if 0 <= move_index < len(self._moves) and self._moves[move_index][0] == move_name:
            k = move_index
        else:
            k = next((i for i, (n, _) in enumerate(self._moves) if n == move_name), -1)
        if k < 0 or self._moves[k][1] is None:
            return None
        cls = f"pic-{k}"
        if cls not in self._used:
            uri = _image_data_uri(self._folder, self._moves[k][1])
            if uri is None:
                return None
            self._used[cls] = uri
        return cls

    def svg(self, start_s: float | None, end_s: float | None, parts: Iterable[str] = (), title: str = "") -> str:
        parts = list(parts)
        lm = self.pose_at(start_s, end_s)
        if lm is None or self.track is None:
            return pictogram_svg(parts, title)
        return coach_svg(lm, self.track.size, parts, title)
    def pose_at(self, start_s: float | None, end_s: float | None) -> np.ndarray | None:
        """(33, 4) landmarks of the found frame nearest the move's middle (within the move)."""
        tr = self.track
        if tr is None or start_s is None or end_s is None or not len(tr):
            return None
        if not (math.isfinite(start_s) and math.isfinite(end_s)):
            return None
        mid = (start_s + end_s) / 2
        found = tr.found
        inside = found & (tr.t >= start_s) & (tr.t <= end_s)
        candidates = np.flatnonzero(inside if inside.any() else found)
        if not len(candidates):
            return None
        i = candidates[np.argmin(np.abs(tr.t[candidates] - mid))]
        if abs(tr.t[i] - mid) > max(1.0, end_s - start_s):
            return None
        return tr.landmarks[i]



@lru_cache(maxsize=8)
def _load_choreography(choreography_path: str) -> tuple[dict | None, Path | None]:
    import yaml

    try:
        path = Path(choreography_path)
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        return (doc if isinstance(doc, dict) else None), path.parent.resolve()
    except Exception:  # noqa: BLE001 - any failure means "no coach figures", by design
        return None, None


def _inside(folder: Path, rel: str) -> Path | None:
    p = (folder / rel).resolve()
    return p if folder in p.parents else None  # paths stay inside the choreography's folder


def _image_data_uri(folder: Path, rel: str) -> str | None:
    import base64

    p = _inside(folder, rel)
    try:
        if p is None or not p.is_file() or p.stat().st_size > MAX_PICTOGRAM_BYTES:
            return None
        data = p.read_bytes()
    except OSError:
        return None
    mime = next((m for magic, m in _IMAGE_MAGIC if data.startswith(magic)), None)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@lru_cache(maxsize=8)
def _load_track(choreography_path: str) -> PoseTrack | None:
    doc, folder = _load_choreography(choreography_path)
    if doc is None or folder is None:
        return None
    rel = doc.get("pose_track")
    if not isinstance(rel, str):
        return None
    track_path = _inside(folder, rel)
    if track_path is None:
        return None
    try:
        return PoseTrack.load(track_path)
    except Exception:  # noqa: BLE001 - a broken track means "no coach skeleton", by design
        return None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
