"""The packages of partnersim import downwards only: a layer may use the layers below it, never above.

From the bottom: the shared foundations (errors, values, files, text,
statistics, random streams); the historical data and the place cases act on
each other; the stage kinds; processes; scenarios; the engine; the runner;
results; simulate(); charts and run folders; what-ifs and history; briefings
(of runs and of what-ifs alike); the API; the command line. An import made
only for type hints does not count (nothing is loaded), nor does the one
deliberate exception: ``Results.plot``, the pandas-style accessor, imports
the charts when it is used.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "partnersim"

LAYERS = [
    {"errors", "values", "files", "safetext", "streams", "text", "stats", "_version"},
    {"data", "interaction", "executors"},
    {"kinds"},
    {"process"},
    {"scenario"},
    {"engine"},
    {"runner", "designs"},
    {"results"},
    {"simulation"},
    {"charts", "runs"},
    {"whatif", "history"},
    {"report"},
    {"api", "studio"},
    {"cli", "__init__", "__main__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
ALLOWED = {("results/frames.py", "charts")}  # Results.plot draws on use


def unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "partnersim":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> list[tuple[int, str, bool]]:
    """``(line, imported module, for type hints only)`` of every import of partnersim in ``path``."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            hinted = typing_only or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name, hinted) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1] + ([base] if base else []))
                names = [f"{base}.{alias.name}" for alias in child.names] if base == "partnersim" else [base]
                found.extend((child.lineno, name, hinted) for name in names)
            visit(child, hinted)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_every_package_has_a_layer() -> None:
    units = {path.stem if path.parent == PACKAGE else path.relative_to(PACKAGE).parts[0]
             for path in PACKAGE.rglob("*.py")}
    assert units <= set(RANK), f"give these a layer: {sorted(units - set(RANK))}"


def test_imports_point_down_the_layers() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        source = unit("partnersim." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for line, module, hinted in imports(path):
            target = unit(module)
            if target is None or target == source or target not in RANK or hinted:
                continue
            if (relative, target) in ALLOWED:
                continue
            if RANK[target] > RANK[str(source)] or (target == "__init__" and source != "__main__"):
                upward.append(f"{relative}:{line} imports {module}")
    assert upward == []
