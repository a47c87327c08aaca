"""botbuilder (archived upstream) is imported only inside adapters/teams/, so that moving Teams
to its successor, the Microsoft 365 Agents SDK, touches that one folder (docs/teams-sdk.md)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKED = ["bot", "adapters", "bench"]
ALLOWED = REPO / "adapters" / "teams"
# The Bot Framework SDK's packages (botbuilder-*, botframework-connector/-streaming) and msrest,
# which comes with them (the adapter catches its errors).
SDK = {"botbuilder", "botframework", "msrest"}


def sdk_imports(path: Path) -> list[str]:
    """Each `import`, `from ... import` or import_module("...") of the SDK in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
                  "import_module", "__import__"}):
            names = [node.args[0].value]
        else:
            continue
        found += [f"{path.relative_to(REPO)}:{node.lineno}: {name}"
                  for name in names if name.split(".")[0] in SDK]
    return found


def checked_files() -> list[Path]:
    return sorted(p for folder in CHECKED for p in (REPO / folder).rglob("*.py")
                  if not p.is_relative_to(ALLOWED))


def test_botbuilder_is_imported_only_inside_adapters_teams():
    files = checked_files()
    assert len(files) > 20  # the walk found the code (bot/, the other adapters, bench/)
    offending = [found for path in files for found in sdk_imports(path)]
    assert offending == [], "botbuilder imported outside adapters/teams/:\n" + "\n".join(offending)


def test_the_check_does_see_the_teams_adapter_import():
    # The same walk over adapters/teams/ finds its botbuilder imports: the check is not blind.
    found = [f for path in ALLOWED.rglob("*.py") for f in sdk_imports(path)]
    assert any(": botbuilder." in f for f in found)
