"""Post-training quantisation of the zoo's models with Google's ``litert-quantizer``.

Each precision is one recipe applied to the float32 model that ``flatbuf.restore_float32``
rebuilt from mediapipe's float16-weights file (the quantiser finds nothing to do on the
original: its weights hide behind DEQUANTIZE ops).

- ``fp16``: weights cast to float16, computed in float32 (``float_casting``);
- ``int8-weight``: int8 per-channel weights, dequantised to float32 at load (weight-only);
- ``int8-dynamic``: int8 per-channel weights; activations quantised on the fly so convs
  and fully connected layers run integer kernels (dynamic range);
- ``int8-static``: int8 weights and activations, ranges calibrated on real footage (the
  float pipeline's own model inputs on sample videos the fidelity benchmark does not
  use); graph inputs and outputs stay float32 so callers see no difference;
- ``int8-mixed``: int8-static for the high-resolution layers, where nearly all the
  multiply-accumulates are, and float32 for every op whose output is at most
  ``MIXED_FLOAT_MAX_SIDE_PX`` wide (the deep trunk and the regression heads, where int8
  costs the landmarks most accuracy for little time).

``litert-quantizer`` is an optional extra (``pip install dancestudio[quantize]``), imported
only here and only when building: the player loads the built files with the runtime alone.
"""
from __future__ import annotations

import contextlib
import io
import os
from typing import Any

import numpy as np

from pose.errors import ModelError

# Ops whose weights the recipes quantise; the rest of each graph stays float32.
_WEIGHT_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "CONV_2D_TRANSPOSE")


def _int8(compute: str, explicit_dequantize: bool) -> list[dict[str, Any]]:
    return [{
        "regex": ".*",
        "operation": op,
        "algorithm_key": "min_max_uniform_quantize",
        "op_config": {
            "weight_tensor_config": {"num_bits": 8, "symmetric": True, "granularity": "CHANNELWISE",
                                     "dtype": "INT"},
            "compute_precision": compute,
            "explicit_dequantize": explicit_dequantize,
            "skip_checks": False,
            "min_weight_elements": 0,
        },
    } for op in _WEIGHT_OPS]


def _fp16() -> list[dict[str, Any]]:
    return [{
        "regex": ".*",
        "operation": op,
        "algorithm_key": "float_casting",
        "op_config": {
            "weight_tensor_config": {"num_bits": 16, "dtype": "FLOAT"},
            "compute_precision": "FLOAT",
            "explicit_dequantize": True,
            "skip_checks": False,
            "min_weight_elements": 0,
        },
    } for op in _WEIGHT_OPS]


def _static() -> list[dict[str, Any]]:
    act = {"num_bits": 8, "symmetric": False, "granularity": "TENSORWISE", "dtype": "INT"}
    weight = {"num_bits": 8, "symmetric": True, "granularity": "CHANNELWISE", "dtype": "INT"}
    rules: list[dict[str, Any]] = [{
        "regex": ".*", "operation": "*", "algorithm_key": "min_max_uniform_quantize",
        "op_config": {"activation_tensor_config": act, "weight_tensor_config": weight,
                      "compute_precision": "INTEGER", "explicit_dequantize": False,
                      "skip_checks": False, "min_weight_elements": 0},
    }]
    # Later rules win: keep the graph's own inputs and outputs float32.
    rules += [{"regex": ".*", "operation": io, "algorithm_key": "no_quantize", "op_config": {}}
              for io in ("INPUT", "OUTPUT")]
    return rules


MIXED_FLOAT_MAX_SIDE_PX = 4


def _mixed(float32_model: bytes) -> list[dict[str, Any]]:
    """int8-static, then a float rule for each low-resolution op, matched by its exact scope."""
    import re

    from pose import flatbuf

    model = flatbuf.read(float32_model)
    sg = model.subgraphs[0]
    rules = _static()
    keep_float = []
    for op in sg.operators:
        outs = [sg.tensors[i] for i in (op.outputs or []) if i >= 0]
        if not outs:
            continue
        shape = [int(v) for v in (outs[0].shape if outs[0].shape is not None else [])]
        if len(shape) != 4 or shape[1] <= MIXED_FLOAT_MAX_SIDE_PX:
            names = [t.name.decode() if isinstance(t.name, bytes) else str(t.name) for t in outs]
            # The quantiser's op scope is the output names joined by ";" plus a trailing ";";
            # anchoring matters: fused names repeat inside other ops' names.
            keep_float.append("^" + re.escape(";".join(names) + ";") + "$")
    return rules[:1] + [{"regex": rx, "operation": "*", "algorithm_key": "no_quantize", "op_config": {}}
                        for rx in keep_float] + rules[1:]


RECIPES = {
    "fp16": _fp16,
    "int8-weight": lambda: _int8("FLOAT", True),
    "int8-dynamic": lambda: _int8("INTEGER", False),
    "int8-static": _static,
    "int8-mixed": _mixed,
}
NEEDS_CALIBRATION = frozenset({"int8-static", "int8-mixed"})
_NEEDS_MODEL = frozenset({"int8-mixed"})  # recipes computed from the model's own graph


def quantizer_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("litert-quantizer")
    except PackageNotFoundError:
        return "not installed"


def quantize(float32_model: bytes, precision: str,
             calibration: list[dict[str, np.ndarray]] | None = None) -> bytes:
    """The float32 model quantised with ``precision``'s recipe (bytes in, bytes out).

    calibration: model inputs by input tensor name, for the precisions that need ranges.
    """
    if precision not in RECIPES:
        raise ModelError(f"no quantisation recipe for {precision!r}; known: {', '.join(RECIPES)}")
    try:
        from litert_quantizer import quantizer as lq
    except ImportError:
        raise ModelError("building quantised models needs litert-quantizer: "
                         "pip install 'dancestudio[quantize]' (make setup installs it)") from None
    # The quantiser prints a size/time report and absl log lines; keep our CLI's output ours.
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(null):
        recipe = RECIPES[precision](float32_model) if precision in _NEEDS_MODEL else RECIPES[precision]()
        q = lq.Quantizer(bytearray(float32_model), recipe)
        qsv = None
        if precision in NEEDS_CALIBRATION:
            if not calibration:
                raise ModelError(f"{precision} needs calibration inputs")
            qsv = q.calibrate({"serving_default": calibration}, num_threads=1)
        result = q.quantize(qsv, enable_progress_bar=False, enable_progress_report=False)
    out = result.quantized_model
    if not out:
        raise ModelError(f"litert-quantizer returned no model for {precision}")
    return bytes(out)
