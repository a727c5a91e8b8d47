"""Staff search of guarantees in the admin: the same matches as Django's own search over 保証契約番号,
工事名, 保証契約者 and 発注者, answered from the trigram indexes on PostgreSQL."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from demo import brochure
from guarantees.models import Guarantee
from guarantees.search import staff_search
from tests.factories import ContractorFactory, OrdererFactory, register_guarantee


@pytest.fixture
def staff_client(client, db):
    brochure.seed_brochure()
    client.login(username=brochure.STAFF_LOGIN, password=brochure.STAFF_PASSWORD)
    return client


@pytest.fixture
def guarantees(db):
    harbour = OrdererFactory(title="鹿児島県知事 港湾空港課")
    river = OrdererFactory(title="宮崎県知事 河川課")
    sakura = ContractorFactory(company_name="桜島建設株式会社")
    aso = ContractorFactory(company_name="阿蘇組")
    return {
        "harbour": register_guarantee(orderer=harbour, contractor=aso, work_name="鹿児島港 岸壁改良工事"),
        "river": register_guarantee(orderer=river, contractor=sakura, work_name="大淀川 護岸工事 その2"),
        "percent": register_guarantee(orderer=river, contractor=aso, work_name="100%出来高 舗装工事"),
    }


def _numbers(response) -> set[str]:
    page = response.content.decode()
    return {number for number in Guarantee.objects.values_list("number", flat=True) if number in page}


def test_staff_find_guarantees_by_work_name_orderer_contractor_and_number(staff_client, guarantees):
    url = reverse("admin:guarantees_guarantee_changelist")
    harbour, river, percent = guarantees["harbour"], guarantees["river"], guarantees["percent"]
    # by part of 工事名, 発注者, 保証契約者 and 保証契約番号
    assert _numbers(staff_client.get(url, {"q": "岸壁"})) == {harbour.number}
    assert _numbers(staff_client.get(url, {"q": "河川課"})) == {river.number, percent.number}
    assert _numbers(staff_client.get(url, {"q": "桜島建設"})) == {river.number}
    assert _numbers(staff_client.get(url, {"q": river.number[-6:]})) == {river.number}
    # several words: every word must match (here one in 工事名 and one in 発注者)
    assert _numbers(staff_client.get(url, {"q": "護岸 宮崎県"})) == {river.number}
    # a quoted phrase is one term; % and _ are plain characters
    assert _numbers(staff_client.get(url, {"q": '"大淀川 護岸"'})) == {river.number}
    assert _numbers(staff_client.get(url, {"q": "100%"})) == {percent.number}
    assert _numbers(staff_client.get(url, {"q": "_"})) == set()


def test_the_staff_search_matches_what_djangos_own_admin_search_matches(guarantees, admin_user):
    model_admin = admin.site._registry[Guarantee]
    request = RequestFactory().get("/admin/guarantees/guarantee/")
    request.user = admin_user
    for term in [
        "工事",
        "河川",
        "阿蘇",
        "鹿児島 岸壁",
        "該当なし",
        "100%",
        guarantees["harbour"].number,
        guarantees["harbour"].number[3:],
        "10",
    ]:
        ours = set(staff_search(Guarantee.objects.all(), term).values_list("pk", flat=True))
        django_own, _duplicates = admin.ModelAdmin.get_search_results(
            model_admin, request, Guarantee.objects.all(), term
        )
        assert ours == set(django_own.values_list("pk", flat=True)), term


def _plan(term: str) -> str:
    # A table so small that PostgreSQL would rather scan it: forbid scans to see which indexes the
    # search can use at all.
    query = staff_search(Guarantee.objects.order_by("-pk"), term).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_is_answered_from_the_trigram_indexes(guarantees):
    # when staff search by a word of a work name, and by digits of a number
    by_word = _plan("護岸工事")
    by_digits = _plan(guarantees["harbour"].number[3:])

    # then the work name's trigram index answers the word, without the number (digits only)
    assert "guarantee_work_name_trgm" in by_word
    assert "guarantee_number_trgm" not in by_word
    assert "guarantee_number_trgm" in by_digits
    for plan in (by_word, by_digits):
        assert "Seq Scan on guarantees_guarantee" not in plan


def test_a_search_of_short_terms_walks_the_newest_first_instead_of_sorting_every_match(guarantees):
    # when every term is shorter than a trigram
    short = staff_search(Guarantee.objects.all(), "工事 河川")
    indexed = staff_search(Guarantee.objects.all(), "護岸工事")

    # then the order is the primary key's, which the page walks from the newest
    assert short.query.order_by == ("-pk",)
    assert indexed.query.order_by != ("-pk",)
