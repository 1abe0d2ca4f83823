"""``dance author`` and ``dance new``: make a choreography folder.

author: copy the coach video into the folder, extract its music (.ogg; none for a silent
video), track the coach's body with the real BodyTracker (every frame, smoothing on),
propose moves on the beat grid, and write a commented YAML that validates.
new: a template folder for an author starting from scratch (README says what to add).
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pose.errors import DanceError
from content import fields as F
from content.schema import schema_text, shipped_schema_path

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class AuthorResult:
    yaml_path: Path
    video: Path
    audio: Path | None
    track: Path
    frames: int
    detection_rate: float
    moves: int
    track_wall_s: float
    notes: tuple[str, ...] = ()  # plain-words warnings for the author (too short, coach often lost)


# A dance a child can follow has room for several moves; below this much dancing the draft
# is a sketch, and the author is told so (with what the video does allow).
DANCE_MIN_S = 20.0
FOUND_MIN = 0.8


def author_notes(duration_s: float, bpm: float, offset_s: float, moves: int, detection_rate: float) -> list[str]:
    """What the author should know about the draft, in plain words (empty: nothing)."""
    notes = []
    beats = max(0.0, (duration_s - max(offset_s, 0.0)) * bpm / 60.0)
    if duration_s < DANCE_MIN_S:
        want_beats = int(math.ceil(DANCE_MIN_S * bpm / 60.0))
        notes.append(
            f"the video is too short for a dance: {duration_s:.1f} s is {beats:.0f} beat{'s' * (round(beats) != 1)} "
            f"at {bpm:g} bpm, room for only {moves} move{'s' * (moves != 1)}; a dance children can follow needs "
            f"at least {DANCE_MIN_S:.0f} s (about {want_beats} beats, {want_beats // 4} moves of 4 beats) - "
            f"film a longer take, whole body in view")
    if detection_rate < FOUND_MIN:
        notes.append(f"the coach was found in only {detection_rate:.0%} of the frames; moves where nobody is seen "
                     f"are left out - film with the whole body in view and good light")
    return notes


def slug(text: str) -> str:
    """A file-name-safe ASCII name: 'Bunny Hop!' -> 'bunny_hop'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()
    return s or "choreography"


def _num(v: float) -> str:
    v = float(v)
    if v.is_integer():
        return str(int(v))
    return f"{v:.6g}"


def render(template: str, **values: object) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML, not HTML: strings are quoted by the q filter
    )
    # JSON strings are valid YAML double-quoted scalars: any title or tip stays one string.
    env.filters["q"] = lambda s: json.dumps(str(s), ensure_ascii=False)
    env.filters["num"] = _num
    return env.get_template(template).render(**values)


