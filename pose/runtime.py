"""The one place that builds LiteRT interpreters.

Prefers ``ai_edge_litert``, falls back to ``tflite_runtime``. Models are loaded by registry
name *from bytes*: from the cache (sha256-checked), a built precision variant (checked
against its manifest, pose/variants.py), or a protected bundle decrypted in memory
(pose/protect.py, installed with ``use_source``). Every failure to find, read or load a
model is a one-line ModelError naming the file and how to fix it.

Precision: every ``Model`` takes ``precision`` (one of pose.variants.PRECISIONS);
``None`` means the process default, set once by a CLI's ``--precision`` through
``set_default_precision`` (or ``DANCE_PRECISION``), so every pipeline's models follow it
without each constructor passing it along. ``fp16-compute`` is no file of its own: the
float file run through LiteRT's CompiledModel API, which (unlike the Interpreter) takes
XNNPACK flags, with half-precision arithmetic forced.

A model can also be cut down at load to the outputs its pipeline reads
(``drop_output_shapes``): in memory only, so a protected bundle's models stay off disk.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import threading
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from pose import zoo
from pose.errors import ModelError

DEFAULT_THREADS = 2
T = TypeVar("T")
_FIX = "run: dance models fetch"
_default_precision: str | None = None
_source: "ModelSource | None" = None


class ModelSource:
    """Where models come from instead of the cache (a decrypted bundle): bytes by name."""

    def model_bytes(self, name: str, precision: str) -> bytes:  # pragma: no cover - protocol
        raise NotImplementedError


def use_source(source: ModelSource | None) -> None:
    """Load every later model from ``source`` (None: back to the cache)."""
    global _source
    _source = source


def set_default_precision(precision: str | None) -> None:
    """The precision a ``Model(precision=None)`` gets (None: ``DANCE_PRECISION`` or float)."""
    global _default_precision
    from pose.variants import check_precision

    _default_precision = None if precision is None else check_precision(precision)


def default_precision() -> str:
    from pose.variants import DEFAULT_PRECISION, check_precision

    if _default_precision is not None:
        return _default_precision
    return check_precision(os.environ.get("DANCE_PRECISION") or DEFAULT_PRECISION)


def load_bytes(name: str, precision: str | None = None) -> bytes:
    """The bytes a ``Model(name, precision=...)`` runs: bundle, variant or cached file."""
    from pose.variants import check_precision, file_precision, read_variant_bytes

    _spec(name)
    p = file_precision(default_precision() if precision is None else check_precision(precision))
    if _source is not None:
        return _source.model_bytes(name, p)
    return read_model_bytes(name) if p == "float" else read_variant_bytes(name, p)


_trimmed: dict[tuple[str, frozenset[tuple[int, ...]]], bytes] = {}
_trim_lock = threading.Lock()


def trimmed_bytes(data: bytes, drop_output_shapes: frozenset[tuple[int, ...]]) -> bytes:
    """``data`` without the outputs of those shapes nor the ops only they need (in memory
    only, memoised per process by content: cutting a graph takes ~0.5 s of Python)."""
    if not drop_output_shapes:
        return data
    key = (hashlib.sha256(data).hexdigest(), drop_output_shapes)
    with _trim_lock:
        hit = _trimmed.get(key)
        if hit is None:
            from pose import flatbuf

            hit, _ = flatbuf.without_outputs(data, set(drop_output_shapes))
            _trimmed[key] = hit
    return hit


def _interpreter_class() -> type:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            raise ModelError(
                "no TFLite runtime installed: pip install ai-edge-litert (or tflite-runtime)"
            ) from None
    return Interpreter


def backend() -> str:
    """The interpreter's module, e.g. "ai_edge_litert.interpreter" (for logs and benchmarks)."""
    return _interpreter_class().__module__


def _spec(name: str) -> zoo.Model:
    try:
        return zoo.get(name)
    except KeyError as e:
        raise ModelError(e.args[0]) from None


