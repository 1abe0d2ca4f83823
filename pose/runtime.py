"""The one place that builds LiteRT interpreters.

Prefers ``ai_edge_litert``, falls back to ``tflite_runtime``. Models are loaded by registry
name *from bytes* so a later step can decrypt them in memory.
"""
from __future__ import annotations

import hashlib

import numpy as np

from pose import zoo
from pose.errors import ModelError

DEFAULT_THREADS = 2


def _interpreter_class():
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


def read_model_bytes(name: str, verify: bool = True) -> bytes:
    """The model's bytes from the cache, sha256-checked."""
    model = zoo.get(name)
    path = model.path
    if not path.is_file():
        raise ModelError(f"model {model.file} is missing ({path}); run: dance models fetch")
    data = path.read_bytes()
    if verify and hashlib.sha256(data).hexdigest() != model.sha256:
        raise ModelError(f"model {path} is corrupt (sha256 mismatch); run: dance models fetch")
    return data


class Model:
    """A loaded model: run it with named inputs, read outputs by name."""

    def __init__(self, name: str, threads: int = DEFAULT_THREADS, data: bytes | None = None):
        self.name = name
        self.spec = zoo.get(name)
        content = read_model_bytes(name) if data is None else data
        Interpreter = _interpreter_class()
        try:
            self._it = Interpreter(model_content=content, num_threads=threads)
            self._it.allocate_tensors()
        except Exception as e:  # the interpreter raises bare RuntimeError/ValueError
            raise ModelError(
                f"model {self.spec.path} cannot be loaded ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
                "run: dance models fetch"
            ) from None
        self.inputs = {d["name"]: d for d in self._it.get_input_details()}
        self.outputs = {d["name"]: d for d in self._it.get_output_details()}

    def input_shape(self, name: str | None = None) -> tuple[int, ...]:
        d = self.inputs[name] if name else next(iter(self.inputs.values()))
        return tuple(int(v) for v in d["shape"])

    def run(self, x: np.ndarray, input_name: str | None = None) -> dict[str, np.ndarray]:
        """Invoke on one input tensor; returns every output by tensor name (copies)."""
        d = self.inputs[input_name] if input_name else next(iter(self.inputs.values()))
        self._it.set_tensor(d["index"], x.astype(d["dtype"], copy=False))
        self._it.invoke()
        return {n: self._it.get_tensor(o["index"]) for n, o in self.outputs.items()}

    def invoke_only(self) -> None:
        """Invoke with whatever input is set (for measuring the bare model time)."""
        self._it.invoke()