def schema_line_for(folder: Path) -> str:
    """The yaml-language-server line for a choreography in ``folder``.

    A folder inside choreographies/ points at the shared ../choreography.schema.json;
    elsewhere a copy of the schema is written into the folder so it is self-contained.
    """
    folder = folder.resolve()
    shared = folder.parent / F.SCHEMA_FILE
    if shared.is_file() or folder.parent == shipped_schema_path().parent:
        return F.SCHEMA_COMMENT_PREFIX + "../" + F.SCHEMA_FILE
    (folder / F.SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    return F.SCHEMA_COMMENT_PREFIX + F.SCHEMA_FILE


def _prepare_folder(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise DanceError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise DanceError(f"{out_dir}: folder is not empty (use --force to write into it)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DanceError(f"cannot create {out_dir}: {e.strerror or e}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise DanceError(f"{out_dir}: folder is not writable")


def author(video: str | Path, out_dir: str | Path, bpm: float, offset_s: float = 0.0,
           title: str | None = None, *, beats_per_move: int | None = None, mirror: bool = True,
           difficulty: str = "easy", force: bool = False, progress: bool | None = None) -> AuthorResult:
    """Make a choreography folder from a coach video. Raises DanceError on bad input.

    On any failure the files this run wrote are removed (and the folder, if it made it).
    """
    from content.media import probe_video

    video, out_dir = Path(video), Path(out_dir)
    if not video.is_file():
        raise DanceError(f"{video}: video not found")
    if not (bpm > 0 and bpm <= 1000):
        raise DanceError(f"--bpm must be in (0, 1000], got {bpm:g}")
    if not (-3600 <= offset_s <= 3600):
        raise DanceError(f"--offset must be within an hour, got {offset_s:g}")
    if difficulty not in F.DIFFICULTIES:
        raise DanceError(f"difficulty must be one of {', '.join(F.DIFFICULTIES)}")
    frames, fps = probe_video(video)  # VideoError before any work if it is not a video
    fresh = not out_dir.exists()
    _prepare_folder(out_dir, force)
    before = set(out_dir.iterdir())
    try:
        return _author_into(video, out_dir, frames, fps, bpm, offset_s, title, beats_per_move, mirror,
                            difficulty, progress)
    except BaseException:
        # Leave no half-made choreography behind: remove what this run wrote.
        for p in set(out_dir.iterdir()) - before:
            if p.is_file() or p.is_symlink():
                p.unlink(missing_ok=True)
        if fresh:
            try:
                out_dir.rmdir()
            except OSError:
                pass
        raise


def _author_into(video: Path, out_dir: Path, frames: int, fps: float, bpm: float, offset_s: float,
                 title: str | None, beats_per_move: int | None, mirror: bool, difficulty: str,
                 progress: bool | None) -> AuthorResult:
    from authoring.audio import extract_audio
    from authoring.propose import propose_moves
    from pose.cli_track import track_video
    from content.loader import load_choreography

    title = title or video.stem.replace("_", " ").title()
    stem = slug(out_dir.resolve().name)
    video_dst = out_dir / f"{stem}{video.suffix.lower() or '.mp4'}"
    if video.resolve() != video_dst.resolve():
        shutil.copyfile(video, video_dst)
    audio = extract_audio(video_dst, out_dir / f"{stem}.ogg")

    track, run = track_video(video_dst, smooth=True, progress=progress)
    track_path = track.save(out_dir / f"{stem}.npz")

    duration_s = len(track) / track.fps if len(track) else frames / fps
    proposed = propose_moves(track, bpm, offset_s, duration_s, beats_per_move)
    if not proposed:
        if len(track) and not track.found.any():
            reason = "nobody was found in the video"
        elif (duration_s - max(offset_s, 0.0)) * bpm / 60.0 < 1.0 and offset_s >= 0:
            reason = (f"the video is too short: {duration_s:.2f} s is less than one beat at {bpm:g} bpm after "
                      f"offset {offset_s:g} s; film at least {DANCE_MIN_S:.0f} s of dancing")
        else:
            reason = "the coach hardly moves; start from a template instead: dance new"
        raise DanceError(f"cannot propose any move: {reason}")

    yaml_path = out_dir / f"{stem}.yaml"
    text = render(
        "choreography.yaml.j2",
        schema_line=schema_line_for(out_dir),
        source_name=video.name,
        yaml_name=yaml_path.name,
        title=title,
        artist=None,
        video=video_dst.name,
        audio=audio.name if audio else None,
        pose_track=track_path.name,
        bpm=bpm,
        offset=offset_s,
        mirror=mirror,
        difficulty=difficulty,
        moves=[dict(name=m.name, start_beat=m.start_beat, beats=m.beats, parts=m.parts, gold=m.gold,
                    tip=m.tip, start_s=offset_s + m.start_beat * 60.0 / bpm,
                    end_s=offset_s + (m.start_beat + m.beats) * 60.0 / bpm) for m in proposed],
    )
    yaml_path.write_text(text, encoding="utf-8")
    load_choreography(yaml_path)  # what we wrote must validate; a failure here is our bug
    notes = author_notes(duration_s, bpm, offset_s, len(proposed), track.detection_rate)
    return AuthorResult(yaml_path, video_dst, audio, track_path, len(track), track.detection_rate,
                        len(proposed), run.wall_s, tuple(notes))


NEW_README = """# {title}

A DanceStudio choreography, started with `dance new`. To finish it:

1. Put the coach video in this folder as `video.mp4` (filmed facing the camera, whole body
   in view, steady camera).
2. Make the coach's pose track:          `dance track video.mp4 -o video.npz`
3. Optional: the music as `music.ogg`, then uncomment `audio:` in {yaml}.
4. Set `bpm` and `offset` (the second where beat 0 falls) and write the moves.
5. Check it:                             `dance validate {yaml}`
6. Check the timing by eye:              `dance preview {yaml} -o preview.mp4`

Quicker: `dance author VIDEO -o FOLDER --bpm N` does steps 1-4 for you from a video.
"""


def new_choreography(out_dir: str | Path, title: str, bpm: float = 120.0, force: bool = False) -> Path:
    """A template folder: commented YAML (video.mp4 / video.npz expected) and a README."""
    out_dir = Path(out_dir)
    if not (bpm > 0 and bpm <= 1000):
        raise DanceError(f"--bpm must be in (0, 1000], got {bpm:g}")
    _prepare_folder(out_dir, force)
    yaml_path = out_dir / f"{slug(out_dir.resolve().name)}.yaml"
    moves = [
        dict(name="Wave hello", start_beat=0, beats=4, parts=("left_arm", "right_arm"), gold=False,
             tip="Wave both hands high!", start_s=0.0, end_s=4 * 60.0 / bpm),
        dict(name="Big jump", start_beat=4, beats=4, parts=(), gold=True,
             tip="Jump as high as you can!", start_s=4 * 60.0 / bpm, end_s=8 * 60.0 / bpm),
    ]
    yaml_path.write_text(render(
        "choreography.yaml.j2", schema_line=schema_line_for(out_dir), source_name=None,
        yaml_name=yaml_path.name, title=title, artist=None, video="video.mp4", audio=None,
        pose_track="video.npz", bpm=bpm, offset=0.0, mirror=True, difficulty="easy", moves=moves,
    ), encoding="utf-8")
    (out_dir / "README.md").write_text(NEW_README.format(title=title, yaml=yaml_path.name), encoding="utf-8")
    return yaml_path


def new_mode_choreography(out_dir: str | Path, title: str, mode: str, bpm: float = 120.0,
                          force: bool = False) -> Path:
    """A template for another game mode's song, from that mode's own ``template``."""
    from game.modes import get

    m = get(mode)
    if m.template is None:
        if m.content_kind != m.name:
            raise DanceError(f"mode '{mode}' plays the {m.content_kind} songs: make one with "
                             f"`dance new DIR --mode {m.content_kind}`")
        raise DanceError(f"mode '{mode}' has no template; start from one of its songs (dance modes)")
    if not (bpm > 0 and bpm <= 1000):
        raise DanceError(f"--bpm must be in (0, 1000], got {bpm:g}")
    out_dir = Path(out_dir)
    _prepare_folder(out_dir, force)
    yaml_path = out_dir / f"{slug(out_dir.resolve().name)}.yaml"
    text = m.template(title, bpm)
    first, _, rest = text.partition("\n")
    if first.startswith("# yaml-language-server"):
        text = schema_line_for(out_dir) + "\n" + rest
    yaml_path.write_text(text, encoding="utf-8")
    return yaml_path
