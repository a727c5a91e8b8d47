"""Staff search of guarantees by 保証契約番号, 工事名, 保証契約者 and 発注者 (Django admin's search box).

Django's admin ORs ``UPPER(col) LIKE UPPER(%term%)`` over the guarantee and the joined contractor and
orderer; an OR across joined tables cannot use an index, so PostgreSQL scans every guarantee
(100,000 rows: hundreds of milliseconds). Here each term is one condition on the guarantee table:

    UPPER(number) LIKE … OR UPPER(work_name) LIKE …
    OR contractor_id = ANY(ARRAY(SELECT id FROM contractor WHERE UPPER(company_name) LIKE …))
    OR orderer_id = ANY(ARRAY(SELECT id FROM orderer WHERE UPPER(title) LIKE …))

The ``ARRAY(…)`` subqueries run once (small tables, trigram-indexed), and every branch of the OR then
has an index on the guarantee table (the trigram indexes of migration 0002 on exactly these
``UPPER(col::text)`` expressions, and the foreign-key indexes), so the planner combines them with a
BitmapOr. The matching ids are themselves collected into an array first: otherwise the admin's
``ORDER BY … LIMIT 50`` tempts the planner into walking the primary key and filtering every row.
Terms are split as the admin splits them (quotes keep words together) and ANDed. Matching is the
same as the admin's ``icontains``. Other databases (SQLite in ``make run``) keep the admin's own
search.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.text import smart_split, unescape_string_literal

from .models import Contractor, Guarantee, Orderer


def search_terms(search: str) -> list[str]:
    """The admin's splitting: words, and quoted phrases as one term."""
    terms = []
    for bit in smart_split(search):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def _term_sql(term: str) -> tuple[str, list[str]]:
    table = connection.ops.quote_name(Guarantee._meta.db_table)
    contractors = connection.ops.quote_name(Contractor._meta.db_table)
    orderers = connection.ops.quote_name(Orderer._meta.db_table)
    pattern = f"%{connection.ops.prep_for_like_query(term)}%"
    # Table names come from the models, the term only ever as a parameter.
    matching = (
        f'SELECT "id" FROM {table} WHERE UPPER("number"::text) LIKE UPPER(%s)'  # noqa: S608
        ' OR UPPER("work_name"::text) LIKE UPPER(%s)'
        ' OR "contractor_id" = ANY(ARRAY('
        f'SELECT "id" FROM {contractors} WHERE UPPER("company_name"::text) LIKE UPPER(%s)))'
        ' OR "orderer_id" = ANY(ARRAY('
        f'SELECT "id" FROM {orderers} WHERE UPPER("title"::text) LIKE UPPER(%s)))'
    )
    # The matching ids are collected first (one InitPlan), so the admin's ORDER BY … LIMIT walks
    # only them instead of filtering the whole table in key order.
    return f'{table}."id" = ANY(ARRAY({matching}))', [pattern] * 4


def staff_search(queryset: QuerySet[Guarantee], search: str) -> QuerySet[Guarantee]:
    """``queryset`` narrowed to guarantees matching every term of ``search`` (PostgreSQL)."""
    for term in search_terms(search):
        sql, params = _term_sql(term)
        queryset = queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    return queryset
