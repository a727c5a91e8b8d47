"""Orderers' verification pages: /verify/ (the form), the result via a signed token, and
閲覧履歴 for contractors. Every response is ``Cache-Control: no-store``; the key is never echoed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from guarantees.numbers import is_well_formed_contract_number, normalize_contract_number

from . import ratelimit, selectors
from .errors import VerificationError
from .forms import VerifyForm
from .models import VerificationAttempt
from .services import verification_perform

_STATUS = {"invalid": 400, "not_found": 404, "throttled": 429, "unavailable": 503}


#: Query parameters that would carry a key. A key in an address reaches browser histories, proxies
#: and access logs, so it is never read from there (only from the fragment, by verify-prefill.js).
_KEY_PARAMETERS = {"key", "auth_key", "authkey", "ninsho_key"}


def _without_key(request: HttpRequest, number: str) -> HttpResponse:
    """Drop a key given in the query: the same page without it (the number kept), and say why."""
    messages.warning(
        request,
        _(
            "認証キーはアドレス（URL）に含めず、下の欄に入力してください。"
            "アドレスに含まれていた認証キーは使用していません。"
        ),
    )
    target = reverse("verification:verify")
    if number:
        target += "?" + urlencode({"number": number})
    return HttpResponseRedirect(target, status=303)


@never_cache
@sensitive_post_parameters("auth_key")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # The key notice's QR code names the number in the query; the key stays in the fragment.
        number = normalize_contract_number(request.GET.get("number", ""))[:10]
        initial = {"contract_number": number} if is_well_formed_contract_number(number) else {}
        if _KEY_PARAMETERS & set(request.GET):
            return _without_key(request, initial.get("contract_number", ""))
        return render(request, "verification/verify.html", {"form": VerifyForm(initial=initial)})
    form = VerifyForm(request.POST)
    form.is_valid()  # the fields accept anything; verification_input judges the values
    try:
        verification = verification_perform(
            contract_number=form.cleaned_data.get("contract_number", ""),
            auth_key=form.cleaned_data.get("auth_key", ""),
            client=ratelimit.client_of(request),
            channel=VerificationAttempt.Channel.PAGE,
        )
    except VerificationError as exc:
        for field, messages in exc.field_errors.items():
            for message in messages:
                form.add_error(field, message)
        if not exc.field_errors:
            form.add_error(None, exc.message)
        response = render(
            request,
            "verification/verify.html",
            {"form": form, "error_code": exc.code},
            status=_STATUS[exc.code],
        )
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    return HttpResponseRedirect(reverse("verification:result", args=[verification.access_token]), status=303)


@never_cache
@require_GET
def result(request: HttpRequest, token: str) -> HttpResponse:
    version = request.GET.get("version", "")
    verified = selectors.verified_certificate(
        token=token, version=int(version) if version.isdigit() else None
    )
    if verified is None:
        response = render(request, "verification/expired.html", status=410)
    else:
        banner = selectors.certificate_status(guarantee=verified.guarantee, versions=verified.versions)
        response = render(
            request,
            "verification/result.html",
            {
                "verified": verified,
                "certificate": verified.certificate,
                "banner": banner,
                "extension_note": selectors.period_extension_note(banner, verified.certificate),
                "is_newest": verified.certificate.pk == verified.newest.pk,
                "access_token": token,
            },
        )
    # The token is in this page's URL: never send it on to another site.
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@login_required
@require_GET
def history(request: HttpRequest, number: str) -> HttpResponse:
    guarantee = selectors.guarantee_of_contractor(user=request.user, number=number)  # type: ignore[arg-type]
    if guarantee is None:
        raise Http404
    page = Paginator(selectors.verification_history(guarantee=guarantee), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "verification/history.html", {"guarantee": guarantee, "page": page})
