"""The settings: strict environment readers, each setting assigned once, no undeclared setting read.

- A value that cannot be read stops start-up with a message naming the variable and what it accepts.
- In each module of config/settings/, every setting (an upper-case name) is assigned exactly once
  and never changed afterwards (no ``+=``, no ``X[...] = ``, no ``X.append(...)``): what a setting
  is can be read in one place. production.py and test.py override base.py's values, once each.
- The apps read settings as ``settings.X`` with X declared; never ``getattr(settings, "X", default)``,
  which hides a default outside the settings.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULES = sorted((ROOT / "config" / "settings").glob("*.py"))
NOT_APPS = {"tests", "bench", "scripts", "node_modules", "var"}
MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault", "pop", "remove", "clear", "add"}


def _start(**environ: str) -> subprocess.CompletedProcess[str]:
    env_vars = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **environ}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env_vars,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_typo_in_a_boolean_variable_stops_start_up_naming_the_variable_and_the_accepted_words():
    # Given DEBUG=ture (a typo for true); when a process sets Django up
    result = _start(DEBUG="ture")
    # then it stops, and says which variable is wrong and what it accepts
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert (
        "The environment variable DEBUG must be one of 1, true, yes, on, 0, false, no, off (in any case); "
        "it is 'ture'." in result.stderr
    )


def test_the_same_settings_start_with_a_correct_boolean():
    assert _start(DEBUG="False", STAFF_REQUIRE_2FA="ON").returncode == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("1", True), ("true", True), ("YES", True), ("On", True), (" on ", True)],
        *[("0", False), ("false", False), ("No", False), ("OFF", False)],
    ],
)
def test_env_bool_reads_each_accepted_word_in_any_case(monkeypatch, value, expected):
    monkeypatch.setenv("PORTAL_FLAG", value)
    assert env.env_bool("PORTAL_FLAG", not expected) is expected


@pytest.mark.parametrize("value", ["ture", "y", "enabled", "2", "-1", "truee", "none"])
def test_env_bool_refuses_any_other_word(monkeypatch, value):
    monkeypatch.setenv("PORTAL_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=r"PORTAL_FLAG must be one of 1, true, yes, on, 0, false"):
        env.env_bool("PORTAL_FLAG", False)


def test_an_unset_or_empty_variable_gives_the_default(monkeypatch):
    monkeypatch.delenv("PORTAL_FLAG", raising=False)
    assert env.env_bool("PORTAL_FLAG", True) is True
    monkeypatch.setenv("PORTAL_FLAG", "")
    assert env.env_bool("PORTAL_FLAG", False) is False
    assert env.env_int("PORTAL_FLAG", 7) == 7
    assert env.env_url("PORTAL_FLAG", "", schemes=["redis"]) == ""


@pytest.mark.parametrize("value", ["ten", "1.5", "1e3", "10s", "0x10", "١٠", "1_000"])
def test_env_int_refuses_anything_but_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("PORTAL_COUNT", value)
    with pytest.raises(ImproperlyConfigured, match=r"PORTAL_COUNT must be an integer; it is "):
        env.env_int("PORTAL_COUNT", 5)


def test_env_int_reads_a_whole_number_and_keeps_to_its_minimum(monkeypatch):
    monkeypatch.setenv("PORTAL_COUNT", " 42 ")
    assert env.env_int("PORTAL_COUNT", 5, minimum=1) == 42
    monkeypatch.setenv("PORTAL_COUNT", "0")
    with pytest.raises(
        ImproperlyConfigured, match=r"PORTAL_COUNT must be an integer of at least 1; it is '0'"
    ):
        env.env_int("PORTAL_COUNT", 5, minimum=1)


@pytest.mark.parametrize(
    "value",
    [
        "localhost:6379",  # no scheme
        "redis//localhost:6379/0",
        "http://localhost:6379/0",  # another scheme
        "redis://:6379/0",  # no host
        "redis://localhost:port/0",  # a port that is not a number
        "redis://local host:6379/0",
    ],
)
def test_env_url_refuses_a_url_it_cannot_use(monkeypatch, value):
    monkeypatch.setenv("PORTAL_URL", value)
    with pytest.raises(
        ImproperlyConfigured, match=r"PORTAL_URL must be a URL starting with redis:// or unix://"
    ):
        env.env_url("PORTAL_URL", "", schemes=["redis", "unix"])


def test_env_url_reads_urls_with_a_host_or_a_socket_path(monkeypatch):
    for value in ["redis://127.0.0.1:6379/15", "redis://:secret@redis.internal/0", "unix:///run/redis.sock"]:
        monkeypatch.setenv("PORTAL_URL", value)
        assert env.env_url("PORTAL_URL", "", schemes=["redis", "unix"]) == value


def test_env_choice_returns_the_choice_and_names_the_choices_when_refusing(monkeypatch):
    monkeypatch.setenv("PORTAL_LEVEL", "warning")
    assert env.env_choice("PORTAL_LEVEL", "INFO", ["INFO", "WARNING"]) == "WARNING"
    monkeypatch.setenv("PORTAL_LEVEL", "loud")
    with pytest.raises(
        ImproperlyConfigured, match=r"PORTAL_LEVEL must be one of INFO, WARNING; it is 'loud'"
    ):
        env.env_choice("PORTAL_LEVEL", "INFO", ["INFO", "WARNING"])


# --- Each setting assigned once --------------------------------------------------------------------


def _is_setting(name: str) -> bool:
    return name.isupper() and not name.startswith("_")


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _assigned_names(element)]
    if isinstance(target, ast.Starred):
        return _assigned_names(target.value)
    return []


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _offences(source: str) -> list[str]:
    """What breaks "assigned exactly once, never changed" in one settings module."""
    tree = ast.parse(source)
    seen: dict[str, int] = {}
    found: list[str] = []

    def assigned(name: str, node: ast.AST) -> None:
        if not _is_setting(name):
            return
        line = getattr(node, "lineno", 0)
        if name in seen:
            found.append(f"{name} assigned again on line {line} (first on line {seen[name]})")
        else:
            seen[name] = line

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _assigned_names(target):
                    assigned(name, node)
                if isinstance(target, ast.Subscript | ast.Attribute) and _is_setting(
                    _root_name(target) or ""
                ):
                    found.append(f"{_root_name(target)} changed after its definition on line {node.lineno}")
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr | ast.For | ast.comprehension):
            for name in _assigned_names(node.target):
                assigned(name, node)
        elif isinstance(node, ast.AugAssign):
            name = _root_name(node.target) or ""
            if _is_setting(name):
                found.append(f"{name} changed by augmented assignment on line {node.lineno}")
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if _is_setting(_root_name(target) or ""):
                    found.append(f"{_root_name(target)} deleted from on line {node.lineno}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MUTATING_METHODS
            and _is_setting(_root_name(node.func.value) or "")
        ):
            found.append(
                f"{_root_name(node.func.value)} changed by .{node.func.attr}() on line {node.lineno}"
            )
        elif isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                if alias.name != "*":
                    assigned(alias.asname or alias.name.split(".")[0], node)
    return found


@pytest.mark.parametrize("module", SETTINGS_MODULES, ids=[path.name for path in SETTINGS_MODULES])
def test_every_setting_is_assigned_once_and_never_changed_afterwards(module):
    assert _offences(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "offence"),
    [
        ("A = 1\nA = 2\n", "A assigned again on line 2"),
        ("if x:\n    A = 1\nelse:\n    A = 2\n", "A assigned again on line 4"),
        ("A = [1]\nA = [*A, 2]\n", "A assigned again on line 2"),
        ("A = 1\nA += 1\n", "A changed by augmented assignment on line 2"),
        ('A = {}\nA["k"] = 1\n', "A changed after its definition on line 2"),
        ('A = {"k": {}}\nA["k"]["j"] = 1\n', "A changed after its definition on line 2"),
        ("A = []\nA.append(1)\n", "A changed by .append() on line 2"),
        ("A = {}\nA.update(k=1)\n", "A changed by .update() on line 2"),
        ("from .base import A\nA = 2\n", "A assigned again on line 2"),
    ],
)
def test_the_settings_check_finds_each_kind_of_second_assignment(source, offence):
    assert any(found.startswith(offence) for found in _offences(source)), _offences(source)


def test_the_settings_check_lets_private_helpers_and_single_definitions_be():
    assert _offences("_x = 1\n_x = 2\nA = _x\nB = {'a': A}\nfor _name in B:\n    pass\n") == []


# --- No undeclared setting read ----------------------------------------------------------------------


def _app_sources() -> list[Path]:
    packages = [
        path for path in ROOT.iterdir() if (path / "__init__.py").exists() and path.name not in NOT_APPS
    ]
    return sorted(source for package in packages for source in package.rglob("*.py"))


def _settings_reads(source: str) -> tuple[list[str], list[str]]:
    """The names read as ``settings.X``, and each ``getattr(settings, ...)`` call, of one module."""
    tree = ast.parse(source)
    names: list[str] = []
    getattrs: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "settings"
            and _is_setting(node.attr)
            and isinstance(node.ctx, ast.Load)
        ):
            names.append(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
        ):
            getattrs.append(f"line {node.lineno}: {ast.unparse(node)}")
    return names, getattrs


def test_the_apps_read_no_setting_through_getattr_with_a_default_of_their_own():
    found = {}
    for path in _app_sources():
        _names, getattrs = _settings_reads(path.read_text(encoding="utf-8"))
        if getattrs:
            found[str(path.relative_to(ROOT))] = getattrs
    assert found == {}


def test_every_setting_the_apps_read_is_declared():
    undeclared = {}
    for path in _app_sources():
        names, _getattrs = _settings_reads(path.read_text(encoding="utf-8"))
        missing = sorted({name for name in names if not hasattr(django_settings, name)})
        if missing:
            undeclared[str(path.relative_to(ROOT))] = missing
    assert undeclared == {}


def test_the_apps_check_sees_getattr_on_the_settings():
    _names, getattrs = _settings_reads('x = getattr(settings, "PORTAL_SOMETHING", 5)\n')
    assert getattrs == ["line 1: getattr(settings, 'PORTAL_SOMETHING', 5)"]
    names, _ = _settings_reads("y = settings.PORTAL_LIST_PAGE_SIZE\n")
    assert names == ["PORTAL_LIST_PAGE_SIZE"]
