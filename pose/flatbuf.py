"""Read and rewrite LiteRT (.tflite) flatbuffers: fold float16 weights, list ops and MACs.

Mediapipe's models keep their weights as float16 constants behind DEQUANTIZE ops. A
post-training quantiser sees no float32 weights there and leaves the model as it is, so
``restore_float32`` first folds every DEQUANTIZE of a constant into a float32 constant
(the same numbers the runtime computed at load), rewires its consumers and drops the op.

``without_outputs`` cuts outputs a pipeline never reads, and the ops only they need, out
of a graph (the body landmark model's segmentation branch when segmentation is off).

``op_inventory`` lists each operator with an estimate of its multiply-accumulates from
tensor shapes, the fallback profile where the runtime exposes no per-op timings.

Uses the flatbuffer schema bundled with ``ai-edge-litert`` (the runtime we already ship),
imported lazily: the player needs it only to cut a graph down at load.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from pose.errors import ModelError

# TensorType codes of the schema that matter here.
_FLOAT32 = 0
_FLOAT16 = 1
_NP_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 7: np.int16,
             9: np.int8, 10: np.float64}


def _schema() -> tuple[Any, Any]:
    try:
        from ai_edge_litert import schema_py_generated as schema
        from ai_edge_litert.tools import flatbuffer_utils as fb
    except ImportError:
        raise ModelError("reading model graphs needs ai-edge-litert's schema: pip install ai-edge-litert") from None
    return schema, fb


def _op_names(schema: Any) -> dict[int, str]:
    return {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}


def read(data: bytes) -> Any:
    """The model's object tree (schema ``ModelT``) from its bytes."""
    _, fb = _schema()
    try:
        return fb.read_model_from_bytearray(bytearray(data))
    except Exception as e:  # the generated code raises whatever the bytes provoke
        raise ModelError(f"not a LiteRT model ({type(e).__name__}: {e})") from None


def write(model: Any) -> bytes:
    _, fb = _schema()
    return bytes(fb.convert_object_to_bytearray(model))


def _opcode_name(model: Any, names: dict[int, str], op: Any) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    if names.get(builtin) == "CUSTOM":
        cc = code.customCode
        return "CUSTOM:" + (cc.decode() if isinstance(cc, bytes) else str(cc))
    return names.get(builtin, f"OP{builtin}")


def _is_const(model: Any, tensor: Any) -> bool:
    buf = model.buffers[tensor.buffer] if tensor.buffer < len(model.buffers) else None
    return buf is not None and buf.data is not None and len(buf.data) > 0


def _buffer_array(model: Any, tensor: Any) -> np.ndarray | None:
    if not _is_const(model, tensor) or tensor.sparsity is not None:
        return None
    buf = model.buffers[tensor.buffer]
    dtype = _NP_TYPES.get(tensor.type)
    if dtype is None:
        return None
    shape = [int(s) for s in (tensor.shape if tensor.shape is not None else [])]
    return np.frombuffer(bytes(buf.data), dtype=dtype).reshape(shape)


@dataclass(frozen=True)
class FoldReport:
    """What ``restore_float32`` changed: DEQUANTIZE ops folded, bytes before and after."""

    folded: int
    size_before: int
    size_after: int


def restore_float32(data: bytes) -> tuple[bytes, FoldReport]:
    """Fold each DEQUANTIZE of a constant float16 tensor into a float32 constant.

    A sparse constant (DENSIFY -> DEQUANTIZE, as in the detectors) takes its dense values
    from the runtime itself: one invoke with every tensor preserved, so the densified
    numbers are exactly the ones the model computes at load. Returns the rewritten model
    and what was done; tensors, ops and buffers left unused are dropped.
    """
    schema, _ = _schema()
    names = _op_names(schema)
    model = read(data)
    # Files from older converters set only the deprecated int8 op code (builtinCode 0 =
    # ADD); tools that read builtinCode alone then see every op as ADD. Set both.
    for code in model.operatorCodes:
        code.builtinCode = max(code.builtinCode, code.deprecatedBuiltinCode)
    folded = 0
    runtime_values: dict[int, np.ndarray] | None = None
    for si, sg in enumerate(model.subgraphs):
        producer = {o: op for op in sg.operators for o in (op.outputs or [])}
        keep = []
        for op in sg.operators:
            if _opcode_name(model, names, op) == "DEQUANTIZE" and len(op.inputs) == 1:
                src = sg.tensors[op.inputs[0]]
                arr = _buffer_array(model, src) if src.type == _FLOAT16 else None
                prev = producer.get(op.inputs[0])
                if arr is None and si == 0 and prev is not None and \
                        _opcode_name(model, names, prev) == "DENSIFY" and \
                        _is_const(model, sg.tensors[prev.inputs[0]]):
                    if runtime_values is None:
                        runtime_values = _dequantized_values(data)
                    arr = runtime_values.get(op.outputs[0])
                if arr is not None:
                    dst = sg.tensors[op.outputs[0]]
                    b = schema.BufferT()
                    b.data = np.frombuffer(np.ascontiguousarray(arr, np.float32).tobytes(), np.uint8)
                    model.buffers.append(b)
                    dst.buffer = len(model.buffers) - 1
                    dst.type = _FLOAT32
                    folded += 1
                    continue
            keep.append(op)
        sg.operators = keep
        _drop_dead_ops(sg)
    _prune(model)
    _add_default_signature(schema, model)
    out = write(model)
    return out, FoldReport(folded, len(data), len(out))


