"""A protected build end to end: `dance play --headless` from an encrypted bundle + licence.

The run gets an empty model cache, its own data folder and its own temp folder; a scanner
reads every file in the three while the game runs and after it ends, looking for any
window of the plaintext models. Each bad input is refused with one line, no traceback.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pose import licence, protect, runtime
from pose.samples import sample_path

REPO = Path(__file__).resolve().parents[2]
BODY = (("pose_detection", "float"), ("pose_landmark_full", "float"))


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """A throwaway studio key, a body bundle, and a licence maker for it."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    d = tmp_path_factory.mktemp("studio")
    priv = ed25519.Ed25519PrivateKey.generate()
    res = protect.pack(BODY, d / "body.dsb")

    def make(name: str = "lic.json", **kw) -> Path:
        args = dict(licensee="Test Studio", expires=dt.date.today() + dt.timedelta(days=30),
                    modes=("dance",), models=("*",), bundle_sha256=res.sha256, bundle_key=res.key)
        args.update(kw)
        p = d / name
        p.write_bytes(licence.issue(priv, **args))
        return p

    return {"bundle": res.path, "make": make, "pub": licence.public_hex(priv), "dir": d}


def _windows() -> list[bytes]:
    """64-byte windows spread over each plaintext model (weights are unique to them)."""
    out = []
    for name, _ in BODY:
        raw = runtime.read_model_bytes(name)
        out += [raw[int(len(raw) * f):int(len(raw) * f) + 64] for f in (0.2, 0.4, 0.6, 0.8)]
    return out


def _scan(folders: list[Path], windows: list[bytes]) -> list[str]:
    hits = []
    for folder in folders:
        for p in folder.rglob("*"):
            try:
                if not p.is_file():
                    continue
                data = p.read_bytes()
            except OSError:  # a file removed while we looked
                continue
            if any(w in data for w in windows):
                hits.append(str(p))
    return hits


def _env(tmp_path: Path, pub: str) -> tuple[dict, list[Path]]:
    folders = [tmp_path / "cache", tmp_path / "home", tmp_path / "tmp"]
    for f in folders:
        f.mkdir()
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", DANCE_CACHE=str(folders[0]),
               DANCE_HOME=str(folders[1]), TMPDIR=str(folders[2]), **{licence.PUBKEY_ENV: pub})
    env.pop("DANCE_BUNDLE", None)
    env.pop("DANCE_LICENCE", None)
    return env, folders


def _play(env: dict, *extra: str) -> list[str]:
    return [sys.executable, "-m", "game.cli", "play", "--headless", "--camera",
            str(sample_path("Demo_SinglePerson/cam02.mp4")), "--stop-after", "1", *extra]


@pytest.mark.slow
def test_protected_play_runs_and_leaves_no_plaintext(studio, tmp_path):
    env, folders = _env(tmp_path, studio["pub"])
    windows = _windows()
    lic = studio["make"]()
    proc = subprocess.Popen(_play(env, "--bundle", str(studio["bundle"]), "--licence", str(lic)),
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    hits: list[str] = []
    scans = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            hits.extend(_scan(folders, windows))
            scans[0] += 1
            done.wait(0.1)

    t = threading.Thread(target=watch)
    t.start()
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        done.set()
        t.join()
    assert proc.returncode == 0, err
    assert "dance play:" in out and "points" in out
    assert "Traceback" not in err
    assert scans[0] >= 2, "the scanner must have looked during the run"
    hits += _scan(folders, windows)
    assert not hits, f"plaintext model bytes on disk: {sorted(set(hits))}"
    # The cache stayed empty of models: nothing was fetched or extracted to run.
    assert not any(folders[0].rglob("*.tflite"))


def _flipped(studio, tmp_path) -> Path:
    blob = bytearray(studio["bundle"].read_bytes())
    blob[len(blob) // 3] ^= 0x40
    p = tmp_path / "flipped.dsb"
    p.write_bytes(bytes(blob))
    return p


def _tampered(studio, tmp_path) -> Path:
    p = studio["make"]("tampered.json")
    doc = json.loads(p.read_text())
    doc["licence"]["expires"] = "2999-12-31"
    p.write_text(json.dumps(doc))
    return p


CASES = {
    "flipped byte": (lambda s, t: (_flipped(s, t), s["make"]()), "is damaged"),
    "wrong key": (lambda s, t: (s["bundle"], s["make"]("wrongkey.json", bundle_key=os.urandom(32))), "wrong key"),
    "expired": (lambda s, t: (s["bundle"], s["make"]("old.json", expires=dt.date(2020, 1, 31))), "expired on 2020-01-31"),
    "tampered": (lambda s, t: (s["bundle"], _tampered(s, t)), "not signed by this player's studio key"),
    "mode not allowed": (lambda s, t: (s["bundle"], s["make"]("freeze.json", modes=("freeze",))),
                         "does not allow mode 'dance'"),
    "model not allowed": (lambda s, t: (s["bundle"], s["make"]("nolm.json", models=("pose_detection",))),
                          "does not allow model 'pose_landmark_full'"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_bad_protected_input_is_one_line(studio, tmp_path, case):
    make, expect = CASES[case]
    bundle, lic = make(studio, tmp_path)
    env, folders = _env(tmp_path, studio["pub"])
    p = subprocess.run(_play(env, "--bundle", str(bundle), "--licence", str(lic)), cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=300)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip() and not ln.startswith("note: development build")]
    assert p.returncode != 0
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in p.stderr, p.stderr
    assert "studio" in lines[0]  # who can fix it
    assert not _scan(folders, _windows())
