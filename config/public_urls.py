"""The written list of URLs anyone may open without logging in, each with its reason.

``tests/test_url_access.py`` walks every URL pattern as an anonymous user: a pattern on this list may
answer; every other one must deny (redirect to a login, 403, 404 or 405).
"""

PUBLIC_URL_NAMES: dict[str, str] = {
    "healthz": "load balancers and monitoring poll it; it shows no data",
    "set_language": "switching the screens between Japanese and English needs no login",
    "accounts:login": "contractors log in here",
    "accounts:login_code": (
        "the login's code step comes before there is a logged-in user; it acts only on a signed "
        "pending login of the same session, valid 5 minutes"
    ),
    "admin:login": "staff log in here (with a TOTP code in production)",
    "admin:logout": "logging out needs no login and shows nothing",
    "accounts:logout": "logging out needs no login and shows nothing",
    "accounts:password_reset": "a contractor who forgot the password asks for a reset mail",
    "accounts:password_reset_done": "says the reset mail was sent (the same for unknown addresses)",
    "accounts:password_reset_confirm": "the link in the reset mail; valid only with its signed token",
    "accounts:password_reset_complete": "says the password was reset",
    "certificates:manual": "the help page for the screens, readable before logging in",
    "certificates:signature_help": (
        "how to check the PDFs' signature and the receipt's SHA-256; orderers read it without an account"
    ),
    "verification:verify": "orderers verify a certificate with its number and key, without an account",
    "verification:result": "the verified result, opened only with a signed, expiring token (410 otherwise)",
    "api:verifications": "orderers' e-contract systems verify certificates (limited like the page)",
    "api:schema": "the API's OpenAPI description for orderers' system vendors",
    "api:docs": "readable API documentation for orderers' system vendors",
}

# Whole namespaces that are public by design.
PUBLIC_NAMESPACES: dict[str, str] = {}
