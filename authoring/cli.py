"""Authoring commands: ``dance validate``, ``dance author``, ``dance preview``, ``dance new``.

    dance validate PATH... [--json] [--strict]   files or folders (*.yaml, *.yml, recursively)
    dance author VIDEO -o DIR --bpm N [--offset S] [--title T]
    dance preview CHOREO -o preview.mp4
    dance new DIR --title T [--bpm N]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pose.errors import DanceError


def _find_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Choreography files under the given files/folders, and 'not found' messages."""
    files: list[Path] = []
    problems: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                problems.append(f"{p}: no choreography files (*.yaml, *.yml) in this folder")
            files += found
        elif p.exists():
            files.append(p)
        else:
            problems.append(f"{p}: file not found")
    return files, problems


def validate_paths(paths: list[str], strict: bool = False) -> dict:
    """Validate files/folders; the --json report: {"valid", "files": [...], "problems": [...]}."""
    from content.loader import ChoreographyError, load_choreography

    files, problems = _find_files(paths)
    report = []
    for f in files:
        entry: dict = {"file": str(f)}
        try:
            c = load_choreography(f)
            entry.update(valid=True, title=c.title, moves=len(c.moves), duration_s=round(c.duration_s, 3),
                         errors=[], warnings=[d.to_json() for d in c.warnings])
        except ChoreographyError as e:
            entry.update(valid=False, errors=[d.to_json() for d in e.errors],
                         warnings=[d.to_json() for d in e.warnings])
        if strict and entry["warnings"]:
            entry["valid"] = False
        report.append(entry)
    valid = not problems and all(e["valid"] for e in report)
    return {"valid": valid, "files": report, "problems": problems}


def _diag_line(d: dict) -> str:
    loc = d["file"] if d["line"] is None else f"{d['file']}:{d['line']}:{d['col']}"
    kind = "warning: " if d["severity"] == "warning" else ""
    where = f"{d['path']}: " if d["path"] else ""
    return f"{loc}: {kind}{where}{d['message']}"


def run_validate(args: argparse.Namespace) -> int:
    report = validate_paths(args.paths, strict=args.strict)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0 if report["valid"] else 1
    for p in report["problems"]:
        print(p, file=sys.stderr)
    n_err = n_warn = 0
    for e in report["files"]:
        for d in e["errors"]:
            print(_diag_line(d), file=sys.stderr)
        for d in e["warnings"]:
            print(_diag_line(d), file=sys.stderr)
        n_err += len(e["errors"])
        n_warn += len(e["warnings"])
        if e["valid"]:
            print(f"{e['file']}: ok ({e['moves']} moves, {e['duration_s']:.2f} s)")
    n_bad = sum(not e["valid"] for e in report["files"])
    print(f"{len(report['files'])} file(s): {len(report['files']) - n_bad} valid, {n_bad} invalid; "
          f"{n_err} error(s), {n_warn} warning(s)")
    return 0 if report["valid"] else 1


def run_author(args: argparse.Namespace) -> int:
    from authoring.author import author

    r = author(args.video, args.output, args.bpm, args.offset, args.title,
               beats_per_move=args.beats_per_move, mirror=not args.no_mirror, difficulty=args.difficulty,
               force=args.force, progress=False if args.quiet else None)
    print(f"{r.yaml_path}: {r.moves} moves proposed; track {r.frames} frames, person found in "
          f"{r.detection_rate:.0%} ({r.track_wall_s:.1f} s to track); "
          f"audio: {r.audio.name if r.audio else 'none (silent video: wall clock)'}")
    for note in r.notes:
        print(f"dance author: note: {note}", file=sys.stderr)
    print(f"next: edit {r.yaml_path.name}, then: dance validate {r.yaml_path} && "
          f"dance preview {r.yaml_path} -o preview.mp4")
    return 0


def run_preview(args: argparse.Namespace) -> int:
    from authoring.preview import render_preview

    r = render_preview(args.choreo, args.output, progress=False if args.quiet else None, clicks=args.clicks)
    print(f"{r.path}: {r.frames} frames, {r.size[0]}x{r.size[1]} @ {r.fps:g} fps, sound: {r.sound}")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from authoring.author import new_choreography, new_mode_choreography

    if args.mode != "dance":
        path = new_mode_choreography(args.folder, args.title, args.mode, bpm=args.bpm, force=args.force)
        print(f"{path}: {args.mode} template written; add its media, then: dance validate {path}")
        return 0
    path = new_choreography(args.folder, args.title, bpm=args.bpm, force=args.force)
    print(f"{path}: template written; see {path.parent / 'README.md'} for the next steps")
    return 0


def _bpm(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (0 < v <= 1000):
        raise argparse.ArgumentTypeError("must be > 0 and <= 1000")
    return v


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if v != v or abs(v) > 3600:
        raise argparse.ArgumentTypeError("must be a number of seconds within an hour")
    return v


def _beats(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check choreography files (exit 1 on errors)",
                       description="Check choreography YAML files or folders of them. Errors are "
                       "printed as file:line:col: path: message.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="choreography file or folder")
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.set_defaults(func=run_validate)

    p = sub.add_parser("author", help="make a choreography folder from a coach video",
                       description="Copy VIDEO into DIR, extract its music, track the coach's body, "
                       "propose moves on the beat grid and write a commented YAML.")
    p.add_argument("video", metavar="VIDEO")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="choreography folder to create")
    p.add_argument("--bpm", required=True, type=_bpm, help="tempo in beats per minute")
    p.add_argument("--offset", type=_seconds, default=0.0, metavar="S", help="seconds where beat 0 falls")
    p.add_argument("--title", default=None, help="song title (default: from the file name)")
    p.add_argument("--beats-per-move", type=_beats, default=None, metavar="N",
                   help="length of proposed moves in beats (default: 4, fewer for short videos)")
    p.add_argument("--difficulty", choices=("easy", "normal", "hard"), default="easy")
    p.add_argument("--no-mirror", action="store_true", help="the child does not mirror the coach")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_author)

    p = sub.add_parser("preview", help="render a choreography's chart over its video",
                       description="Write an mp4 of the reference video with the skeleton, beat grid, "
                       "move names and boundaries, and gold moves drawn on it.")
    p.add_argument("choreo", metavar="CHOREO", help="choreography YAML")
    p.add_argument("-o", "--output", required=True, metavar="OUT.mp4")
    p.add_argument("--no-clicks", dest="clicks", action="store_false", help="no click on each beat in the sound")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_preview)

    p = sub.add_parser("new", help="start a choreography folder from a template",
                       description="Write a commented template choreography and a README with the steps "
                       "to finish it.")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--title", required=True)
    p.add_argument("--bpm", type=_bpm, default=120.0)
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.add_argument("--mode", default="dance", metavar="NAME", help="the game mode the song is for (see `dance modes`)")
    p.set_defaults(func=run_new)
