"""Precision variants of the zoo's models: built once into the cache, hash-checked at load.

``float`` is the zoo's own file (mediapipe's, float16 weights computed in float32), and so
is ``fp16-compute`` (the same file, run with half-precision arithmetic). The other
precisions are built by ``dance models quantize`` from it (pose/quantize.py) into
``<models>/variants/<name>.<precision>.tflite``. Building writes ``manifest.json`` beside
them: each file's size and sha256 plus the sha256 of the zoo file it came from, so a
variant is loaded only if its bytes match what was built, from the model the zoo pins now.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pose import paths, zoo
from pose.errors import ModelError

PRECISIONS = ("float", "fp16-compute", "fp16", "int8-dynamic", "int8-weight", "int8-static", "int8-mixed")
# fp16-compute runs the zoo's own file with XNNPACK's IEEE half-precision arithmetic (a
# runtime flag, pose/runtime.py): nothing to build, the file is float's.
RUNTIME_ONLY = frozenset({"fp16-compute"})
BUILT = tuple(p for p in PRECISIONS[1:] if p not in RUNTIME_ONLY)
DEFAULT_PRECISION = "float"
# The models whose variants `dance models quantize` builds by default: body, face, hands.
DEFAULT_MODELS = ("pose_detection", "pose_landmark_full", "face_detection_short_range",
                  "face_detection_full_range_sparse", "face_landmark", "palm_detection_full",
                  "hand_landmark_full")
# int8-static/-mixed need calibration inputs, which pose/calibration.py makes for the body models.
CALIBRATED = frozenset({"int8-static", "int8-mixed"})
CALIBRATED_MODELS = ("pose_detection", "pose_landmark_full")
MANIFEST_FORMAT = 1
_FIX = "run: dance models quantize"


def check_precision(precision: str) -> str:
    """``precision`` if known, else a one-line ModelError listing the known ones."""
    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    return precision


def file_precision(precision: str) -> str:
    """The precision whose file ``precision`` runs: "float" for the runtime-only ones."""
    return "float" if check_precision(precision) in RUNTIME_ONLY else precision


def variants_dir() -> Path:
    return paths.models_dir() / "variants"


def manifest_path() -> Path:
    return variants_dir() / "manifest.json"


def variant_file(name: str, precision: str) -> str:
    return f"{name}.{precision}.tflite"


@dataclass(frozen=True)
class Entry:
    """One built variant as the manifest records it."""

    name: str
    precision: str
    file: str
    size: int
    sha256: str
    source_sha256: str  # the zoo file it was built from

    @property
    def path(self) -> Path:
        return variants_dir() / self.file


def read_manifest() -> dict[str, Entry]:
    """``"name/precision"`` -> Entry; empty when nothing was built yet."""
    try:
        raw = json.loads(manifest_path().read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ModelError(f"variant manifest {manifest_path()} is unreadable ({e}); {_FIX}") from None
    if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
        raise ModelError(f"variant manifest {manifest_path()} has an unknown format; {_FIX}")
    out = {}
    for key, e in raw.get("variants", {}).items():
        try:
            out[key] = Entry(e["name"], e["precision"], e["file"], int(e["size"]), e["sha256"],
                             e["source_sha256"])
        except (KeyError, TypeError, ValueError):
            raise ModelError(f"variant manifest {manifest_path()}: entry {key} is malformed; {_FIX}") from None
    return out


def _write_manifest(entries: dict[str, Entry], quantizer: str) -> None:
    from pose.fetch import atomic_writer

    doc = {"format": MANIFEST_FORMAT, "quantizer": quantizer,
           "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "variants": {k: vars(e) for k, e in sorted(entries.items())}}
    with atomic_writer(manifest_path()) as f:
        f.write(json.dumps(doc, indent=1).encode())


def read_variant_bytes(name: str, precision: str) -> bytes:
    """A built variant's bytes, checked against the manifest and the zoo's current pin."""
    check_precision(precision)
    if precision == "float":
        raise ValueError("the float model is the zoo's own file (runtime.read_model_bytes)")
    model = zoo.get(name)
    entry = read_manifest().get(f"{name}/{precision}")
    if entry is None:
        if precision in CALIBRATED and name not in CALIBRATED_MODELS:
            raise ModelError(f"there is no {precision} {name}: only the body models "
                             f"({', '.join(CALIBRATED_MODELS)}) are calibrated; pick another --precision")
        raise ModelError(f"no {precision} variant of {name} has been built; {_FIX}")
    if entry.source_sha256 != model.sha256:
        raise ModelError(f"the {precision} variant of {name} was built from another model file; {_FIX}")
    try:
        data = entry.path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"variant {entry.path} is missing; {_FIX}") from None
    except OSError as e:
        raise ModelError(f"variant {entry.path} cannot be read ({e.strerror}); {_FIX}") from None
    if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
        raise ModelError(f"variant {entry.path} is corrupt (size or sha256 differs from the manifest); {_FIX}")
    return data


def status(name: str, precision: str) -> str:
    """verified / missing / corrupt / stale for one variant."""
    try:
        read_variant_bytes(name, precision)
    except ModelError as e:
        msg = str(e)
        if "has been built" in msg or "is missing" in msg:
            return "missing"
        if "another model file" in msg:
            return "stale"
        return "corrupt"
    return "verified"


@dataclass(frozen=True)
class BuildResult:
    """What building one variant did; ``error`` is a one-line reason when it failed."""

    name: str
    precision: str
    size: int = 0
    seconds: float = 0.0
    reused: bool = False
    error: str = ""


def default_precisions(name: str) -> list[str]:
    """What ``dance models quantize`` builds for ``name`` unless told otherwise."""
    return [p for p in BUILT if p not in CALIBRATED or name in CALIBRATED_MODELS]


def build(names: Iterable[str] = DEFAULT_MODELS, precisions: Iterable[str] | None = None,
          force: bool = False, log: Callable[[str], None] | None = None) -> list[BuildResult]:
    """Build every (model, precision) into the cache; skip those already verified.

    precisions: None builds each model's ``default_precisions``.
    """
    from pose import flatbuf, quantize, runtime
    from pose.fetch import atomic_writer

    say = log or (lambda msg: None)
    asked = None if precisions is None else [check_precision(p) for p in precisions if p != "float"]
    entries = read_manifest()
    results = []
    for name in names:
        model = zoo.get(name)
        precisions = default_precisions(name) if asked is None else asked
        todo = [p for p in precisions if force or status(name, p) != "verified"]
        for p in precisions:
            if p not in todo:
                results.append(BuildResult(name, p, entries[f"{name}/{p}"].size, reused=True))
        if not todo:
            continue
        from pose.calibration import calibration_inputs

        original = runtime.read_model_bytes(name)
        float32, report = flatbuf.restore_float32(original)
        say(f"{name}: folded {report.folded} DEQUANTIZE ops into float32 constants "
            f"({report.size_before / 1e6:.1f} -> {report.size_after / 1e6:.1f} MB)")
        for p in todo:
            t0 = time.perf_counter()
            calib = None
            if p in quantize.NEEDS_CALIBRATION:
                calib = calibration_inputs(name)
                if not calib:
                    results.append(BuildResult(name, p, error="no calibration footage for this model "
                                                              "(the calibrated precisions cover the body models)"))
                    continue
                say(f"{name}: calibrating {p} on {len(calib)} real inputs")
            try:
                data = quantize.quantize(float32, p, calib)
            except ModelError as e:
                results.append(BuildResult(name, p, error=str(e)))
                continue
            except Exception as e:  # the quantiser's own failures on an op it cannot handle
                results.append(BuildResult(name, p, error=f"litert-quantizer failed: {type(e).__name__}: "
                                                          f"{str(e).splitlines()[0] if str(e) else ''}"))
                continue
            entry = Entry(name, p, variant_file(name, p), len(data), hashlib.sha256(data).hexdigest(),
                          model.sha256)
            with atomic_writer(entry.path) as f:
                f.write(data)
            entries[f"{name}/{p}"] = entry
            _write_manifest(entries, quantize.quantizer_version())  # after each, so a crash keeps the rest
            results.append(BuildResult(name, p, len(data), time.perf_counter() - t0))
    return results
