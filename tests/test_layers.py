"""The apps depend one way (docs/architecture.md): each imports only the apps below it and the ground
package ``portal``, which imports none; no app imports ``config``. Read from the source (every
``import``, at module level and inside functions), so an upward import fails here before it becomes
a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from accounts.errors import AccountError
from applications.errors import ApplicationError
from guarantees.errors import GuaranteeError
from notifications.errors import NotificationError
from portal.errors import PortalError
from verification.errors import VerificationError

ROOT = Path(__file__).resolve().parent.parent

#: Bottom to top.
LAYERS = [
    "portal",
    "accounts",
    "guarantees",
    "authkeys",
    "certificates",
    "verification",
    "notifications",
    "applications",
]
APPS = [*LAYERS[1:], "apiclients"]
#: Modules whose upward imports are known and not yet removed: the demo data, which builds every
#: app's rows, and the orderers' API views, which authenticate API clients.
KNOWN_UPWARD = {"guarantees.demo", "verification.api.views"}


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return found


def _modules(package: str) -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


def _top_level_imports(package: str) -> list[tuple[str, str]]:
    return [
        (module, imported.split(".")[0])
        for module, path in _modules(package)
        for imported in _imports(path, module)
        if imported.split(".")[0] != package
    ]


@pytest.mark.parametrize("package", LAYERS)
def test_each_layer_imports_only_the_layers_below_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1 :]) | {"apiclients", "config"}
    upward = [
        f"{module} → {imported}"
        for module, imported in _top_level_imports(package)
        if imported in above and module not in KNOWN_UPWARD
    ]
    assert upward == []


@pytest.mark.parametrize("package", APPS)
def test_no_app_imports_the_project_wiring(package):
    assert [module for module, imported in _top_level_imports(package) if imported == "config"] == []


def test_the_ground_package_imports_no_app():
    assert [m for m, imported in _top_level_imports("portal") if imported in {*APPS, "config"}] == []


@pytest.mark.parametrize(
    "error", [AccountError, GuaranteeError, NotificationError, VerificationError, ApplicationError]
)
def test_every_apps_error_is_the_portals_one_error_type(error):
    assert issubclass(error, PortalError)
    raised = error("some_code", "メッセージ")
    assert (raised.code, raised.message, str(raised)) == ("some_code", "メッセージ", "メッセージ")
