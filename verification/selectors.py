"""Reads for verification: the result screen, the status banner, 閲覧履歴 and the admin alert."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, Max, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from authkeys.models import AuthKey
from certificates.models import Certificate
from certificates.selectors import contractor_guarantee
from certificates.tokens import read_verified_access_token
from guarantees.formatting import to_wareki
from guarantees.models import Guarantee

# The banner is the portal's one status decision (guarantees.status), re-exported for the views.
from guarantees.status import StatusBanner
from guarantees.status import certificate_status as certificate_status

from .models import VerificationAttempt


@dataclass(frozen=True)
class VerifiedCertificate:
    guarantee: Guarantee
    certificate: Certificate  # the version shown
    versions: list[Certificate]  # newest first
    verification_id: int | None

    @property
    def newest(self) -> Certificate:
        return self.versions[0]


def period_extension_note(banner: StatusBanner, certificate: Certificate) -> str:
    if banner.period_extended_to is None:
        return ""
    return _(
        "工期の延長に伴い、保証期間は%(to)sまで自動的に延長されています（証書の記載は%(printed)s）。"
    ) % {"to": to_wareki(banner.period_extended_to), "printed": to_wareki(certificate.guarantee_period_end)}


def verified_certificate(*, token: str, version: int | None = None) -> VerifiedCertificate | None:
    """The certificate an access token grants (its newest version unless ``version`` names another),
    or None when the token is forged or expired. Two queries."""
    access = read_verified_access_token(token)
    if access is None:
        return None
    granted = Certificate.objects.select_related("guarantee").filter(pk=access.certificate_id).first()
    if granted is None:
        return None
    versions = list(Certificate.objects.filter(guarantee_id=granted.guarantee_id).order_by("-version"))
    shown = next((c for c in versions if c.version == version), versions[0])
    return VerifiedCertificate(
        guarantee=granted.guarantee,
        certificate=shown,
        versions=versions,
        verification_id=access.verification_id,
    )


# --- 閲覧履歴 for contractors ------------------------------------------------------------------------


def guarantee_of_contractor(*, user: User, number: str) -> Guarantee | None:
    """The guarantee ``number`` when it belongs to the user's contractor; None otherwise (→ 404)."""
    if not user.is_authenticated or user.contractor is None:
        return None
    return contractor_guarantee(contractor=user.contractor, number=number)


def verification_history(*, guarantee: Guarantee) -> QuerySet[VerificationAttempt]:
    """When orderers viewed this guarantee: its successful verifications, newest first."""
    return (
        VerificationAttempt.objects.filter(guarantee=guarantee, outcome=VerificationAttempt.Outcome.SUCCESS)
        .select_related("certificate")
        .only("created_at", "channel", "certificate__version", "certificate__is_change")
        .order_by("-created_at", "-id")
    )


def last_views(*, guarantee_ids: list[int]) -> dict[int, tuple[dt.datetime, int]]:
    """For a list page: guarantee id → (last view, number of views). One query."""
    rows = (
        VerificationAttempt.objects.filter(
            guarantee_id__in=guarantee_ids, outcome=VerificationAttempt.Outcome.SUCCESS
        )
        .values("guarantee_id")
        .annotate(last=Max("created_at"), views=Count("id"))
    )
    return {row["guarantee_id"]: (row["last"], row["views"]) for row in rows}


# --- Staff: the failure spike alert ----------------------------------------------------------------


@dataclass(frozen=True)
class FailureSpike:
    failures: int
    threshold: int
    window_minutes: int
    numbers: int  # distinct contract numbers among them


