"""審査デスク and the clerk's actions on one application: start review, return, refuse, approve,
record the fee, issue. Each action has a confirmation page saying what it will do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from guarantees.admin import BranchScopedAdmin, staff_branch_id
from guarantees.errors import GuaranteeError
from guarantees.formatting import yen
from guarantees.models import Branch

from .. import selectors
from ..forms import FeePaymentForm, RefuseForm, ReturnForm
from ..models import Application
from ..services import review
from ..views import document_response

State = Application.State

# The desk shows this many applications at most (oldest first); the list filters find the rest.
DESK_LIMIT = 50


def yen_text(amount: int | None) -> str:
    """``2172720000`` → ``2,172,720,000円`` (a dash when there is no amount)."""
    return "-" if amount is None else f"{yen(amount)}円"


@dataclass(frozen=True)
class DeskAction:
    name: str
    button: Any  # the label of the button on the desk and on the confirmation page
    danger: bool = False


ACTIONS = {
    action.name: action
    for action in [
        DeskAction("review", gettext_lazy("審査を開始する")),
        DeskAction("approve", gettext_lazy("承認する")),
        DeskAction("return", gettext_lazy("差し戻す")),
        DeskAction("refuse", gettext_lazy("謝絶する"), danger=True),
        DeskAction("fee", gettext_lazy("保証料の入金を記録する")),
        DeskAction("issue", gettext_lazy("発行する")),
    ]
}


def available_actions(application: Application) -> list[DeskAction]:
    """The actions a reviewing clerk may take on ``application`` now, in the order of the work."""
    if application.state == State.SUBMITTED:
        names = ["review"]
    elif application.state == State.IN_REVIEW:
        names = ["approve", "return", "refuse"]
    elif application.state == State.AWAITING_FEE:
        names = ["issue"] if application.fee_is_paid else ["fee"]
    else:
        names = []
    return [ACTIONS[name] for name in names]


def consequences(application: Application, name: str) -> list[str]:
    """What pressing the action's button will do, in the clerk's words, amounts with 円."""
    fee = yen_text(application.fee_amount)
    new = application.purpose == Application.Purpose.NEW
    if name == "review":
        return [
            _("状態を「審査中」にします。"),
            _("保証契約者に審査を開始したことをメールでお知らせします。"),
        ]
    if name == "approve":
        if application.fee_amount:
            return [
                _("この申込を承認し、状態を「保証料入金待ち」にします。"),
                _("保証契約者に保証料 %(fee)s のお支払いをメールでお願いします。") % {"fee": fee},
                _("発行は、保証料の入金を記録した後です。"),
            ]
        return [
            _("この申込を承認し、直ちに保証契約に反映します（保証料はありません）。"),
            _("保証契約者に結果をメールでお知らせします。"),
        ]
    if name == "return":
        return [
            _("申込を保証契約者に差し戻し、状態を「差戻し」にします。"),
            _(
                "下のコメントを保証契約者にメールで送り、申込画面にも表示します。保証契約者は修正して再申込できます。"
            ),
        ]
    if name == "refuse":
        return [
            _("この申込を謝絶し、状態を「謝絶」にします。この申込は再申込できません。"),
            _("下の理由を保証契約者にメールでお知らせします。"),
        ]
    if name == "fee":
        return [
            _("保証料 %(fee)s の入金を記録します。入金額は保証料と一致している必要があります。")
            % {"fee": fee},
            _("状態は「入金済・発行待ち」になります。メールは送りません。"),
        ]
    if name == "issue":
        if new:
            return [
                _("保証契約番号を採番し、保証契約を締結します（保証金額 %(amount)s）。")
                % {"amount": yen_text(application.guarantee_amount)},
                _("電子証書（第1版）と認証キーを発行します。取り消すことはできません。"),
                _("保証契約者に発行をメールでお知らせします。"),
            ]
        target = application.target_guarantee
        number = target.number if target is not None else "-"
        return [
            _("保証契約 %(number)s に下の変更を反映します。") % {"number": number},
            _("保証契約者に結果をメールでお知らせします。"),
        ]
    return []


class EmptyForm(forms.Form):
    pass


class ReviewDeskAdmin(BranchScopedAdmin):
    """The desk and the per-object actions of the review queue (ApplicationAdmin is the record)."""

    def desk_view(self, request: HttpRequest) -> HttpResponse:
        """審査デスク: every application waiting for the clerk's branch, each with its documents, the
        fee, the change before → after and the actions that apply now."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        branch_id = staff_branch_id(request)
        branches = Branch.objects.order_by("code") if branch_id is None else Branch.objects.none()
        chosen = request.GET.get("branch", "")
        if branch_id is None and chosen.isdigit():
            branch_id = int(chosen)
        applications = list(selectors.review_desk(branch_id=branch_id)[:DESK_LIMIT])
        can_review = request.user.has_perm("applications.review_application")
        entries = [
            {
                "application": application,
                "changes": selectors.change_before_after(application=application),
                "actions": available_actions(application) if can_review else [],
            }
            for application in applications
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("審査デスク"),
            "opts": self.model._meta,
            "entries": entries,
            "branches": branches,
            "chosen_branch": chosen,
            "own_branch": getattr(request.user, "branch", None) if staff_branch_id(request) else None,
            "limit": DESK_LIMIT,
            "can_review": can_review,
        }
        return TemplateResponse(request, "admin/applications/application/desk.html", context)

    # --- Per-object actions --------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        actions: list[tuple[str, Callable[..., HttpResponse]]] = [
            ("review", self.review_view),
            ("approve", self.approve_view),
            ("return", self.return_view),
            ("refuse", self.refuse_view),
            ("fee", self.fee_view),
            ("issue", self.issue_view),
        ]
        return [
            path("desk/", wrap(self.desk_view), name="applications_application_desk"),
            *[
                path(f"<int:pk>/{name}/", wrap(view), name=f"applications_application_{name}")
                for name, view in actions
            ],
            path(
                "<int:pk>/document/<int:document_pk>/",
                wrap(self.document_view),
                name="applications_application_document",
            ),
            path(
                "<int:pk>/fee-statement/",
                wrap(self.fee_statement_view),
                name="applications_application_fee_statement",
            ),
            *super().get_urls(),
        ]

    def _reviewable(self, request: HttpRequest, pk: int) -> Application:
        if not request.user.has_perm("applications.review_application"):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _run(
        self,
        request: HttpRequest,
        pk: int,
        *,
        title: str,
        form_class: type[forms.Form],
        action: Callable[[Application, User, dict[str, Any]], Application],
        done: str,
        initial: dict[str, Any] | None = None,
        name: str,
    ) -> HttpResponse:
        application = self._reviewable(request, pk)
        form = form_class(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                action(application, request.user, form.cleaned_data)  # type: ignore[arg-type]
            except GuaranteeError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                self.message_user(request, f"#{application.pk} {done}", messages.SUCCESS)
                if request.GET.get("from") == "desk":
                    return HttpResponseRedirect(reverse("admin:applications_application_desk"))
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[pk]))
        action_info = ACTIONS[name]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(application),
            "opts": self.model._meta,
            "original": application,
            "application": application,
            "form": form,
            "consequences": consequences(application, name),
            "changes": selectors.change_before_after(application=application),
            "submit_label": action_info.button,
            "danger": action_info.danger,
        }
        return TemplateResponse(request, "admin/applications/application/action_confirm.html", context)

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("審査を開始する"),
            form_class=EmptyForm,
            action=lambda a, u, d: review.application_review_start(application=a, clerk=u),
            done=_("審査を開始しました。"),
            name="review",
        )

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("承認する"),
            form_class=EmptyForm,
            action=lambda a, u, d: review.application_approve(application=a, clerk=u),
            done=_("承認しました。"),
            name="approve",
        )

    def return_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("差し戻す"),
            form_class=ReturnForm,
            action=lambda a, u, d: review.application_return(application=a, clerk=u, comment=d["comment"]),
            done=_("差し戻しました。"),
            name="return",
        )

    def refuse_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("謝絶する"),
            form_class=RefuseForm,
            action=lambda a, u, d: review.application_refuse(application=a, clerk=u, reason=d["comment"]),
            done=_("謝絶しました。"),
            name="refuse",
        )

    def fee_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._reviewable(request, pk)
        return self._run(
            request,
            pk,
            title=_("保証料の入金を記録する（保証料 %(fee)s円）") % {"fee": yen(application.fee_amount)},
            form_class=FeePaymentForm,
            action=lambda a, u, d: review.application_fee_record(
                application=a, clerk=u, amount=d["amount"], paid_on=d["paid_on"]
            ),
            done=_("入金を記録しました。"),
            name="fee",
            initial={"paid_on": timezone.localdate()},
        )

    def issue_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("発行する（保証契約番号・証書・認証キー）"),
            form_class=EmptyForm,
            action=lambda a, u, d: review.application_issue(application=a, clerk=u),
            done=_("発行しました。"),
            name="issue",
        )

    def fee_statement_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """保証料計算書 for staff of the application's branch (head office: all), rendered now."""
        from .. import pdf_views  # WeasyPrint loads only where PDFs are made

        if not self.has_view_permission(request):
            raise Http404
        queryset = self.get_queryset(request).select_related(*pdf_views.APPLICATION_RELATED)
        return pdf_views.fee_statement_response(get_object_or_404(queryset, pk=pk))

    def document_view(self, request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        return document_response(get_object_or_404(application.documents, pk=document_pk))
