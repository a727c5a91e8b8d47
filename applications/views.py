"""The contractor's e-Net screens: applications, the step form, confirm, track, change, fee quote.

A contractor's user sees its contractor's applications only; anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from guarantees.errors import GuaranteeError
from guarantees.fields import normalize_yen
from guarantees.models import GuaranteeKind, Orderer

from . import changes, forms, rules, selectors, steps
from .errors import ApplicationError
from .models import Application, ApplicationDocument
from .pdf import fee_statement_available
from .services import drafts

NEW_STEPS: list[tuple[str, Any]] = [
    (steps.STEP_KIND, gettext_lazy("区分・発注者")),
    (steps.STEP_WORK, gettext_lazy("工事")),
    (steps.STEP_AMOUNTS, gettext_lazy("金額")),
    (steps.STEP_ACCOUNT, gettext_lazy("預託金融機関")),
    (steps.STEP_DOCUMENTS, gettext_lazy("書類")),
    ("confirm", gettext_lazy("確認")),
]
CHANGE_STEPS: list[tuple[str, Any]] = [
    (steps.STEP_CHANGE, gettext_lazy("変更の内容")),
    (steps.STEP_DOCUMENTS, gettext_lazy("書類")),
    ("confirm", gettext_lazy("確認")),
]


def contractor_user(request: HttpRequest) -> User:
    """The contractor's user of the request; anyone else is refused (403)."""
    user = request.user
    if not isinstance(user, User) or user.contractor_id is None:
        raise PermissionDenied(_("保証契約者のアカウントでログインしてください。"))
    return user


def _own(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        selectors.applications_of(user=contractor_user(request)).select_related(
            "orderer", "target_guarantee"
        ),
        pk=pk,
    )


def steps_of(application: Application) -> list[tuple[str, Any]]:
    if application.purpose == Application.Purpose.NEW:
        return [step for step in NEW_STEPS if step[0] != steps.STEP_ACCOUNT or application.needs_account]
    if application.purpose == Application.Purpose.CANCEL:
        return [step for step in CHANGE_STEPS if step[0] != steps.STEP_DOCUMENTS]
    return CHANGE_STEPS


def _next_step(application: Application, step: str) -> str:
    names = [name for name, _label in steps_of(application)]
    return names[min(names.index(step) + 1, len(names) - 1)]


def step_url(application: Application, step: str) -> str:
    if step == "confirm":
        return reverse("applications:confirm", args=[application.pk])
    if step == steps.STEP_DOCUMENTS:
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


def _form_error(form: Any, error: GuaranteeError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- List and creation ------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    user = contractor_user(request)
    return render(
        request,
        "applications/list.html",
        {"applications": selectors.application_list(user=user), "kinds": GuaranteeKind.choices},
    )


@login_required
@require_POST
def application_new(request: HttpRequest) -> HttpResponse:
    user = contractor_user(request)
    try:
        application = drafts.application_create(user=user, kind=request.POST.get("kind", ""))
    except GuaranteeError as exc:
        messages.error(request, exc.message)
        return redirect("applications:list")
    return redirect(step_url(application, steps.STEP_KIND))


# --- Steps ------------------------------------------------------------------------------------


def _step_form(application: Application, step: str, request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    data = request.POST if request.method == "POST" else None
    extra: dict[str, Any] = {}
    if step == steps.STEP_KIND:
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
    if step == steps.STEP_WORK:
        return forms.WorkStepForm(data, initial=_initial(application, forms.WorkStepForm)), extra
    if step == steps.STEP_AMOUNTS:
        form = forms.AmountsStepForm(
            data, initial=_initial(application, forms.AmountsStepForm), application=application
        )
        extra = {"quote_enabled": True}
        return form, extra
    if step == steps.STEP_ACCOUNT:
        initial = _initial(application, forms.AccountStepForm)
        initial["bank"] = application.bank_id
        return forms.AccountStepForm(data, initial=initial), extra
    if step == steps.STEP_CHANGE:
        initial = _initial(application, forms.ChangeStepForm)
        target = application.target_guarantee
        if target is not None:
            # Prefilled with the guarantee as it is now, so the contractor changes what changes and
            # the resulting guarantee is whole (changes.change_values: an unchanged value stays).
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
        steps.STEP_DOCUMENTS,
        "confirm",
    ):
        return redirect(step_url(application, steps_of(application)[0][0]))
    if not application.is_editable:
        return redirect("applications:detail", pk=application.pk)
    form, extra = _step_form(application, step, request)
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name in drafts.DRAFT_FIELDS}
        try:
            application = drafts.application_save_draft(
                application=application, user=contractor_user(request), values=values
            )
        except GuaranteeError as exc:
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
            drafts.application_document_remove(document=document, user=contractor_user(request))
        except GuaranteeError as exc:
            messages.error(request, exc.message)
        return redirect("applications:documents", pk=application.pk)
    if request.method == "POST" and form.is_valid():
        try:
            drafts.application_document_add(
                application=application,
                user=contractor_user(request),
                doc_type=form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
            )
        except GuaranteeError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("書類を登録しました。"))
            return redirect("applications:documents", pk=application.pk)
    context = {
        **_step_context(application, steps.STEP_DOCUMENTS),
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
            drafts.application_submit(application=application, submitted_by=contractor_user(request))
        except GuaranteeError as exc:
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
        "change_lines": changes.change_lines(application),
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
        drafts.application_discard(application=application, user=contractor_user(request))
    except GuaranteeError as exc:
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


# --- The live fee quote -----------------------------------------------------------------------


@login_required
@require_GET
def fee_quote(request: HttpRequest) -> JsonResponse:
    """``?kind=advance&orderer=<id>&amount=１，０００万`` → the fee as JSON, for the amounts step."""
    contractor_user(request)
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
