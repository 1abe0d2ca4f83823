"""The lean player install: the game needs only the default dependencies; extras load lazily.

Two checks, both on the real code and the real pyproject:
- the import graph: every third-party package imported at module level anywhere in the
  packages is a default dependency (the ``dance`` CLI imports every command module to
  build its parser), and every third-party import at all is declared somewhere;
- a subprocess whose import system refuses every extra-only package builds the CLI,
  imports the whole player (game, pose, scoring, the session store) and runs a command.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("game", "pose", "scoring", "content", "reports", "authoring", "server")
# A package that is an extra's own code may import that extra at module level, except in
# the module the dance CLI imports to build its parser.
PACKAGE_EXTRA = {"server": "server"}


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _req_name(req: str) -> str:
    return _norm(re.split(r"[ ~=<>!\[;]", req.strip(), maxsplit=1)[0])


def _groups() -> dict[str, set[str]]:
    proj = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    out = {"default": {_req_name(r) for r in proj["dependencies"]}}
    for extra, reqs in proj["optional-dependencies"].items():
        out[extra] = {_req_name(r) for r in reqs if not r.startswith("dancestudio")}
    return out


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level third-party tops, all third-party tops) imported by one file.

    Module level: statements executed at import, including under if/with at top, but not
    inside functions, TYPE_CHECKING blocks or try/except ImportError fallbacks.
    """
    tree = ast.parse(path.read_text())
    top_level: set[str] = set()
    every: set[str] = set()

    def names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name.split(".")[0] for a in node.names]
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            return [node.module.split(".")[0]]
        return []

    def third(mods: list[str]) -> set[str]:
        return {m for m in mods if m not in sys.stdlib_module_names and m not in PACKAGES and m != "__future__"}

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            got = third(names(child))
            every.update(got)
            if module_level:
                top_level.update(got)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, False)
            elif isinstance(child, ast.Try) and any(
                    h.type is not None and "ImportError" in ast.unparse(h.type) for h in child.handlers):
                visit(child, False)
            else:
                visit(child, module_level)

    visit(tree, True)
    return top_level, every


def _closure(dists: set[str]) -> set[str]:
    """The distributions and everything they require (installed ones), by name."""
    from importlib.metadata import PackageNotFoundError, distribution

    out, todo = set(), list(dists)
    while todo:
        d = todo.pop()
        if d in out:
            continue
        out.add(d)
        try:
            reqs = distribution(d).requires or []
        except PackageNotFoundError:
            continue
        todo += [_req_name(r) for r in reqs if "extra ==" not in r]
    return out


_DISTS: dict[str, list[str]] = {}


def _dists_of(module: str) -> set[str]:
    if not _DISTS:
        _DISTS.update(packages_distributions())
    return {_norm(d) for d in _DISTS.get(module, [])}


def test_module_level_imports_are_default_dependencies():
    from game.cli import COMMAND_MODULES

    groups = _groups()
    declared = _closure(set().union(*groups.values()))  # direct or through a declared package
    cli_files = {REPO / (m.replace(".", "/") + ".py") for m in COMMAND_MODULES}
    bad, undeclared = [], []
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            top, every = _imports(path)
            allowed = set(groups["default"])
            if pkg in PACKAGE_EXTRA and path not in cli_files:
                allowed |= _closure(groups[PACKAGE_EXTRA[pkg]])
            for mod in top:
                dists = _dists_of(mod)
                if not dists & allowed:
                    bad.append(f"{path.relative_to(REPO)}: {mod} ({', '.join(sorted(dists)) or 'not installed'})")
            for mod in every:
                dists = _dists_of(mod)
                if mod == "tflite_runtime":  # the runtime's documented fallback import
                    continue
                if not dists & declared:
                    undeclared.append(f"{path.relative_to(REPO)}: {mod}")
    assert not bad, "module-level imports outside the player's dependencies (import them lazily): " + "; ".join(bad)
    assert not undeclared, "imports no dependency group declares: " + "; ".join(undeclared)


def test_extras_hold_what_the_player_does_not():
    groups = _groups()
    assert {"pygame", "ai-edge-litert", "cryptography"} <= groups["default"]
    for heavy in ("matplotlib", "jinja2", "jsonschema", "litert-quantizer", "scipy"):
        assert heavy not in groups["default"], heavy


BLOCKED = """
import importlib.abc, sys
BLOCK = set(sys.argv[1].split(","))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
for m in BLOCK:
    sys.modules.pop(m, None)
import importlib, pkgutil
import game.cli
game.cli.build_parser()
for pkg in ("game", "pose", "scoring", "content"):
    mod = importlib.import_module(pkg)
    for info in pkgutil.walk_packages(mod.__path__, pkg + "."):
        if info.name.startswith(("game.demo", "pose.quantize")):
            continue  # the demo's generator and the quantiser are studio tools
        importlib.import_module(info.name)
importlib.import_module("reports.store")
sys.exit(game.cli.main(sys.argv[2:]))
"""


def _extra_only_modules() -> set[str]:
    groups = _groups()
    extra = set().union(*(v for k, v in groups.items() if k != "default")) - groups["default"]
    mods = {m for m, dists in packages_distributions().items() if {_norm(d) for d in dists} & extra}
    return {m for m in mods if not m.startswith("_")}


def test_player_runs_without_any_extra_installed():
    blocked = _extra_only_modules()
    assert {"matplotlib", "jinja2", "litert_quantizer"} <= blocked
    p = subprocess.run([sys.executable, "-c", BLOCKED, ",".join(sorted(blocked)), "models", "verify"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "verified" in p.stdout
    # A studio command says what it needs in one line instead of a traceback.
    p = subprocess.run([sys.executable, "-c", BLOCKED, ",".join(sorted(blocked)), "models", "quantize",
                        "--models", "face_detection_short_range", "--precision", "fp16", "--force"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr and "litert-quantizer" in p.stdout + p.stderr
