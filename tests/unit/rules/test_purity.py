"""The rules are pure: they import nothing but the standard library, the domain errors and
each other, so they run without a database or an application."""

import ast
from pathlib import Path

import pytest

import compliance.rules

RULES = Path(compliance.rules.__file__).parent
ALLOWED = ("dataclasses", "datetime", "decimal", "compliance.errors", "compliance.rules")


def imported(module: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_a_rules_module_imports_no_database_flask_or_service(module):
    outside = {name for name in imported(module)
               if not any(name == allowed or name.startswith(allowed + ".")
                          for allowed in ALLOWED)}
    assert outside == set()