def without_outputs(data: bytes, shapes: set[tuple[int, ...]]) -> tuple[bytes, int]:
    """The model with every main-graph output of one of ``shapes`` removed, and every op
    that only those outputs needed: (new bytes, ops removed).

    The remaining outputs are computed by the very same ops on the same weights, so their
    values do not change; only work nobody reads is skipped (pose_landmark_full's
    segmentation branch is a tenth of its MACs and, at 256x256, far more of its memory
    traffic). Outputs are matched by shape because names change between conversions.
    """
    model = read(data)
    sg = model.subgraphs[0]
    drop = {i for i in (sg.outputs or []) if tuple(int(v) for v in sg.tensors[i].shape) in shapes}
    if not drop:
        return bytes(data), 0
    before = len(sg.operators)
    sg.outputs = [i for i in sg.outputs if i not in drop]
    for sd in model.signatureDefs or []:
        if sd.subgraphIndex == 0:
            sd.outputs = [t for t in (sd.outputs or []) if t.tensorIndex not in drop]
    _drop_dead_ops(sg)
    removed = before - len(sg.operators)
    _prune(model)
    return write(model), removed


def _add_default_signature(schema: Any, model: Any) -> None:
    """Name the main graph's inputs and outputs as a "serving_default" signature.

    Mediapipe's files have none; the quantiser's calibration runs models by signature.
    Keys are the tensors' own names, so by-name lookups see no change.
    """
    if model.signatureDefs:
        return
    sg = model.subgraphs[0]

    def tmap(idx: int) -> Any:
        t = schema.TensorMapT()
        t.name = sg.tensors[idx].name
        t.tensorIndex = idx
        return t

    sd = schema.SignatureDefT()
    sd.signatureKey = b"serving_default"
    sd.subgraphIndex = 0
    sd.inputs = [tmap(i) for i in sg.inputs]
    sd.outputs = [tmap(i) for i in sg.outputs]
    model.signatureDefs = [sd]


