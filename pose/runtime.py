"""The one place that builds LiteRT interpreters.

Prefers ``ai_edge_litert``, falls back to ``tflite_runtime``. Models are loaded by registry
name *from bytes*: from the cache (sha256-checked), a built precision variant (checked
against its manifest, pose/variants.py), or a protected bundle decrypted in memory
(pose/protect.py, installed with ``use_source``). Every failure to find, read or load a
model is a one-line ModelError naming the file and how to fix it.

Precision: every ``Model`` takes ``precision`` (float | fp16 | int8-dynamic | int8-weight);
``None`` means the process default, set once by a CLI's ``--precision`` through
``set_default_precision`` (or ``DANCE_PRECISION``), so every pipeline's models follow it
without each constructor passing it along.
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
    from pose.variants import check_precision, read_variant_bytes

    _spec(name)
    p = default_precision() if precision is None else check_precision(precision)
    if _source is not None:
        return _source.model_bytes(name, p)
    return read_model_bytes(name) if p == "float" else read_variant_bytes(name, p)


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
_stderr_lock = threading.Lock()


@contextlib.contextmanager
def _quiet_delegate_banner() -> Iterator[None]:
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
                            if not line.startswith(_BANNER))
            if rest:
                os.write(fd, rest)


class Model:
    """A loaded model: run it with named inputs, read outputs by name.

    ``data``: the model's bytes if the caller already has them; otherwise ``load_bytes``
    finds them (bundle, built variant or cache, each verified).
    ``precision``: float | fp16 | int8-dynamic | int8-weight; None: ``default_precision()``.
    ``inputs`` / ``outputs``: the interpreter's tensor details, keyed by tensor name.
    """

    def __init__(self, name: str, threads: int = DEFAULT_THREADS, data: bytes | None = None,
                 precision: str | None = None):
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
        Interpreter = _interpreter_class()
        try:
            with _quiet_delegate_banner():
                self._it = Interpreter(model_content=content, num_threads=threads)
                self._it.allocate_tensors()
        except Exception as e:  # the interpreter raises bare RuntimeError/ValueError
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"model {self.spec.path} cannot be loaded ({first}); {_FIX}") from None
        self.inputs: dict[str, dict[str, Any]] = {d["name"]: d for d in self._it.get_input_details()}
        self.outputs: dict[str, dict[str, Any]] = {d["name"]: d for d in self._it.get_output_details()}

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
        not keep it: the interpreter refuses to invoke while a view of its memory lives."""
        d = self.inputs[input_name] if input_name else next(iter(self.inputs.values()))
        view = self._it.tensor(d["index"])()
        try:
            fill(view)
        finally:
            del view

    def use_output(self, name: str, use: Callable[[np.ndarray], T]) -> T:
        """``use(output)`` on the interpreter's own output buffer (no copy), after ``invoke``;
        ``use`` must return something that does not share that memory (e.g. a resize)."""
        view = self._it.tensor(self.outputs[name]["index"])()
        try:
            return use(view)
        finally:
            del view

    def invoke_only(self) -> None:
        """Invoke with whatever input is set (for measuring the bare model time)."""
        self._it.invoke()

    def __repr__(self) -> str:
        return f"Model({self.name!r}, threads={self.threads}, precision={self.precision!r})"
