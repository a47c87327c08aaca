"""The layout's rules: which folders may import which, and the generated docs kept current."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli

REPO = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions or TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules(folder: str) -> dict[str, set[str]]:
    return {str(p.relative_to(REPO)): imports_of(p) for p in (REPO / folder).rglob("*.py")}


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


def offending(found: dict[str, set[str]], forbidden) -> list[str]:
    return sorted(f"{path} imports {name}" for path, names in found.items()
                  for name in names if forbidden(path, name))


def test_the_kernel_imports_no_feature_adapter_or_command_line():
    banned = ("bot.features", "adapters", "bot.cli", "bot.app", "bot.server", "bot.docs")
    assert offending(modules("bot/kernel"),
                     lambda path, name: name.startswith(banned)) == []


def test_no_adapter_imports_a_feature_or_the_command_line():
    banned = ("bot.features", "bot.cli", "bot.app", "bot.server")
    assert offending(modules("adapters"), lambda path, name: name.startswith(banned)) == []


def test_a_feature_imports_no_other_feature_and_no_adapter():
    def forbidden(path: str, name: str) -> bool:
        own = Path(path).parts[2].removesuffix(".py")
        other = feature_of(name)
        return name.startswith(("adapters", "bot.cli", "bot.app", "bot.server")) or (
            other is not None and other != own)

    assert offending(modules("bot/features"), forbidden) == []


def test_every_feature_and_adapter_is_listed_once_in_the_composition_root():
    from bot import app

    packages = {p.stem if p.is_file() else p.name
                for p in (REPO / "bot" / "features").iterdir()
                if p.name != "__init__.py" and not p.name.startswith("__")}
    assert {name.rsplit(".", 1)[1] for name in app.FEATURES} == packages
    assert len(set(app.FEATURES)) == len(app.FEATURES)


def test_generated_docs_are_current():
    result = CliRunner().invoke(cli, ["docs", "--check", str(REPO / "docs")])
    assert result.exit_code == 0, result.output
