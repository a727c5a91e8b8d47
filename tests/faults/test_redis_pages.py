"""Pages that need Redis, with a real Redis stopped or paused: a Japanese page that says what
happened (503 with Retry-After), never the 500 page, and nothing counted or stored half-way."""

from __future__ import annotations

import json

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.middleware import ServiceUnavailableMiddleware
from tests.factories import issue_guarantee
from verification.models import VerificationAttempt

from .conftest import FAULTS, break_redis

pytestmark = pytest.mark.django_db

KEY = "K5VL4+5QG_KJ"


@pytest.mark.parametrize("fault", FAULTS)
def test_verification_with_its_redis_stopped_or_paused_fails_closed_with_a_japanese_page(
    private_redis, settings, client, contractor_a, fault
):
    # given the verification limiter's Redis stopped or paused
    guarantee = issue_guarantee(contractor=contractor_a, key=KEY)
    settings.VERIFICATION_REDIS_URL = private_redis.url
    break_redis(private_redis, fault)

    # when an orderer verifies with the right key on the page and through the API
    page = client.post("/verify/", {"contract_number": guarantee.number, "auth_key": KEY})
    api = client.post(
        "/api/v1/verifications",
        {"contract_number": guarantee.number, "auth_key": KEY},
        content_type="application/json",
    )

    # then both refuse with 503, say so in Japanese and ask to come back; nothing is shown
    assert page.status_code == api.status_code == 503
    assert "現在、証書の確認を受け付けられません" in page.content.decode()
    assert guarantee.work_name not in page.content.decode()
    assert page["Retry-After"]
    assert api["Retry-After"]
    assert set(VerificationAttempt.objects.values_list("outcome", flat=True)) == {"unavailable"}


@pytest.mark.parametrize("fault", FAULTS)
def test_any_page_whose_redis_fails_answers_503_in_japanese_not_500(private_redis, fault):
    # given a page that reads the cache in a Redis that is then stopped or paused
    cache = RedisCache(private_redis.url, {"OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}})
    break_redis(private_redis, fault)

    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(cache.get("anything")))

    request = RequestFactory().get("/somewhere/")
    request.request_id = "TEST"
    middleware = ServiceUnavailableMiddleware(page)

    # when the page raises Redis's error
    with pytest.raises(redis.RedisError) as raised:
        page(request)
    response = middleware.process_exception(request, raised.value)

    # then the portal answers 503 with the Japanese explanation and Retry-After
    assert response is not None
    assert response.status_code == 503
    assert "一時的にご利用いただけません" in response.content.decode()
    assert "入力した内容は保存されていません" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_an_api_call_whose_redis_fails_answers_503_in_the_apis_json_shape():
    request = RequestFactory().get("/api/v1/changes")
    request.request_id = "TEST"
    middleware = ServiceUnavailableMiddleware(lambda r: HttpResponse())
    # when an API view raises Redis's error
    response = middleware.process_exception(request, redis.ConnectionError("down"))
    # then the system gets the documented {"code", "message"} body with Retry-After
    assert response is not None
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "unavailable"
    assert "入力した内容は保存されていません" in json.loads(response.content)["message"]
    assert response["Retry-After"] == "60"


def test_other_errors_are_left_to_the_500_page():
    request = RequestFactory().get("/somewhere/")
    assert (
        ServiceUnavailableMiddleware(lambda r: HttpResponse()).process_exception(request, KeyError("x"))
        is None
    )
