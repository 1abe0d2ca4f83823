"""scoring/ is pure numpy: no file, YAML, video or ffmpeg access (content/ does those).

An AST scan of every module, so a stray ``open()`` or ``import cv2`` fails here rather than
in a review.
"""
from __future__ import annotations

import ast
from pathlib import Path

SCORING = Path(__file__).resolve().parents[2] / "scoring"
# Modules whose import means reading files, decoding media or running programs.
FORBIDDEN_MODULES = {"yaml", "cv2", "subprocess", "imageio_ffmpeg", "ffmpeg", "shutil", "zipfile",
                     "tempfile", "glob", "io", "pygame", "sqlite3", "content", "game", "reports",
                     "authoring", "json"}
FORBIDDEN_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob",
                   "mkdir", "unlink", "exists", "is_file", "is_dir", "stat", "load", "save", "loadtxt",
                   "savez", "savez_compressed", "fromfile", "tofile", "system", "popen", "run"}
# Calls with those names that are not I/O: PoseTrack.load is I/O, so "load" stays forbidden.
ALLOWED_CALLS: set[tuple[str, str]] = set()


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            if name.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{path.name}:{node.lineno}: imports {name}")
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in FORBIDDEN_CALLS and (path.stem, name) not in ALLOWED_CALLS:
                found.append(f"{path.name}:{node.lineno}: calls {name}()")
    return found


def test_scoring_reads_no_files():
    modules = sorted(SCORING.rglob("*.py"))
    assert len(modules) >= 8
    problems = [p for m in modules for p in _problems(m)]
    assert not problems, "scoring/ must stay pure numpy:\n" + "\n".join(problems)


def test_the_scan_catches_io(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import yaml\nfrom subprocess import run\nimport numpy as np\n"
                   "def f(p):\n    return open(p).read() + p.read_text()\n")
    found = _problems(bad)
    assert any("imports yaml" in s for s in found) and any("imports subprocess" in s for s in found)
    assert any("calls open()" in s for s in found) and any("calls read_text()" in s for s in found)
    assert not any("numpy" in s for s in found)