def _dequantized_values(data: bytes) -> dict[int, np.ndarray]:
    """Tensor index -> value of every DEQUANTIZE output, computed by the runtime (no delegate)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=data, num_threads=1, experimental_preserve_all_tensors=True,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    for d in it.get_input_details():
        it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
    it.invoke()
    out = {}
    for op in it._get_ops_details():
        if op["op_name"] == "DEQUANTIZE":
            idx = int(op["outputs"][0])
            out[idx] = np.array(it.get_tensor(idx), np.float32)
    return out


def _drop_dead_ops(sg: Any) -> None:
    """Remove ops none of whose outputs is read by another op or is a graph output."""
    while True:
        read_ = set(sg.outputs or [])
        for op in sg.operators:
            read_.update(op.inputs or [])
        alive = [op for op in sg.operators if any(o in read_ for o in (op.outputs or []))]
        if len(alive) == len(sg.operators):
            return
        sg.operators = alive


def _prune(model: Any) -> None:
    """Drop tensors no operator, graph input/output or signature uses, then unused buffers."""
    remaps: list[dict[int, int]] = []
    for sg in model.subgraphs:
        used: set[int] = set(sg.inputs or []) | set(sg.outputs or [])
        for op in sg.operators:
            used.update(i for i in (op.inputs or []) if i >= 0)
            used.update(i for i in (op.outputs or []) if i >= 0)
            used.update(i for i in (op.intermediates or []) if i >= 0)
        old = sorted(used)
        remap = {o: n for n, o in enumerate(old)}
        remaps.append(remap)
        sg.tensors = [sg.tensors[o] for o in old]

        def m(idx: list[int] | None) -> list[int] | None:
            return None if idx is None else [remap[i] if i >= 0 else i for i in idx]

        sg.inputs, sg.outputs = m(sg.inputs), m(sg.outputs)
        for op in sg.operators:
            op.inputs, op.outputs, op.intermediates = m(op.inputs), m(op.outputs), m(op.intermediates)
    for sd in model.signatureDefs or []:
        for t in list(sd.inputs or []) + list(sd.outputs or []):
            # Signatures name graph inputs/outputs, which are always kept.
            t.tensorIndex = remaps[sd.subgraphIndex][t.tensorIndex]
    # Buffers: 0 stays the empty sentinel; keep those a tensor or metadata points at.
    refs = {0}
    for sg in model.subgraphs:
        refs.update(t.buffer for t in sg.tensors)
    refs.update(md.buffer for md in (model.metadata or []))
    old_b = sorted(refs)
    bmap = {o: n for n, o in enumerate(old_b)}
    model.buffers = [model.buffers[o] for o in old_b]
    for sg in model.subgraphs:
        for t in sg.tensors:
            t.buffer = bmap[t.buffer]
    for md in model.metadata or []:
        md.buffer = bmap[md.buffer]


@dataclass(frozen=True)
class OpInfo:
    """One operator: its kind, output shape and estimated multiply-accumulates."""

    index: int
    kind: str
    output_shape: tuple[int, ...]
    macs: int


def _shape(t: Any) -> tuple[int, ...]:
    return tuple(int(s) for s in (t.shape if t.shape is not None else []))


def _macs(kind: str, ins: list[Any], outs: list[Any]) -> int:
    """Multiply-accumulates from shapes: conv-like ops count out elements x kernel volume."""
    if not outs:
        return 0
    out = _shape(outs[0])
    n_out = int(np.prod(out)) if out else 1
    if kind in ("CONV_2D", "TRANSPOSE_CONV", "CUSTOM:Convolution2DTransposeBias") and len(ins) > 1:
        w = _shape(ins[1])  # OHWI; transpose conv: OHWI with inputs in the last axis too
        return n_out * int(np.prod(w[1:])) if len(w) == 4 else 0
    if kind == "DEPTHWISE_CONV_2D" and len(ins) > 1:
        w = _shape(ins[1])  # 1HWC
        return n_out * w[1] * w[2] if len(w) == 4 else 0
    if kind in ("FULLY_CONNECTED", "BATCH_MATMUL") and len(ins) > 1:
        w = _shape(ins[1])
        return n_out * (w[-1] if kind == "FULLY_CONNECTED" else w[-2])
    if kind in ("ADD", "MUL", "SUB", "PRELU", "LOGISTIC", "RELU", "RELU6", "TANH", "HARD_SWISH",
                "MAXIMUM", "MINIMUM", "DIV"):
        return n_out
    if kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D", "MEAN", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        return n_out
    return 0


def op_inventory(data: bytes) -> list[OpInfo]:
    """Every operator of the main graph in execution order, with its MACs estimate."""
    schema, _ = _schema()
    names = _op_names(schema)
    model = read(data)
    sg = model.subgraphs[0]
    ops = []
    for i, op in enumerate(sg.operators):
        kind = _opcode_name(model, names, op)
        ins = [sg.tensors[j] for j in (op.inputs or []) if j >= 0]
        outs = [sg.tensors[j] for j in (op.outputs or []) if j >= 0]
        ops.append(OpInfo(i, kind, _shape(outs[0]) if outs else (), _macs(kind, ins, outs)))
    return ops


def op_counts(data: bytes) -> Counter[str]:
    """How many of each operator kind the model uses (what a trimmed op resolver must hold)."""
    return Counter(op.kind for op in op_inventory(data))


def weight_types(data: bytes) -> Counter[str]:
    """Bytes of constant data per tensor type name (e.g. {"FLOAT16": 2.6e6, "INT8": ...})."""
    schema, _ = _schema()
    tnames = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    model = read(data)
    out: Counter[str] = Counter()
    for sg in model.subgraphs:
        for t in sg.tensors:
            b = model.buffers[t.buffer]
            if b.data is not None and len(b.data):
                out[tnames.get(t.type, str(t.type))] += len(b.data)
    return out
