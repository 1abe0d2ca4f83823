"""The ``dance`` console script: one dispatcher, each subcommand in its own module.

A command module exposes ``register(subparsers)``, which adds its subcommand(s) and sets
``func=callable(args) -> int`` on each. Modules import heavy things (cv2, LiteRT, pygame)
inside their functions so ``dance --help`` stays fast.

Every DanceError becomes one line on stderr and a non-zero exit; a traceback is a bug.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from pose.errors import DanceError

# module -> the subcommands it provides (used for a clear message if a module is absent).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "pose.cli_models": ("models", "samples", "mocap"),
    "pose.cli_licence": ("licence",),
    "pose.cli_track": ("track",),
    "authoring.cli": ("validate", "author", "preview", "new"),
    "content.cli_score": ("score",),
    "game.cli_play": ("play", "calibrate"),
    "game.cli_modes": ("modes",),
    "game.cli_practice": ("practice",),
    "reports.cli": ("report",),
    "game.cli_bench": ("bench",),
    "server.cli": ("serve", "sync"),
}


def _missing(name: str, module: str, dep: str | None = None):
    def run(args: argparse.Namespace) -> int:
        why = (f"it needs {dep}: pip install 'dancestudio[studio]'" if dep
               else f"module {module} is missing")
        print(f"dance {name}: not available in this build ({why})", file=sys.stderr)
        return 2

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dance", description="DanceStudio: a camera dance game for children."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module, names in COMMAND_MODULES.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            # The module itself is absent, or (a player install) a package of an extra it needs.
            top = (e.name or "").split(".")[0]
            if e.name != module and (not top or top in {"game", "pose", "scoring", "content", "reports", "authoring", "server"}):
                raise
            dep = None if e.name == module else top
            for name in names:
                sub.add_parser(name, help="(not available)").set_defaults(func=_missing(name, module, dep))
            continue
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except DanceError as e:
        print(f"dance {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"dance {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
