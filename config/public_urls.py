"""The written list of URLs anyone may open without logging in, each with its reason.

``tests/test_url_access.py`` walks every URL pattern as an anonymous user: a pattern on this list may
answer; every other one must deny (redirect to a login, 403, 404 or 405).
"""

PUBLIC_URL_NAMES: dict[str, str] = {
    "healthz": "load balancers and monitoring poll it; it shows no data",
    "accounts:login": "contractors log in here",
    "admin:login": "staff log in here (with a TOTP code in production)",
    "admin:logout": "logging out needs no login and shows nothing",
    "accounts:logout": "logging out needs no login and shows nothing",
}

# Whole namespaces that are public by design.
PUBLIC_NAMESPACES: dict[str, str] = {}
