"""The house rules a newcomer relies on: the import contracts hold, and modules stay small."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
LONG_REASON = "Why this module is long:"  # a long module says why, in its docstring
PACKAGES = ["service_catalog", "actions", "bot", "scripts", "benchmarks"]


def test_import_contracts_hold() -> None:
    """No cycles between sibling modules, a pure core, a thin action server (pyproject.toml, [tool.importlinter])."""
    out = subprocess.run([str(REPO_ROOT / ".venv/bin/lint-imports"), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "BROKEN" not in out.stdout


def test_modules_stay_under_400_lines_or_say_why() -> None:
    long = []
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines <= LIMIT:
                continue
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if LONG_REASON not in docstring:
                long.append(f"{path.relative_to(REPO_ROOT)} ({lines} lines)")
    assert long == [], f"modules over {LIMIT} lines whose docstring does not say '{LONG_REASON} ...': {long}"


# The search policy lives in the catalogue service (service_catalog/search/turn.py, POST /api/search/turn);
# these are the pieces that used to be copied into the action server.
POLICY_IN_ACTIONS = re.compile(r"\brapidfuzz\b|\bclear_winner\b|\btrimmed\b|partial_ratio|NEGATED_BEFORE|chosen_district|\bnext_steps\b|\"/api/search\"")


def test_the_action_server_holds_no_search_policy() -> None:
    """Margins, cut-offs, fuzzy step matches, the second filtered search and district negation are the catalogue's."""
    found = [
        f"{path.name}: {match.group(0)}"
        for path in sorted((REPO_ROOT / "actions").glob("*.py"))
        for match in POLICY_IN_ACTIONS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"search policy in actions/ (it belongs in service_catalog/search/turn.py): {found}"


def test_test_modules_have_unique_basenames() -> None:
    """pytest imports test modules by basename (rootdir import mode): two ``test_x.py`` in different
    folders stop the whole run at collection."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((REPO_ROOT / "tests").rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(REPO_ROOT)} and {path.relative_to(REPO_ROOT)}")
        seen.setdefault(path.name, path)
    assert not clashes, "rename one of each: " + "; ".join(clashes)
