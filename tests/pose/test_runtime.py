"""pose/runtime.py on the real models (cache filled by `make setup`) and on broken copies."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from pose import runtime, zoo
from pose.errors import ModelError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    (tmp_path / "models").mkdir()
    return tmp_path / "models"


@pytest.fixture(scope="module")
def real() -> dict[str, bytes]:
    # Module scope: read from the real cache before any test points DANCE_CACHE elsewhere.
    names = ("pose_detection", "face_detection_short_range", "hand_landmark_lite")
    return {n: zoo.get(n).path.read_bytes() for n in names}


@pytest.mark.parametrize("name", list(zoo.MODELS))
def test_every_model_loads_and_runs_with_registry_shapes(name):
    spec = zoo.get(name)
    m = runtime.Model(name, threads=2)
    assert {n: m.input_shape(n) for n in m.inputs} == spec.inputs
    assert m.output_shapes() == spec.outputs
    x = np.zeros(m.input_shape(), np.float32)
    out = m.run(x)
    assert {n: a.shape for n, a in out.items()} == spec.outputs
    assert all(np.isfinite(a).all() for a in out.values())


def test_outputs_depend_on_the_input():
    # A real interpreter, not a stub: different pixels give a different pose score.
    m = runtime.Model("pose_landmark_full", threads=1)
    rng = np.random.default_rng(0)
    a = m.run(np.zeros(m.input_shape(), np.float32))["Identity"]
    b = m.run(rng.random(m.input_shape(), np.float32))["Identity"]
    assert a.shape == b.shape == (1, 195) and not np.allclose(a, b)


def test_stepwise_api_matches_run():
    m = runtime.Model("pose_detection")
    x = np.random.default_rng(2).uniform(-1, 1, m.input_shape()).astype(np.float32)
    whole = m.run(x)
    m.set_input(np.zeros_like(x))
    m.invoke()
    zero_scores = m.output("Identity_1")
    m.set_input(x)
    m.invoke()
    assert np.array_equal(m.output("Identity_1"), whole["Identity_1"])
    assert np.array_equal(m.output("Identity"), whole["Identity"])
    assert not np.array_equal(zero_scores, whole["Identity_1"])


def test_in_place_input_and_output_match_the_copying_api():
    m = runtime.Model("selfie_segmentation_landscape", threads=1)
    x = np.random.default_rng(3).uniform(0, 1, m.input_shape()).astype(np.float32)
    name = next(iter(m.outputs))
    whole = m.run(x)[name]

    def fill(buf):
        buf[...] = x

    m.fill_input(fill)
    m.invoke()
    # The callback sees the interpreter's own output; a reduction does not keep a view.
    assert m.use_output(name, lambda o: float(o.sum())) == pytest.approx(float(whole.sum()))
    assert np.array_equal(m.use_output(name, lambda o: o.copy()), whole)
    m.fill_input(lambda buf: buf.fill(0.0))
    m.invoke()  # no view of the interpreter's memory outlives the callbacks
    assert not np.array_equal(m.output(name), whole)


def test_wrong_input_shape_is_a_clear_error():
    m = runtime.Model("selfie_segmentation")
    with pytest.raises(ValueError, match=r"wants shape \(1, 256, 256, 3\), got \(256, 256, 3\)"):
        m.run(np.zeros((256, 256, 3), np.float32))


def test_threads_must_be_positive():
    with pytest.raises(ValueError, match="threads"):
        runtime.Model("selfie_segmentation", threads=0)


def test_model_from_caller_bytes_skips_the_cache(cache, real):
    data = real["face_detection_short_range"]
    m = runtime.Model("face_detection_short_range", data=data)  # e.g. decrypted in memory
    assert m.run(np.zeros(m.input_shape(), np.float32))["regressors"].shape == (1, 896, 16)


def test_missing_model_names_file_and_fix(cache):
    with pytest.raises(ModelError, match=r"pose_detection\.tflite is missing .*dance models fetch"):
        runtime.Model("pose_detection")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "one_byte_flipped"])
def test_corrupt_model_on_disk_names_file_and_fix(cache, real, damage):
    data = real["pose_detection"]
    bad = {
        "truncated": data[: len(data) // 2],
        "garbage": np.random.default_rng(1).bytes(len(data)),
        "one_byte_flipped": data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:],
    }[damage]
    (cache / "pose_detection.tflite").write_bytes(bad)
    with pytest.raises(ModelError) as e:
        runtime.Model("pose_detection")
    msg = str(e.value)
    assert str(cache / "pose_detection.tflite") in msg and "corrupt" in msg
    assert msg.endswith("run: dance models fetch") and "\n" not in msg


@pytest.mark.parametrize("bad", [b"", b"garbage" * 100, "half"])
def test_unloadable_bytes_are_a_model_error_not_a_traceback(real, bad):
    data = real["pose_detection"]
    content = data[: len(data) // 2] if bad == "half" else bad
    with pytest.raises(ModelError, match=r"pose_detection\.tflite .*dance models fetch") as e:
        runtime.Model("pose_detection", data=content)
    assert "\n" not in str(e.value)


def test_truncated_file_unverified_still_fails_cleanly(cache, real):
    data = real["hand_landmark_lite"]
    (cache / "hand_landmark_lite.tflite").write_bytes(data[:100_000])
    raw = runtime.read_model_bytes("hand_landmark_lite", verify=False)
    assert len(raw) == 100_000
    with pytest.raises(ModelError, match="cannot be loaded"):
        runtime.Model("hand_landmark_lite", data=raw)


def test_unknown_model_is_a_model_error():
    with pytest.raises(ModelError, match="unknown model 'pose_landmark_heavy'"):
        runtime.Model("pose_landmark_heavy")


def _block(monkeypatch, *modules):
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)  # makes `import m` raise ImportError


def test_no_runtime_at_all_says_what_to_install(monkeypatch):
    _block(monkeypatch, "ai_edge_litert", "ai_edge_litert.interpreter",
           "tflite_runtime", "tflite_runtime.interpreter")
    with pytest.raises(ModelError, match="pip install ai-edge-litert"):
        runtime.Model("selfie_segmentation")


def test_falls_back_to_tflite_runtime(monkeypatch):
    # tflite_runtime is not installable on this Python; stand in the real LiteRT interpreter
    # under its name (same API) to prove the import order, not to fake inference.
    from ai_edge_litert.interpreter import Interpreter

    pkg = types.ModuleType("tflite_runtime")
    sub = types.ModuleType("tflite_runtime.interpreter")
    sub.Interpreter = type("Interpreter", (Interpreter,), {"__module__": "tflite_runtime.interpreter"})
    pkg.interpreter = sub
    monkeypatch.setitem(sys.modules, "tflite_runtime", pkg)
    monkeypatch.setitem(sys.modules, "tflite_runtime.interpreter", sub)
    assert runtime.backend() == "ai_edge_litert.interpreter"  # preferred when present
    _block(monkeypatch, "ai_edge_litert", "ai_edge_litert.interpreter")
    assert runtime.backend() == "tflite_runtime.interpreter"
    m = runtime.Model("selfie_segmentation")
    assert m.run(np.zeros(m.input_shape(), np.float32))["activation_10"].shape == (1, 256, 256, 1)


def test_copy_in_another_cache_verifies(cache, real):
    (cache / "pose_detection.tflite").write_bytes(real["pose_detection"])
    assert zoo.get("pose_detection").path.parent == cache
    assert runtime.read_model_bytes("pose_detection") == real["pose_detection"]
