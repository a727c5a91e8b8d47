"""Pages of the notifications app: 発注者へ提出, 受領確認, and change subscriptions.

Links in mail only ever show a page with a button; the state changes on POST, so a mail scanner that
opens links cannot confirm a receipt or a subscription on the recipient's behalf.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from certificates.tokens import read_verified_access_token
from guarantees.formatting import slash_time
from guarantees.models import Guarantee
from portal.client_address import client_address

from . import selectors, submissions, subscriptions
from .errors import NotificationError
from .forms import SubmitForm, SubscribeForm


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, guarantee_id: int) -> HttpResponse:
    """「発注者へ提出」: POST from the contractor's key screen (GET shows a page to choose the department)."""
    user = request.user
    if not isinstance(user, User) or user.contractor_id is None:
        raise Http404
    guarantee = get_object_or_404(
        Guarantee.objects.select_related("orderer", "orderer_department"),
        pk=guarantee_id,
        contractor_id=user.contractor_id,
    )
    form = SubmitForm(request.POST if request.method == "POST" else None, guarantee=guarantee)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submissions.key_submission_submit(
                guarantee=guarantee, submitted_by=user, department=form.cleaned_data["department"]
            )
        except NotificationError as exc:
            if exc.code != "choose_department" or "department" in request.POST:
                form.add_error(None, exc.message)
            else:
                # 「発注者へ提出」 on the key screen of a guarantee without a registered department, for
                # an orderer with several: straight to the choice, not an error.
                messages.info(request, exc.message)
                choice = reverse("notifications:submit", args=[guarantee.pk])
                back = _back(request, "")
                return HttpResponseRedirect(f"{choice}?{urlencode({'next': back})}" if back else choice)
        else:
            messages.success(
                request,
                _("%(to)s へ認証キーを提出しました（%(when)s）。受領確認があると一覧に表示されます。")
                % {"to": submission.department_name, "when": slash_time(submission.submitted_at)},
            )
            return HttpResponseRedirect(_back(request, reverse("notifications:submit", args=[guarantee.pk])))
    return render(
        request,
        "notifications/submit.html",
        {
            "guarantee": guarantee,
            "form": form,
            "subject": submissions.submission_subject(guarantee=guarantee),
            "submissions": selectors.submissions_of_guarantee(guarantee_id=guarantee.pk),
            "next": _back(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """受領確認: the orderer confirms that the key arrived (the link in the submission mail)."""
    try:
        if request.method == "POST":
            submission = submissions.key_submission_confirm(token=token, remote_addr=client_address(request))
            just_confirmed = True
        else:
            submission = submissions.key_submission_for_token(token=token)
            just_confirmed = False
    except NotificationError as exc:
        return render(request, "notifications/link_invalid.html", {"message": exc.message}, status=404)
    return render(
        request,
        "notifications/receipt.html",
        {"submission": submission, "guarantee": submission.guarantee, "just_confirmed": just_confirmed},
    )


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """After verifying, an orderer registers an address for change and cancellation notices."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    if read_verified_access_token(token) is None:
        return render(
            request,
            "notifications/link_invalid.html",
            {"message": _("照会の有効期限が切れました。保証契約番号と認証キーでもう一度照会してください。")},
            status=403,
        )
    form = SubscribeForm(request.POST if request.method == "POST" else None, initial={"token": token})
    if request.method == "POST" and form.is_valid():
        try:
            subscription = subscriptions.subscription_request(
                access_token=token, email=form.cleaned_data["email"]
            )
        except NotificationError as exc:
            form.add_error("email" if exc.field == "to" else None, exc.message)
        else:
            return render(request, "notifications/subscribe_done.html", {"subscription": subscription})
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/subscribe.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = subscriptions.subscription_confirm(token=token)
            context = {"subscription": subscription}
            return render(request, "notifications/subscription_confirmed.html", context)
        subscriptions.read_subscription_link(token=token, purpose="confirm")
    except NotificationError as exc:
        return render(request, "notifications/link_invalid.html", {"message": exc.message}, status=404)
    return render(request, "notifications/subscription_confirm.html", {})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = subscriptions.subscription_cancel(token=token)
            return render(request, "notifications/unsubscribed.html", {"subscription": subscription})
        subscriptions.read_subscription_link(token=token, purpose="unsubscribe")
    except NotificationError as exc:
        return render(request, "notifications/link_invalid.html", {"message": exc.message}, status=404)
    return render(request, "notifications/unsubscribe.html", {})
