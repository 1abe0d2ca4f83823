"""Float32 restore, quantised variants and their manifest, on the real (small) zoo models."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from pose import flatbuf, quantize, runtime, variants, zoo
from pose.errors import ModelError

SMALL = "face_detection_short_range"  # 230 KB: fast to fold and quantise


@pytest.fixture(scope="module")
def original() -> bytes:
    return runtime.read_model_bytes(SMALL)


@pytest.fixture(scope="module")
def frame_input() -> np.ndarray:
    """A real frame (a person, from the sample footage) as the face detector's input."""
    import cv2

    from pose.samples import sample_path

    cap = cv2.VideoCapture(str(sample_path("Demo_SinglePerson/cam01.mp4")))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    rgb = cv2.cvtColor(cv2.resize(bgr, (128, 128)), cv2.COLOR_BGR2RGB)
    return (rgb.astype(np.float32) / 127.5 - 1.0)[None]


def _outputs(data: bytes, x: np.ndarray) -> dict[str, np.ndarray]:
    return runtime.Model(SMALL, threads=1, data=data).run(x)


def test_restore_float32_folds_every_dequantize_and_keeps_the_answers(original, frame_input):
    f32, report = flatbuf.restore_float32(original)
    assert report.folded == flatbuf.op_counts(original)["DEQUANTIZE"] > 0
    assert "DEQUANTIZE" not in flatbuf.op_counts(f32)
    assert "FLOAT16" not in flatbuf.weight_types(f32)
    a, b = _outputs(original, frame_input), _outputs(f32, frame_input)
    assert a.keys() == b.keys()  # output names unchanged
    assert max(float(np.abs(a[k] - b[k]).max()) for k in a) <= 1e-5


def test_restore_float32_densifies_sparse_weights():
    data = runtime.read_model_bytes("pose_detection")  # sparse float16 behind DENSIFY
    assert flatbuf.op_counts(data)["DENSIFY"] > 0
    f32, _ = flatbuf.restore_float32(data)
    assert not {"DENSIFY", "DEQUANTIZE"} & set(flatbuf.op_counts(f32))
    x = np.random.default_rng(0).random((1, 224, 224, 3), np.float32) * 2 - 1
    a = runtime.Model("pose_detection", threads=1, data=data).run(x)
    b = runtime.Model("pose_detection", threads=1, data=f32).run(x)
    assert max(float(np.abs(a[k] - b[k]).max()) for k in a) <= 1e-4


@pytest.mark.parametrize("precision, weight_type, max_ratio", [
    ("fp16", "FLOAT16", 0.6), ("int8-weight", "INT8", 0.4), ("int8-dynamic", "INT8", 0.4)])
def test_quantised_variants_shrink_and_stay_close(original, frame_input, precision, weight_type, max_ratio):
    f32, _ = flatbuf.restore_float32(original)
    q = quantize.quantize(f32, precision)
    types = flatbuf.weight_types(q)
    assert types[weight_type] > 0.8 * sum(types.values())  # the weights really are converted
    assert len(q) < max_ratio * len(f32)
    a, b = _outputs(f32, frame_input), _outputs(q, frame_input)
    scores_a = 1 / (1 + np.exp(-np.clip(a["classificators"], -50, 50)))
    scores_b = 1 / (1 + np.exp(-np.clip(b["classificators"], -50, 50)))
    assert float(np.abs(scores_a - scores_b).max()) < 0.1


@pytest.fixture
def cache(tmp_path, monkeypatch, original):
    monkeypatch.setenv("DANCE_CACHE", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / zoo.get(SMALL).file).write_bytes(original)
    yield tmp_path
    runtime.set_default_precision(None)


def test_build_writes_a_manifest_and_loads_verified(cache, frame_input):
    res = variants.build([SMALL], ["int8-weight"])
    assert [r.error for r in res] == [""]
    doc = json.loads(variants.manifest_path().read_text())
    entry = doc["variants"][f"{SMALL}/int8-weight"]
    assert entry["source_sha256"] == zoo.get(SMALL).sha256 and len(entry["sha256"]) == 64
    m = runtime.Model(SMALL, threads=1, precision="int8-weight")
    assert m.precision == "int8-weight" and m.run(frame_input)["regressors"].shape == (1, 896, 16)
    # The process default reaches every model built without an explicit precision.
    runtime.set_default_precision("int8-weight")
    assert runtime.Model(SMALL, threads=1).precision == "int8-weight"
    # A second build only verifies.
    assert variants.build([SMALL], ["int8-weight"])[0].reused


def test_corrupt_missing_and_stale_variants_are_one_line(cache):
    variants.build([SMALL], ["fp16"])
    path = variants.variants_dir() / variants.variant_file(SMALL, "fp16")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="corrupt.*dance models quantize"):
        runtime.Model(SMALL, precision="fp16")
    path.unlink()
    with pytest.raises(ModelError, match="is missing.*dance models quantize"):
        runtime.Model(SMALL, precision="fp16")
    with pytest.raises(ModelError, match="no int8-dynamic variant .* has been built"):
        runtime.Model(SMALL, precision="int8-dynamic")
    doc = json.loads(variants.manifest_path().read_text())
    doc["variants"][f"{SMALL}/fp16"]["source_sha256"] = "0" * 64
    variants.manifest_path().write_text(json.dumps(doc))
    with pytest.raises(ModelError, match="built from another model file"):
        runtime.Model(SMALL, precision="fp16")
    with pytest.raises(ModelError, match="unknown precision 'int4'"):
        runtime.Model(SMALL, precision="int4")


def test_cli_quantize_and_ops(cache, capsys):
    from game.cli import main

    assert main(["models", "quantize", "--models", SMALL, "--precision", "fp16"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 variants verified" in out
    assert main(["models", "ops", "--models", SMALL]) == 0
    out = capsys.readouterr().out
    assert "CONV_2D" in out and "union over 1 models" in out
    assert main(["models", "ops", "--models", SMALL, "--precision", "fp16", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["models"][SMALL]["CONV_2D"] > 0
    shutil.rmtree(variants.variants_dir())
    assert main(["models", "ops", "--models", SMALL, "--precision", "fp16"]) == 1


def test_mixed_recipe_keeps_exactly_the_low_resolution_ops_float(original):
    import re

    f32, _ = flatbuf.restore_float32(original)
    rules = quantize.RECIPES["int8-mixed"](f32)
    assert rules[0]["op_config"]["compute_precision"] == "INTEGER"
    floats = [r["regex"] for r in rules if r["algorithm_key"] == "no_quantize" and r["operation"] == "*"]
    model = flatbuf.read(f32)
    sg = model.subgraphs[0]
    scopes = [";".join(sg.tensors[i].name.decode() for i in op.outputs) + ";" for op in sg.operators]
    small = [s for s, op in zip(scopes, sg.operators)
             if len(sg.tensors[op.outputs[0]].shape) != 4
             or sg.tensors[op.outputs[0]].shape[1] <= quantize.MIXED_FLOAT_MAX_SIDE_PX]
    assert len(floats) == len(small) > 0
    for rx in floats:  # each rule names one op, never a prefix or part of another's name
        assert sum(bool(re.search(rx, s)) for s in scopes) == 1
