"""The model options every pipeline command shares: --precision, --bundle, --licence.

``add_model_options(parser)`` adds them; ``apply_model_options(args, mode)`` makes them take
effect for the whole process before any model loads: the default precision, and (for a
protected build) the licence check plus the bundle decrypted into memory as the only model
source. ``DANCE_BUNDLE`` / ``DANCE_LICENCE`` stand in for the flags, so a studio's launcher
can set them once.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from pose.errors import DanceError



def add_model_options(p: argparse.ArgumentParser, protected: bool = True) -> None:
    from pose.variants import PRECISIONS

    p.add_argument("--precision", choices=PRECISIONS, default=None,
                   help="model variant (default float; others: dance models quantize)")
    if protected:
        p.add_argument("--bundle", type=Path, metavar="FILE",
                       help="protected build: the encrypted model bundle (or $DANCE_BUNDLE)")
        p.add_argument("--licence", type=Path, metavar="FILE",
                       help="protected build: the signed licence for it (or $DANCE_LICENCE)")


def apply_model_options(args: argparse.Namespace, mode: str | None = None,
                        pipelines: Sequence[str] = ()) -> None:
    """Set the process's precision and, when a bundle or licence is named, go protected.

    mode / pipelines: what is about to run, so a protected start refuses at once (one line)
    a mode the licence does not allow, or a model it or the bundle lacks, instead of
    failing once the game is under way.
    """
    from pose import runtime

    if getattr(args, "precision", None):
        runtime.set_default_precision(args.precision)
    bundle = getattr(args, "bundle", None) or os.environ.get("DANCE_BUNDLE") or None
    licence = getattr(args, "licence", None) or os.environ.get("DANCE_LICENCE") or None
    if bundle is None and licence is None:
        return
    if bundle is None or licence is None:
        missing = "--bundle (or DANCE_BUNDLE)" if bundle is None else "--licence (or DANCE_LICENCE)"
        raise DanceError(f"a protected run needs both a bundle and its licence; {missing} is missing")
    from pose import protect

    src = protect.activate(Path(bundle), Path(licence))
    if mode is not None:
        src.licence.check_mode(mode)
    for pipeline in pipelines:
        for name in protect.PIPELINE_MODELS.get(pipeline, ()):
            src.model_bytes(name, runtime.default_precision())
