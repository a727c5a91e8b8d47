"""Reads for the contractors' screens: 保証工事一覧 and certificate versions.

The list is one query for the page and one for the count, whatever the number of guarantees, both on
the guarantee table alone (and the orderer, joined for the page): the latest certificate's number,
date and (変更) mark are columns of the guarantee (written when a version is issued), so neither query
looks up a certificate.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import reduce
from operator import and_

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guarantees.models import Contractor, Guarantee
from guarantees.numbers import normalize_contract_number

from .models import Certificate

#: The field selector of the search box (全件 / 保証契約番号 / 発注者 / 工事名).
SEARCH_FIELDS: list[tuple[str, object]] = [
    ("all", _("全件")),
    ("number", _("保証契約番号")),
    ("orderer", _("発注者")),
    ("work", _("工事名")),
]
#: The status filter. Empty: every guarantee (the brochure's first view shows everything).
STATUS_FILTERS: list[tuple[str, object]] = [
    ("", _("すべて")),
    ("current", _("有効")),
    ("past", _("過去の保証")),
]
MAX_QUERY_LENGTH = 100


def search_terms(query: str) -> list[str]:
    """Words of a search: full-width spaces count as spaces; at most ``MAX_QUERY_LENGTH`` characters."""
    return query.replace("\u3000", " ")[:MAX_QUERY_LENGTH].split()


def _term_condition(field: str, term: str) -> Q:
    number = normalize_contract_number(term)
    by_number = Q(number__contains=number) if number.isdigit() and number.isascii() else Q(pk__in=[])
    by_orderer = Q(orderer__title__icontains=term)
    # Names typed with full-width letters or digits also find names stored with ASCII, and back.
    folded = unicodedata.normalize("NFKC", term)
    by_work = Q(work_name__icontains=term) | Q(work_name__icontains=folded)
    if field == "number":
        return by_number
    if field == "orderer":
        return by_orderer | Q(orderer__title__icontains=folded)
    if field == "work":
        return by_work
    return by_number | by_orderer | by_work


def contractor_guarantees(
    *, contractor: Contractor, field: str = "all", query: str = "", status: str = "", today: dt.date
) -> QuerySet[Guarantee]:
    """The contractor's guarantees with at least one certificate, newest first, for 保証工事一覧,
    with their orderer (``latest_certificate_issued_on`` and ``latest_certificate_is_change`` are the
    latest version's 証書発行日 and 変更契約 mark)."""
    guarantees = Guarantee.objects.filter(contractor=contractor, latest_certificate_version__isnull=False)
    if status == "current":
        guarantees = guarantees.current(today=today)
    elif status == "past":
        guarantees = guarantees.past(today=today)
    terms = search_terms(query)
    if terms:
        guarantees = guarantees.filter(reduce(and_, [_term_condition(field, term) for term in terms]))
    return guarantees.select_related("orderer").order_by("-concluded_on", "-number")


def contractor_guarantee(*, contractor: Contractor, number: str) -> Guarantee | None:
    """One of the contractor's guarantees by its number (normalised), or None: another contractor's
    number and a number that does not exist look the same."""
    number = normalize_contract_number(number)
    return (
        Guarantee.objects.filter(contractor=contractor, number=number)
        .select_related("orderer", "branch__company")
        .first()
    )


def guarantee_certificate_versions(*, guarantee: Guarantee) -> list[Certificate]:
    """Every certificate version of a guarantee, latest first."""
    return list(Certificate.objects.filter(guarantee=guarantee).order_by("-version"))


__all__ = [
    "SEARCH_FIELDS",
    "STATUS_FILTERS",
    "contractor_guarantee",
    "contractor_guarantees",
    "guarantee_certificate_versions",
]