def failure_spike(*, now: dt.datetime | None = None) -> FailureSpike | None:
    """Failed verifications within ``VERIFICATION_ALERT_WINDOW`` when they reach
    ``VERIFICATION_ALERT_FAILURES``; None when quiet. One query on an index."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.VERIFICATION_ALERT_WINDOW)
    counts = VerificationAttempt.objects.filter(
        outcome__in=[VerificationAttempt.Outcome.FAILURE, VerificationAttempt.Outcome.THROTTLED],
        created_at__gte=since,
    ).aggregate(failures=Count("id"), numbers=Count("contract_number", distinct=True))
    if counts["failures"] < settings.VERIFICATION_ALERT_FAILURES:
        return None
    return FailureSpike(
        failures=counts["failures"],
        threshold=settings.VERIFICATION_ALERT_FAILURES,
        window_minutes=settings.VERIFICATION_ALERT_WINDOW // 60,
        numbers=counts["numbers"],
    )


# --- The key lookup of a verification --------------------------------------------------------------


@dataclass(frozen=True)
class KeyCandidate:
    """A number's live key digest with its guarantee and every certificate version, newest first."""

    digest: str
    guarantee: Guarantee
    versions: list[Certificate]


Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _key_candidates_sql() -> tuple[str, list[str], list[str], list[tuple[int, list[Converter], Col]]]:
    """The lookup's SQL, built once from the models' columns (the ORM's compilation of this join
    cost more CPU than everything else in a verification), and the converters the ORM would apply to
    its columns (the database backend's and the fields' own: on SQLite a naive datetime becomes
    aware, on both a JSON text becomes its value)."""
    quote = connection.ops.quote_name
    guarantee_fields = [f.attname for f in Guarantee._meta.concrete_fields]
    certificate_fields = [f.attname for f in Certificate._meta.concrete_fields]
    g, c, k = (
        quote(Guarantee._meta.db_table),
        quote(Certificate._meta.db_table),
        quote(AuthKey._meta.db_table),
    )
    columns = ", ".join(
        [f"{k}.{quote('digest')}"]
        + [f"{g}.{quote(column)}" for column in _columns(Guarantee)]
        + [f"{c}.{quote(column)}" for column in _columns(Certificate)]
    )
    # Only quoted table and column names of our own models are interpolated; the numbers are
    # parameters (``{numbers}`` becomes one placeholder per number).
    sql = (
        f"SELECT {columns} FROM {g}"  # noqa: S608
        f" JOIN {k} ON {k}.{quote('guarantee_id')} = {g}.{quote('id')} AND {k}.{quote('revoked_at')} IS NULL"
        f" JOIN {c} ON {c}.{quote('guarantee_id')} = {g}.{quote('id')}"
        f" WHERE {g}.{quote('number')} IN ({{numbers}})"
        f" ORDER BY {g}.{quote('id')}, {c}.{quote('version')} DESC"
    )
    selected = [
        (model._meta.db_table, field)
        for model in (Guarantee, Certificate)
        for field in model._meta.concrete_fields
    ]
    converters = []
    for position, (table, field) in enumerate(selected, start=1):
        column = Col(table, field)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, found, column))
    return sql, guarantee_fields, certificate_fields, converters


def _columns(model: type[models.Model]) -> list[str]:
    return [str(f.column) for f in model._meta.concrete_fields]


def key_candidates(*, numbers: list[str]) -> dict[str, KeyCandidate]:
    """Number → its live key and certificates, for the electronic guarantees among ``numbers``.
    One query however many numbers: each guarantee joined to its live key and to its certificate
    versions (a paper guarantee, with neither, is simply absent)."""
    if not numbers:
        return {}
    sql, guarantee_fields, certificate_fields, converters = _key_candidates_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql.format(numbers=", ".join(["%s"] * len(numbers))), list(numbers))
        rows = cursor.fetchall()
    db = connection.alias
    split = 1 + len(guarantee_fields)
    number_at = guarantee_fields.index("number")
    found: dict[str, KeyCandidate] = {}
    cached_guarantee = Certificate._meta.get_field("guarantee")
    for fetched in rows:
        row = list(fetched)
        for position, field_converters, column in converters:
            value = row[position]
            for converter in field_converters:
                value = converter(value, column, connection)
            row[position] = value
        digest, guarantee_values = row[0], row[1:split]
        number = guarantee_values[number_at]
        candidate = found.get(number)
        if candidate is None:
            guarantee = Guarantee.from_db(db, guarantee_fields, guarantee_values)
            candidate = found[number] = KeyCandidate(digest=digest, guarantee=guarantee, versions=[])
        certificate = Certificate.from_db(db, certificate_fields, row[split:])
        cached_guarantee.set_cached_value(certificate, candidate.guarantee)
        candidate.versions.append(certificate)
    return found
