"""The contractor's screens of an advance's paperwork: the 前払金使途内訳明細書 and the 前払金払出依頼書.

A contractor's user sees its contractor's advances only; anything else is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from guarantees.errors import GuaranteeError
from guarantees.models import Guarantee

from . import forms, selectors, services
from .models import UNDECIDED, AdvanceUsePlan, PayoutMethod, UseCategory


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.contractor_id is None:
        raise PermissionDenied(_("保証契約者のアカウントでログインしてください。"))
    return user


def _advance(request: HttpRequest, number: str) -> Guarantee:
    guarantee = selectors.advance_of(user=_user(request), number=number)
    if guarantee is None:
        raise Http404
    return guarantee


@login_required
def use_plan(request: HttpRequest, number: str) -> HttpResponse:
    """前払金使途内訳明細書: one row per use; blank quantity, schedule or payee is stored as 未定."""
    guarantee = _advance(request, number)
    plan = AdvanceUsePlan.objects.filter(guarantee=guarantee).first()
    if plan is not None:
        # 未定 is what a blank saves as: re-opened, the input is blank again and the 未定
        # placeholder marks it, so the text 未定 never stands in an input as if typed.
        initial = [
            {
                "category": row.category,
                "quantity": _unless_undecided(row.quantity),
                "total_required": row.total_required,
                "advance_use": row.advance_use,
                "payout_method": row.payout_method,
                "payout_schedule": _unless_undecided(row.payout_schedule),
                "payee": _unless_undecided(row.payee),
            }
            for row in plan.rows.all()
        ]
        used = {row["category"] for row in initial}
        initial += [{"category": value} for value in UseCategory.values if value not in used]
    else:
        initial = [
            {"category": value, "payout_method": PayoutMethod.TRANSFER} for value in UseCategory.values
        ]
    formset = forms.UseRowFormSet(
        request.POST if request.method == "POST" else None, initial=initial, prefix="rows"
    )
    error = ""
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.UseRowInput(
                category=data["category"],
                advance_use=data["advance_use"],
                payout_method=data.get("payout_method") or PayoutMethod.UNDECIDED,
                total_required=data.get("total_required"),
                quantity=data.get("quantity", ""),
                payout_schedule=data.get("payout_schedule", ""),
                payee=data.get("payee", ""),
            )
            for data in formset.cleaned_data
            if data.get("advance_use")
        ]
        try:
            services.use_plan_save(guarantee=guarantee, user=_user(request), rows=rows)
        except GuaranteeError as exc:
            error = exc.message
        else:
            messages.success(request, _("使途内訳明細書を保存しました。"))
            return redirect("advances:use_plan", number=number)
    return render(
        request,
        "advances/use_plan.html",
        {
            "guarantee": guarantee,
            "plan": plan,
            "formset": formset,
            "error": error,
            "plan_warning": selectors.use_plan_warning(guarantee=guarantee),
        },
    )


def _unless_undecided(value: str) -> str:
    return "" if value == UNDECIDED else value


@login_required
def withdrawals(request: HttpRequest, number: str) -> HttpResponse:
    """前払金払出依頼書: a new request, and every request so far with the remaining balance."""
    guarantee = _advance(request, number)
    posted = request.method == "POST"
    form = forms.WithdrawalForm(
        request.POST if posted else None, initial={"requested_on": timezone.localdate()}
    )
    lines = forms.WithdrawalLineFormSet(request.POST if posted else None, prefix="lines")
    if posted and form.is_valid() and lines.is_valid():
        inputs = [
            services.WithdrawalLineInput(
                category=data["category"], payee=data.get("payee", ""), amount=data["amount"]
            )
            for data in lines.cleaned_data
            if data.get("category") and data.get("amount")
        ]
        try:
            services.withdrawal_request_create(
                guarantee=guarantee,
                user=_user(request),
                requested_on=form.cleaned_data["requested_on"],
                lines=inputs,
            )
        except GuaranteeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("払出依頼書を作成しました。"))
            return redirect("advances:withdrawals", number=number)
    context = {
        "guarantee": guarantee,
        "form": form,
        "lines": lines,
        "history": selectors.withdrawal_history(guarantee=guarantee),
        "balance": selectors.advance_balance(guarantee=guarantee),
        "has_plan": AdvanceUsePlan.objects.filter(guarantee=guarantee).exists(),
        "plan_warning": selectors.use_plan_warning(guarantee=guarantee),
    }
    return render(request, "advances/withdrawals.html", context)
