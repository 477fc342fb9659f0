"""DESIGN.md §3: `reports` reads every app and no app imports it (the project package — home page,
demo data — may)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "briefings", "notifications", "outlets", "reviews", "submissions", "topics"]


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_app_imports_reports():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module == "reports" or module.startswith("reports.")
    ]
    assert offenders == []
