"""The contractor's e-Net screens: applications, the step form, confirm, track, change, fee quote.

A contractor's user sees its contractor's applications only; anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from guarantees.models import Guarantee, GuaranteeKind, Orderer
from portal.errors import PortalError
from portal.fields import normalize_yen

from . import forms, rules, selectors, services
from .errors import ApplicationError
from .models import UNDECIDED, AdvanceUsePlan, Application, ApplicationDocument, PayoutMethod, UseCategory
from .pdf import fee_statement_available

NEW_STEPS: list[tuple[str, Any]] = [
    (rules.STEP_KIND, gettext_lazy("区分・発注者")),
    (rules.STEP_WORK, gettext_lazy("工事")),
    (rules.STEP_AMOUNTS, gettext_lazy("金額")),
    (rules.STEP_ACCOUNT, gettext_lazy("預託金融機関")),
    (rules.STEP_DOCUMENTS, gettext_lazy("書類")),
    ("confirm", gettext_lazy("確認")),
]
CHANGE_STEPS: list[tuple[str, Any]] = [
    (rules.STEP_CHANGE, gettext_lazy("変更の内容")),
    (rules.STEP_DOCUMENTS, gettext_lazy("書類")),
    ("confirm", gettext_lazy("確認")),
]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.contractor_id is None:
        raise PermissionDenied(_("保証契約者のアカウントでログインしてください。"))
    return user


def _own(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        selectors.applications_of(user=_user(request)).select_related("orderer", "target_guarantee"), pk=pk
    )


def steps_of(application: Application) -> list[tuple[str, Any]]:
    if application.purpose == Application.Purpose.NEW:
        return [step for step in NEW_STEPS if step[0] != rules.STEP_ACCOUNT or application.needs_account]
    if application.purpose == Application.Purpose.CANCEL:
        return [step for step in CHANGE_STEPS if step[0] != rules.STEP_DOCUMENTS]
    return CHANGE_STEPS


def _next_step(application: Application, step: str) -> str:
    names = [name for name, _label in steps_of(application)]
    return names[min(names.index(step) + 1, len(names) - 1)]


def step_url(application: Application, step: str) -> str:
    if step == "confirm":
        return reverse("applications:confirm", args=[application.pk])
    if step == rules.STEP_DOCUMENTS:
        return reverse("applications:documents", args=[application.pk])
    return reverse("applications:step", args=[application.pk, step])


def _step_context(application: Application, current: str) -> dict[str, Any]:
    return {
        "application": application,
        "steps": [(name, label, step_url(application, name)) for name, label in steps_of(application)],
        "current_step": current,
    }


def step_problems(application: Application, step: str) -> list[ApplicationError]:
    """What the submission would refuse among the fields of ``step`` (the rules of
    ``applications.rules``, so that a step never lets through what 確認 refuses)."""
    return [
        problem
        for problem in rules.submission_problems(application, today=timezone.localdate())
        if problem.step == step
    ]


def _form_error(form: Any, error: PortalError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- List and creation ------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "applications/list.html",
        {"applications": selectors.application_list(user=user), "kinds": GuaranteeKind.choices},
    )


@login_required
@require_POST
def application_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        application = services.application_create(user=user, kind=request.POST.get("kind", ""))
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("applications:list")
    return redirect(step_url(application, rules.STEP_KIND))


# --- Steps ------------------------------------------------------------------------------------


def _step_form(application: Application, step: str, request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    data = request.POST if request.method == "POST" else None
    extra: dict[str, Any] = {}
    if step == rules.STEP_KIND:
        term = request.GET.get("q", "")
        found = selectors.orderer_search(term=term)
        results = found[: selectors.ORDERER_SEARCH_LIMIT]
        extra = {
            "orderer_term": term,
            "orderer_results": results,
            "orderer_more": len(found) > len(results),
            "orderer_limit": selectors.ORDERER_SEARCH_LIMIT,
        }
        initial = {
            "branch": application.branch_id,
            "orderer": application.orderer_id,
            "parent_guarantee": application.parent_guarantee_id,
            "parent_application": application.parent_application_id,
            "advance_planned": application.advance_planned,
        }
        return forms.KindStepForm(
            data, initial=initial, application=application, orderer_results=results
        ), extra
    if step == rules.STEP_WORK:
        return forms.WorkStepForm(data, initial=_initial(application, forms.WorkStepForm)), extra
    if step == rules.STEP_AMOUNTS:
        form = forms.AmountsStepForm(
            data, initial=_initial(application, forms.AmountsStepForm), application=application
        )
        extra = {"quote_enabled": True}
        return form, extra
    if step == rules.STEP_ACCOUNT:
        initial = _initial(application, forms.AccountStepForm)
        initial["bank"] = application.bank_id
        return forms.AccountStepForm(data, initial=initial), extra
    if step == rules.STEP_CHANGE:
        initial = _initial(application, forms.ChangeStepForm)
        target = application.target_guarantee
        if target is not None:
            # Prefilled with the guarantee as it is now, so the contractor changes what changes and
            # the resulting guarantee is whole (rules.change_values: an unchanged value stays).
            current: dict[str, Any] = {
                "guarantee_amount": target.guarantee_amount,
                "contract_amount_total": target.contract_amount_total,
                "contract_amount_target": target.contract_amount_target,
                "construction_end": target.construction_end_date,
                "guarantee_period_end": target.guarantee_period_end,
            }
            for name, value in current.items():
                if initial.get(name) is None:
                    initial[name] = value
        return forms.ChangeStepForm(data, initial=initial, application=application), extra
    raise PermissionDenied


def _initial(application: Application, form_class: type) -> dict[str, Any]:
    return {name: getattr(application, name) for name in form_class.base_fields}  # type: ignore[attr-defined]


@login_required
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    application = _own(request, pk)
    if step not in [name for name, _label in steps_of(application)] or step in (
        rules.STEP_DOCUMENTS,
        "confirm",
    ):
        return redirect(step_url(application, steps_of(application)[0][0]))
    if not application.is_editable:
        return redirect("applications:detail", pk=application.pk)
    form, extra = _step_form(application, step, request)
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name in services.DRAFT_FIELDS}
        try:
            application = services.application_save_draft(
                application=application, user=_user(request), values=values
            )
        except PortalError as exc:
            _form_error(form, exc)
        else:
            if "save_only" in request.POST:
                messages.success(request, _("下書きを保存しました。"))
                return redirect(step_url(application, step))
            # 「保存して次へ」: the draft is saved either way; this step's own fields must pass the
            # rules the submission applies before the contractor moves on.
            problems = step_problems(application, step)
            if not problems:
                return redirect(step_url(application, _next_step(application, step)))
            for problem in problems:
                _form_error(form, problem)
            extra["saved_with_problems"] = True
    context = {**_step_context(application, step), **extra, "form": form}
    if application.state == Application.State.RETURNED:
        context["last_return"] = selectors.application_last_return(application=application)
    return render(request, "applications/step.html", context)


@login_required
def application_documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if not application.is_editable:
        return redirect("applications:detail", pk=application.pk)
    form = forms.DocumentForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and "remove" in request.POST:
        document = get_object_or_404(application.documents, pk=request.POST.get("remove"))
        try:
            services.application_document_remove(document=document, user=_user(request))
        except PortalError as exc:
            messages.error(request, exc.message)
        return redirect("applications:documents", pk=application.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_document_add(
                application=application,
                user=_user(request),
                doc_type=form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
            )
        except PortalError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("書類を登録しました。"))
            return redirect("applications:documents", pk=application.pk)
    context = {
        **_step_context(application, rules.STEP_DOCUMENTS),
        "form": form,
        "documents": application.documents.all(),
        "required": [ApplicationDocument.DocType(t).label for t in rules.required_documents(application)],
        "next_url": step_url(application, "confirm"),
    }
    return render(request, "applications/documents.html", context)


@login_required
def application_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if not application.is_editable:
        return redirect("applications:detail", pk=application.pk)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            services.application_submit(application=application, submitted_by=_user(request))
        except PortalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申込を受け付けました。審査の結果をお待ちください。"))
            return redirect("applications:detail", pk=application.pk)
    problems = rules.submission_problems(application, today=today)
    quote = None
    if (
        application.purpose == Application.Purpose.NEW
        and application.orderer
        and application.guarantee_amount
    ):
        quote = selectors.fee_quote(
            kind=application.kind,
            orderer_kind=application.orderer.kind,
            amount=application.guarantee_amount,
            on=today,
        )
    context = {
        **_step_context(application, "confirm"),
        "problems": [(problem, step_url(application, problem.step or "confirm")) for problem in problems],
        "quote": quote,
        "change_lines": rules.change_lines(application),
        "documents": application.documents.all(),
        "last_return": selectors.application_last_return(application=application),
    }
    return render(request, "applications/confirm.html", context)


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    context = {
        "application": application,
        "transitions": application.transitions.select_related("actor"),
        "documents": application.documents.all(),
        "last_return": selectors.application_last_return(application=application),
        "first_step_url": step_url(application, steps_of(application)[0][0]),
        "has_fee_statement": fee_statement_available(application),
    }
    return render(request, "applications/detail.html", context)


@login_required
@require_POST
def application_discard(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    try:
        services.application_discard(application=application, user=_user(request))
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("applications:detail", pk=pk)
    messages.success(request, _("下書きを削除しました。"))
    return redirect("applications:list")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _own(request, pk)
    return document_response(get_object_or_404(application.documents, pk=document_pk))


def document_response(document: ApplicationDocument) -> FileResponse:
    """An uploaded document as a download, for its contractor and for staff in admin."""
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


# --- Changes and 解約 -------------------------------------------------------------------------


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    guarantees = selectors.guarantees_changeable_by(user=user, today=timezone.localdate())
    return render(request, "applications/change_list.html", {"guarantees": guarantees})


@login_required
@require_POST
def change_new(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    guarantee = get_object_or_404(Guarantee.objects.filter(contractor=user.contractor), number=number)
    try:
        application = services.application_create_change(
            user=user, guarantee=guarantee, purpose=request.POST.get("purpose", "")
        )
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("applications:change_list")
    return redirect(step_url(application, rules.STEP_CHANGE))


# --- The live fee quote -----------------------------------------------------------------------


@login_required
@require_GET
def fee_quote(request: HttpRequest) -> JsonResponse:
    """``?kind=advance&orderer=<id>&amount=１，０００万`` → the fee as JSON, for the amounts step."""
    _user(request)
    kind = request.GET.get("kind", "")
    raw_amount = normalize_yen(request.GET.get("amount", ""))
    if kind not in GuaranteeKind.values:
        return JsonResponse({"ok": False, "message": _("保証の区分が正しくありません。")}, status=400)
    if not raw_amount.isdigit() or not 0 < int(raw_amount) < 10**13:
        return JsonResponse({"ok": False, "message": _("金額を入力すると保証料を表示します。")})
    orderer_id = request.GET.get("orderer", "")
    orderer_kind = (
        Orderer.objects.filter(pk=int(orderer_id)).values_list("kind", flat=True).first()
        if orderer_id.isdigit()
        else None
    )
    if orderer_kind is None:
        return JsonResponse({"ok": False, "message": _("発注者を選ぶと保証料を表示します。")})
    quote = selectors.fee_quote(
        kind=kind, orderer_kind=orderer_kind, amount=int(raw_amount), on=timezone.localdate()
    )
    if quote is None:
        return JsonResponse(
            {"ok": False, "message": _("保証料率が登録されていません。取扱支店にお問い合わせください。")}
        )
    return JsonResponse({"ok": True, **quote.as_dict()})


# --- The advance's paperwork ------------------------------------------------------------------


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
        except PortalError as exc:
            error = exc.message
        else:
            messages.success(request, _("使途内訳明細書を保存しました。"))
            return redirect("applications:use_plan", number=number)
    return render(
        request,
        "applications/use_plan.html",
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
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("払出依頼書を作成しました。"))
            return redirect("applications:withdrawals", number=number)
    context = {
        "guarantee": guarantee,
        "form": form,
        "lines": lines,
        "history": selectors.withdrawal_history(guarantee=guarantee),
        "balance": selectors.advance_balance(guarantee=guarantee),
        "has_plan": AdvanceUsePlan.objects.filter(guarantee=guarantee).exists(),
        "plan_warning": selectors.use_plan_warning(guarantee=guarantee),
    }
    return render(request, "applications/withdrawals.html", context)
