"""Pure code is told apart by where it lives: `judging/core/` and contest's
layout, chart, figure and file-writing modules import neither Flask nor the
database. Each file's syntax tree is walked (imports inside functions count
too), and a pure module may lean only on other pure modules of the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# contest's pure modules, named one by one: a new one is added here on purpose.
CONTEST_PURE = (
    "contest/numbers.py",
    "contest/demo_media_files.py",
    "contest/pdf/__init__.py",
    "contest/pdf/fonts.py",
    "contest/certificates/layout.py",
    "contest/domain/exports.py",
    "contest/reports/charts.py",
    "contest/reports/figures.py",
    "contest/reports/yearly.py",
    "contest/reports/pdf.py",
    "contest/reports/xlsx.py",
    "contest/reports/admin_document.py",
    "contest/reports/consolidate.py",
    "contest/reports/plan_data.py",
    "contest/reports/indicators.py",
)
FORBIDDEN = ("flask", "sqlalchemy", "contest.models", "judging.models", "contest.extensions")


def pure_files() -> list[Path]:
    return sorted((ROOT / "judging" / "core").rglob("*.py")) + [ROOT / p for p in CONTEST_PURE]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module the source imports, anywhere in it, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from contest import models` names a module too
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def forbidden(name: str) -> bool:
    return name.startswith("flask_") or any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def offences_in(source: str, module: str, pure_modules: set[str], is_package: bool = False) -> list[str]:
    """What the source imports that pure code may not: Flask, the database, the models,
    or a module of the project that is not itself pure."""
    names = imported_modules(source, module, is_package)

    def project_impure(name: str) -> bool:
        return (
            name.split(".")[0] in ("contest", "judging")
            and name not in pure_modules
            and name.rpartition(".")[0] not in pure_modules  # a name taken from a pure module
            and not any(p.startswith(name + ".") for p in pure_modules)
        )  # a package holding pure modules

    return sorted(n for n in names if forbidden(n) or project_impure(n))


def offences(path: Path, pure_modules: set[str]) -> list[str]:
    return offences_in(path.read_text(encoding="utf-8"), module_name(path), pure_modules, path.name == "__init__.py")


def pure_module_names() -> set[str]:
    return {module_name(f) for f in pure_files()}


def test_the_pure_modules_exist():
    files = pure_files()
    assert all(f.is_file() for f in files), [str(f) for f in files if not f.is_file()]
    core = {f.stem for f in (ROOT / "judging" / "core").glob("*.py")}
    assert {"assign", "aggregate", "score_import", "score_sheet", "pitch_order", "conflict_rules"} <= core


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_imports_neither_flask_nor_the_database(path):
    assert offences(path, pure_module_names()) == []


def test_no_pure_module_is_left_beside_judging_core():
    """judging/'s top level keeps only what touches Flask or the database; pure code goes in core/."""
    pure = pure_module_names()
    left = [p.name for p in (ROOT / "judging").glob("*.py") if p.name != "__init__.py" and not offences(p, pure)]
    assert left == []


def test_the_check_catches_flask_and_the_database():
    source = (
        "import os\nfrom flask import g\nimport flask_babel\n"
        "def f():\n    from sqlalchemy.orm import Session\n    from contest import models\n"
        "from ..models import Round\nfrom .aggregate import rank\n"
    )
    assert offences_in(source, "judging.core.example", pure_module_names()) == [
        "contest.models",
        "flask",
        "flask.g",
        "flask_babel",
        "judging.models",
        "judging.models.Round",
        "sqlalchemy.orm",
        "sqlalchemy.orm.Session",
    ]
    assert not forbidden("os") and not forbidden("flaskish") and not forbidden("contest.numbers")


def test_pure_code_may_not_lean_on_an_impure_module():
    source = "from contest.domain.tokens import read_token\nfrom contest.numbers import vn_number\n"
    assert offences_in(source, "judging.core.example", pure_module_names()) == [
        "contest.domain.tokens",
        "contest.domain.tokens.read_token",
    ]
