"""The house rules the build enforces (ARCHITECTURE.md): the lint, the type check, the layers, and sizes.

They run with the suite, so CI runs them on every change: ruff (with pyupgrade, naming and complexity rules);
mypy in strict mode on ``domain/``, the low layer (``services/store``, ``services/messaging``), the application
service (``services/app``) and ``projections/``; import-linter's contracts (the layers of DESIGN decision 9 and
no import circle); and the size limits (modules up to 400 lines, functions up to 60).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("domain", "services", "projections")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tool(name: str) -> str:
    """The tool installed beside this interpreter (the venv's), not whatever is on PATH."""
    path = Path(sys.executable).with_name(name)
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def _run(*command: str) -> None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


def _production_modules() -> list[Path]:
    return sorted(p for package in PRODUCTION for p in (ROOT / package).rglob("*.py"))


def test_ruff_finds_nothing() -> None:
    _run(_tool("ruff"), "check", ".")
    _run(_tool("ruff"), "format", "--check", ".")


def test_mypy_strict_passes_on_the_domain_the_low_layer_the_application_service_and_projections() -> None:
    _run(_tool("mypy"))  # files and strictness: [tool.mypy] in pyproject.toml


def test_the_layers_and_acyclic_imports_hold() -> None:
    _run(_tool("lint-imports"), "--no-cache")  # contracts: [tool.importlinter] in pyproject.toml


@pytest.mark.parametrize("module", _production_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_small(module: Path) -> None:
    source = module.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{module.name} is over {MAX_MODULE_LINES} lines: split it"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES  # type: ignore[operator]
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines in {module.name}: {', '.join(long)}"


def test_the_size_check_sees_a_long_function() -> None:
    """The walk above must find functions at every depth, methods included; else it passes vacuously."""
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class C:\n    def long(self):\n{body}\n")
    lengths = [n.end_lineno - n.lineno + 1 for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]  # type: ignore[operator]
    assert lengths == [MAX_FUNCTION_LINES + 1]
