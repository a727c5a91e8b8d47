"""What every app of the portal shares, below them all: the one error type, the client's address,
request ids, log redaction, the limits' Redis client and in-process counters, work handed on after
a commit, the typed-date and yen form fields, and the admin's base classes.

A plain package, not a Django app: it has no models, and it imports no app of the portal
(docs/architecture.md).
"""
