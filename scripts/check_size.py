"""Check the house size limits: modules, function length and radon's cyclomatic complexity.

Usage: python scripts/check_size.py [--summary] [--strict] [paths...]

Fails (exit 1) on an offender that is not in scripts/size_allowlist.txt (every offender
with --strict) and prints each with its figure; --summary prints the figures as a table.
"""

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "scripts" / "size_allowlist.txt"
PATHS = ("compliance", "tests", "scripts", "bench", "config.py", "wsgi.py")
# Module length is a rule for the application package; tests and tools are checked per function.
MODULE_LIMIT_UNDER = "compliance"
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 25
MAX_COMPLEXITY = 10  # as radon counts it: each `and`/`or` adds one


@dataclass(frozen=True)
class Unit:
    """A module or a function with its figures."""

    path: str
    name: str
    line: int
    lines: int
    complexity: int | None = None


def python_files(paths) -> list[Path]:
    files = []
    for name in paths:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if ".venv" not in f.parts and "migrations" not in f.parts]


def functions_of(blocks, prefix: str = ""):
    """Functions, methods (radon lists them beside their class) and closures, named."""
    for block in blocks:
        if hasattr(block, "methods"):
            continue
        name = prefix + (block.fullname if not prefix else block.name)
        yield name, block
        yield from functions_of(block.closures, f"{name}.")


def measure(path: Path) -> tuple[Unit, list[Unit]]:
    source = path.read_text()
    relative = path.relative_to(ROOT).as_posix()
    module = Unit(relative, "<module>", 1, len(source.splitlines()))
    # radon's own end line stops at the last statement's first line; the AST knows the end.
    ends = {node.lineno: node.end_lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    functions = [Unit(relative, name, block.lineno, ends[block.lineno] - block.lineno + 1,
                      block.complexity)
                 for name, block in functions_of(cc_visit(source))]
    return module, functions


def offences(module: Unit, functions: list[Unit]) -> list[tuple[str, str]]:
    """(allow-list key, message) for every limit exceeded."""
    found = []
    if module.path.startswith(MODULE_LIMIT_UNDER) and module.lines > MAX_MODULE_LINES:
        found.append((f"{module.path} module",
                      f"{module.path}: module has {module.lines} lines (max {MAX_MODULE_LINES})"))
    for unit in functions:
        where = f"{unit.path}:{unit.line} {unit.name}"
        if unit.lines > MAX_FUNCTION_LINES:
            found.append((f"{unit.path}::{unit.name} lines",
                          f"{where}: {unit.lines} lines (max {MAX_FUNCTION_LINES})"))
        if unit.complexity > MAX_COMPLEXITY:
            found.append((f"{unit.path}::{unit.name} complexity",
                          f"{where}: complexity {unit.complexity} (max {MAX_COMPLEXITY})"))
    return found


def allowed() -> set[str]:
    if not ALLOWLIST.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in ALLOWLIST.read_text().splitlines())
    return {line for line in lines if line}


def figures(group: str, modules: list[Unit], functions: list[Unit]) -> tuple:
    """A folder's counts over the limits, then its maxima and means."""
    lengths = [f.lines for f in functions] or [0]
    scores = [f.complexity for f in functions] or [0]
    return (group, len(modules), sum(m.lines > MAX_MODULE_LINES for m in modules),
            max(m.lines for m in modules), len(functions),
            sum(n > MAX_FUNCTION_LINES for n in lengths), max(lengths), round(mean(lengths), 1),
            sum(c > MAX_COMPLEXITY for c in scores), max(scores), round(mean(scores), 2))


def summary_rows(modules: list[Unit], functions: list[Unit]) -> list[tuple]:
    """One row per top-level folder (or file)."""
    def top(unit: Unit) -> str:
        return unit.path.split("/")[0]

    return [figures(group, [m for m in modules if top(m) == group],
                    [f for f in functions if top(f) == group])
            for group in sorted({top(m) for m in modules})]


def print_summary(modules: list[Unit], functions: list[Unit]) -> None:
    header = ("folder", "modules", f">{MAX_MODULE_LINES}", "max lines", "functions",
              f">{MAX_FUNCTION_LINES} lines", "max lines", "mean lines", f"cc>{MAX_COMPLEXITY}",
              "max cc", "mean cc")
    rows = [header] + [tuple(str(v) for v in row) for row in summary_rows(modules, functions)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))


def report(found: list[tuple[str, str]], permitted: set[str], checked: set[str]) -> int:
    """Print the offenders not allowed and the allow-list's stale keys; count the former."""
    new = [message for key, message in found if key not in permitted]
    for message in new:
        print(message)
    stale = {key for key in permitted if key.split(":")[0].split(" ")[0] in checked}
    for key in sorted(stale - {key for key, _ in found}):
        print(f"no longer an offender, take it off the allow-list: {key}")
    listed = len(found) - len(new)
    print(f"size check: {len(new)} offender(s) beyond the limits"
          + (f", {listed} more on the allow-list" if listed else ""))
    return len(new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=PATHS)
    parser.add_argument("--summary", action="store_true", help="print the figures as a table")
    parser.add_argument("--strict", action="store_true", help="ignore the allow-list")
    args = parser.parse_args(argv)
    modules, functions, found = [], [], []
    for path in python_files(args.paths):
        module, units = measure(path)
        modules.append(module)
        functions.extend(units)
        found.extend(offences(module, units))
    if args.summary:
        print_summary(modules, functions)
    permitted = set() if args.strict else allowed()
    return 1 if report(found, permitted, {m.path for m in modules}) else 0


if __name__ == "__main__":
    sys.exit(main())
