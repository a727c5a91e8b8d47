"""Every URL pattern, opened by an anonymous visitor, is on the written public list or denies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.public_urls import PUBLIC_NAMESPACES, PUBLIC_URL_NAMES

SAMPLE_VALUES = {
    "int": "1",
    "str": "1070000473",
    "contract_number": "1070000473",
    "slug": "sample",
    "path": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
DENIALS = {302, 401, 403, 404, 405}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_namespace = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry, prefix + str(entry.pattern), child_namespace)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name or ""]))
            yield name, namespace, prefix + str(entry.pattern)


def _sample_path(pattern: str) -> str | None:
    import re

    if pattern.startswith("^") or "(?P" in pattern:
        return None  # regex patterns (admin internals) are covered through their named routes

    def fill(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_VALUES.get(converter, "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, pattern)


ROUTES = sorted(
    {(name, ns, path) for name, ns, path in _walk(get_resolver()) if _sample_path(path) is not None}
)


def test_the_public_list_names_only_routes_that_exist():
    names = {name for name, _ns, _path in ROUTES}
    assert set(PUBLIC_URL_NAMES) <= names


@pytest.mark.parametrize(("name", "namespace", "pattern"), ROUTES, ids=[f"{r[0] or r[2]}" for r in ROUTES])
def test_an_anonymous_visitor_is_let_in_only_where_the_public_list_says(client, db, name, namespace, pattern):
    path = _sample_path(pattern)
    assert path is not None
    response = client.get(path)
    public = name in PUBLIC_URL_NAMES or any(
        namespace == ns or namespace.startswith(ns + ":") for ns in PUBLIC_NAMESPACES
    )
    if public:
        assert response.status_code < 500, f"{path} answered {response.status_code}"
    else:
        assert response.status_code in DENIALS, (
            f"{path} ({name}) is not on the public list but answered {response.status_code}"
        )
        if response.status_code == 302:
            location = response["Location"]
            assert "/login/" in location, f"{path} redirected an anonymous visitor to {location}"
