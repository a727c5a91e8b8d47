"""Staff search of guarantees by 保証契約番号, 工事名, 保証契約者 and 発注者 (Django admin's search box).

Django's admin ORs ``UPPER(col) LIKE UPPER(%term%)`` over the guarantee and the joined contractor and
orderer; an OR across joined tables cannot use an index, so PostgreSQL scans every guarantee
(100,000 rows: hundreds of milliseconds). Here each term first finds the matching contractors and
orderers (small tables, one short query each), then is one condition on the guarantee table alone:

    UPPER(number::text) LIKE … OR UPPER(work_name::text) LIKE …
    OR contractor_id IN (…found…) OR orderer_id IN (…found…)

Every branch has an index on the guarantee table (the trigram indexes of migration 0002 on exactly
these ``UPPER(col::text)`` expressions, which ``icontains`` compiles to, the GiST one of migration
0006 on the 工事名, and the foreign-key indexes); a term that is not all digits cannot be in a
number (ten digits) and leaves the number out. The planner combines them with a BitmapOr, or walks
the primary key when a term matches so many rows that the first page fills at once. The ids are
constants, not a subquery, so that the planner's estimates are right: with a subquery it guessed
thousands of matches for one contractor and walked the whole table. Terms are split as the admin
splits them (quotes keep words together) and ANDed; matching is the admin's ``icontains``.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from .models import Contractor, Guarantee, Orderer

#: The shortest term a trigram index can find (pg_trgm: three characters).
MIN_INDEXED_LENGTH = 3


def search_terms(search: str) -> list[str]:
    """The admin's splitting: words, and quoted phrases as one term."""
    terms = []
    for bit in smart_split(search):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def _term_condition(term: str) -> Q:
    contractors = list(Contractor.objects.filter(company_name__icontains=term).values_list("pk", flat=True))
    orderers = list(Orderer.objects.filter(title__icontains=term).values_list("pk", flat=True))
    # A number is ten ASCII digits (a check constraint): a term with anything else cannot be in one.
    by_number = Q(number__icontains=term) if term.isascii() and term.isdigit() else Q(pk__in=[])
    return (
        by_number
        | Q(work_name__icontains=term)
        | Q(contractor_id__in=contractors)
        | Q(orderer_id__in=orderers)
    )


def staff_search(queryset: QuerySet[Guarantee], search: str) -> QuerySet[Guarantee]:
    """``queryset`` narrowed to guarantees matching every term of ``search``, newest first.

    The order is the change list's (newest registration first), written as ``id + 0`` so that it
    cannot be read from the primary key's index: otherwise, for ``LIMIT 50``, the planner often
    walks that index filtering row by row (tens of milliseconds for a term with few matches)
    instead of collecting the matches from the trigram indexes and sorting them (about a
    millisecond). The change list adds ``-pk`` after it, which changes nothing.

    A term of one or two characters has no trigram, so no index can answer it and PostgreSQL reads
    the whole table whatever the order. The matches stay those of Django's search (a short name or
    a two-digit part of a number is a real search); only when every term is that short is the order
    the plain ``-pk``, so that the page walks the primary key from the newest and stops at 50 matches
    (such terms match many rows: a few hundred rows read). Its count still reads the whole table."""
    terms = search_terms(search)
    for term in terms:
        queryset = queryset.filter(_term_condition(term))
    if terms and all(len(term) < MIN_INDEXED_LENGTH for term in terms):
        return queryset.order_by("-pk")
    return queryset.order_by(ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField()).desc())