def read_model_bytes(name: str, verify: bool = True) -> bytes:
    """The model's bytes from the cache, size- and sha256-checked unless ``verify=False``."""
    model = _spec(name)
    path = model.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model {model.file} is missing ({path}); {_FIX}") from None
    except IsADirectoryError:
        raise ModelError(f"model {path} is a directory, not a model file; {_FIX}") from None
    except OSError as e:
        raise ModelError(f"model {path} cannot be read ({e.strerror}); {_FIX}") from None
    if verify:
        if len(data) != model.size:
            raise ModelError(f"model {path} is corrupt (truncated or wrong file: {len(data)} bytes, "
                             f"expected {model.size}); {_FIX}")
        if hashlib.sha256(data).hexdigest() != model.sha256:
            raise ModelError(f"model {path} is corrupt (sha256 mismatch); {_FIX}")
    return data


_BANNER = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
# What LiteRT's CompiledModel API logs on every load (accelerator registry, the vendor
# compiler plugins it probes and does not find): status lines, not errors of ours.
_LITERT_CHATTER = (_BANNER, b"INFO: [", b"WARNING: [", b"\xe2\x94\x94 ")
_stderr_lock = threading.Lock()


@contextlib.contextmanager
def _quiet_delegate_banner(drop: tuple[bytes, ...] = (_BANNER,)) -> Iterator[None]:
    """Drop the C++ runtime's XNNPACK banner from stderr; pass every other byte through.

    The banner is printed by native code straight to fd 2 when tensors are allocated, so
    it cannot be silenced from Python logging: fd 2 is captured for the duration of the
    load and replayed without that one line.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. pytest capture)
        yield
        return
    with _stderr_lock, tempfile.TemporaryFile() as tmp:
        sys.stderr.flush()
        saved = os.dup(fd)
        os.dup2(tmp.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            rest = b"".join(line for line in tmp.read().splitlines(keepends=True)
                            if not line.startswith(drop))
            if rest:
                os.write(fd, rest)


# TfLiteXNNPackDelegateFlags: TFLITE_XNNPACK_DELEGATE_FLAG_FORCE_FP16 (IEEE half-precision
# arithmetic, native on CPUs with AVX512-FP16 or ARMv8.2 FP16, emulated elsewhere).
XNNPACK_FLAG_FORCE_FP16 = 0x4
_environment: Any = None


def fp16_arithmetic_native() -> bool:
    """Whether this CPU does IEEE fp16 arithmetic in hardware (x86 AVX512-FP16, ARM
    FP16): where it does not, XNNPACK emulates fp16-compute, slower than float."""
    try:
        with open("/proc/cpuinfo") as f:
            words = set(f.read().split())
    except OSError:
        return False
    return bool(words & {"avx512_fp16", "asimdhp", "fphp"})


def _litert_environment() -> Any:
    """One LiteRT environment for the process (creating one probes every accelerator)."""
    global _environment
    if _environment is None:
        import atexit

        from ai_edge_litert.environment import Environment

        _environment = Environment.create()
        atexit.register(_silence_teardown)
    return _environment


def _silence_teardown() -> None:
    """LiteRT logs each accelerator it destroys as the interpreter exits, after atexit and
    after any traceback of ours: send fd 2 to /dev/null for that last moment."""
    try:
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
    except (OSError, ValueError):
        pass


class _CompiledInterpreter:
    """LiteRT's CompiledModel behind the few Interpreter calls ``Model`` makes.

    The Interpreter API takes no XNNPACK flags; CompiledModel does (here: fp16 arithmetic).
    Outputs are bound to arrays of ours (host memory), so an invoke allocates nothing.
    """

    def __init__(self, content: bytes, threads: int, xnnpack_flags: int):
        from ai_edge_litert.compiled_model import CompiledModel
        from ai_edge_litert.cpu_options import CpuOptions
        from ai_edge_litert.options import Options
        from ai_edge_litert.tensor_buffer import TensorBuffer

        opts = Options(cpu_options=CpuOptions(num_threads=threads, xnnpack_flags=xnnpack_flags))
        self._cm = CompiledModel.from_buffer(content, environment=_litert_environment(), options=opts)
        if not self._cm.is_fully_accelerated():
            raise RuntimeError("XNNPACK cannot run every op of this model with these flags")
        key = next(iter(self._cm.get_signature_list()))
        ins = self._cm.get_input_tensor_details(key)
        outs = self._cm.get_output_tensor_details(key)
        self._in_details = [{"name": n, "index": i, "shape": np.array(d["shape"], np.int32),
                             "dtype": np.dtype(d["dtype"])} for i, (n, d) in enumerate(ins.items())]
        self._out_details = [{"name": n, "index": len(ins) + i, "shape": np.array(d["shape"], np.int32),
                              "dtype": np.dtype(d["dtype"])} for i, (n, d) in enumerate(outs.items())]
        self._in_bufs = self._cm.create_input_buffers(0)
        # Inputs are staged in arrays of ours and written to the runtime's buffers at invoke,
        # so ``tensor()`` can hand out writable views as the Interpreter does.
        self._in_arrays = [np.zeros(d["shape"], d["dtype"]) for d in self._in_details]
        self._out_arrays = [TensorBuffer._align_numpy_array(np.zeros(d["shape"], d["dtype"]))
                            for d in self._out_details]
        self._out_bufs = [TensorBuffer.create_from_host_memory(a) for a in self._out_arrays]
        # The first run sets up more of the runtime (and logs it): do it now, under the
        # caller's stderr filter, not on the first frame.
        self.invoke()

    def get_input_details(self) -> list[dict[str, Any]]:
        return self._in_details

    def get_output_details(self) -> list[dict[str, Any]]:
        return self._out_details

    def set_tensor(self, index: int, x: np.ndarray) -> None:
        self._in_arrays[index][...] = x

    def invoke(self) -> None:
        for buf, arr in zip(self._in_bufs, self._in_arrays):
            buf.write(arr)
        self._cm.run_by_index(0, self._in_bufs, self._out_bufs)

    def _array(self, index: int) -> np.ndarray:
        n = len(self._in_details)
        return self._in_arrays[index] if index < n else self._out_arrays[index - n]

    def get_tensor(self, index: int) -> np.ndarray:
        return self._array(index).copy()

    def tensor(self, index: int) -> Callable[[], np.ndarray]:
        """The Interpreter's zero-copy accessor: a callable returning the tensor's array."""
        return lambda: self._array(index)


class Model:
    """A loaded model: run it with named inputs, read outputs by name.

    ``data``: the model's bytes if the caller already has them; otherwise ``load_bytes``
    finds them (bundle, built variant or cache, each verified).
    ``precision``: one of pose.variants.PRECISIONS; None: ``default_precision()``.
    fp16-compute runs the float file through LiteRT's CompiledModel with XNNPACK's fp16
    arithmetic; every other precision runs its file through the Interpreter.
    ``drop_output_shapes``: outputs of these shapes are cut from the graph, with the ops
    only they need (a pipeline that never reads them skips their work; the other outputs
    are unchanged).
    ``inputs`` / ``outputs``: the interpreter's tensor details, keyed by tensor name.
    """

    def __init__(self, name: str, threads: int = DEFAULT_THREADS, data: bytes | None = None,
                 precision: str | None = None,
                 drop_output_shapes: frozenset[tuple[int, ...]] = frozenset()):
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.name = name
        self.spec = _spec(name)
        self.threads = threads
        self.precision = default_precision() if precision is None else precision
        content = load_bytes(name, self.precision) if data is None else bytes(data)
        if not content:
            # The interpreter's own message for empty bytes talks about model_path; be plain.
            raise ModelError(f"model {self.spec.file} is empty; {_FIX}")
        content = trimmed_bytes(content, frozenset(drop_output_shapes))
        from pose.variants import RUNTIME_ONLY

        try:
            if self.precision in RUNTIME_ONLY:
                with _quiet_delegate_banner(_LITERT_CHATTER):
                    self._it = _CompiledInterpreter(content, threads, XNNPACK_FLAG_FORCE_FP16)
            else:
                Interpreter = _interpreter_class()
                with _quiet_delegate_banner():
                    self._it = Interpreter(model_content=content, num_threads=threads)
                    self._it.allocate_tensors()
        except Exception as e:  # the interpreter raises bare RuntimeError/ValueError
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"model {self.spec.path} cannot be loaded ({first}); {_FIX}") from None
        self.inputs: dict[str, dict[str, Any]] = {d["name"]: d for d in self._it.get_input_details()}
        self.outputs: dict[str, dict[str, Any]] = {d["name"]: d for d in self._it.get_output_details()}
        self._staging: dict[str, np.ndarray] = {}

    def input_shape(self, name: str | None = None) -> tuple[int, ...]:
        """Shape of the named (default: first) input, e.g. (1, 256, 256, 3)."""
        d = self.inputs[name] if name else next(iter(self.inputs.values()))
        return tuple(int(v) for v in d["shape"])

    def output_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every output's shape by tensor name, as the registry lists them."""
        return {n: tuple(int(v) for v in d["shape"]) for n, d in self.outputs.items()}

    def run(self, x: np.ndarray, input_name: str | None = None) -> dict[str, np.ndarray]:
        """Invoke on one input tensor; returns every output by tensor name (copies).

        x: the input's shape (see ``input_shape``), cast to the input's dtype.
        """
        d = self.inputs[input_name] if input_name else next(iter(self.inputs.values()))
        want = tuple(int(v) for v in d["shape"])
        if tuple(x.shape) != want:
            raise ValueError(f"{self.name}: input {d['name']} wants shape {want}, got {tuple(x.shape)}")
        self._it.set_tensor(d["index"], x.astype(d["dtype"], copy=False))
        self._it.invoke()
        return {n: self._it.get_tensor(o["index"]) for n, o in self.outputs.items()}

    # The step-wise API below lets a pipeline fill a reused input buffer and read only the
    # outputs it needs (pose_landmark_full's mask and heatmap are 260 KB a frame together).

    def set_input(self, x: np.ndarray, input_name: str | None = None) -> None:
        """Copy ``x`` (exactly the input's shape and dtype) into the named (default: first) input."""
        d = self.inputs[input_name] if input_name else next(iter(self.inputs.values()))
        self._it.set_tensor(d["index"], x)

    def invoke(self) -> None:
        """Run the model on the inputs set so far."""
        self._it.invoke()

    def output(self, name: str) -> np.ndarray:
        """One output by tensor name (a copy), after ``invoke``; e.g. output("Identity")."""
        return self._it.get_tensor(self.outputs[name]["index"])

    def fill_input(self, fill: Callable[[np.ndarray], None], input_name: str | None = None) -> None:
        """Let ``fill`` write the named (default: first) input tensor in place, no copy.

        ``fill`` gets the interpreter's own buffer (the input's shape and dtype) and must
        not keep it: the interpreter refuses to invoke while a view of its memory lives.
        A runtime without views of its memory gets a staging buffer, copied in after."""
        d = self.inputs[input_name] if input_name else next(iter(self.inputs.values()))
        tensor = getattr(self._it, "tensor", None)
        if tensor is None:
            buf = self._staging.get(d["name"])
            if buf is None:
                buf = self._staging[d["name"]] = np.empty(tuple(int(v) for v in d["shape"]), d["dtype"])
            fill(buf)
            self._it.set_tensor(d["index"], buf)
            return
        view = tensor(d["index"])()
        try:
            fill(view)
        finally:
            del view

    def use_output(self, name: str, use: Callable[[np.ndarray], T]) -> T:
        """``use(output)`` on the interpreter's own output buffer (no copy), after ``invoke``;
        ``use`` must return something that does not share that memory (e.g. a resize)."""
        tensor = getattr(self._it, "tensor", None)
        if tensor is None:
            return use(self._it.get_tensor(self.outputs[name]["index"]))
        view = tensor(self.outputs[name]["index"])()
        try:
            return use(view)
        finally:
            del view

    def invoke_only(self) -> None:
        """Invoke with whatever input is set (for measuring the bare model time)."""
        self._it.invoke()

    def __repr__(self) -> str:
        return f"Model({self.name!r}, threads={self.threads}, precision={self.precision!r})"
