"""Branch staff's review queue: start review, return, refuse, approve, record the fee, issue;
and the rate table and discounts, which only staff with ``manage_fee_rates`` may change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from guarantees.formatting import yen
from guarantees.models import Branch, GuaranteeKind, Orderer
from portal.admin import DATE_FIELD_OVERRIDES, BranchScopedAdmin, ReadOnlyAdminMixin, staff_branch_id
from portal.errors import PortalError
from portal.fields import BusinessDateField, YenField

from . import rules, selectors, services
from .forms import DateInput, FeePaymentForm, RefuseForm, ReturnForm
from .models import (
    AdvanceUsePlan,
    Application,
    ApplicationTransition,
    FeeDiscount,
    FeeRate,
    WithdrawalLine,
    WithdrawalRequest,
)
from .pdf import fee_statement_available
from .views import document_response

State = Application.State

# The desk shows this many applications at most (oldest first); the list filters find the rest.
DESK_LIMIT = 50

# Amount fields of the read-only application page and the display that replaces each.
YEN_FIELDS = {
    name: f"{name}_yen"
    for name in (
        "contract_amount_total",
        "contract_amount_target",
        "guarantee_amount",
        "progress_amount",
        "fee_base",
        "fee_discount",
        "fee_amount",
        "fee_paid_amount",
    )
}


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


class ApplicationTransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "event", "from_state", "to_state", "actor", "comment"]
    readonly_fields = ["created_at", "event", "from_state", "to_state", "actor", "comment"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmptyForm(forms.Form):
    pass


def _change_context(application: Application) -> dict[str, Any]:
    """Before → after of a change, and what would stop its approval (the submission's rules)."""
    if application.purpose != Application.Purpose.CHANGE or application.target_guarantee_id is None:
        return {"change_lines": [], "change_problems": []}
    problems: list[PortalError] = []
    try:
        problems += rules.change_result_problems(application)
    except PortalError as exc:
        problems.append(exc)
    return {"change_lines": rules.change_lines(application), "change_problems": problems}


@admin.register(Application)
class ApplicationAdmin(BranchScopedAdmin):
    """The review queue: every submitted application of the clerk's branch, oldest first."""

    list_display = [
        "id",
        "submitted_at",
        "state_display",
        "purpose",
        "kind",
        "contractor",
        "orderer",
        "work_name",
        "amount_display",
        "fee_display",
    ]
    list_filter = ["state", "purpose", "kind", "branch"]
    search_fields = ["work_name", "contractor__company_name", "orderer__title", "target_guarantee__number"]
    list_select_related = ["contractor", "orderer"]
    ordering = ["submitted_at", "id"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [ApplicationTransitionInline]
    change_form_template = "admin/applications/application/change_form.html"
    readonly_fields = ["document_links"]

    @admin.display(description=gettext_lazy("状態"), ordering="state")
    def state_display(self, obj: Application) -> str:
        return obj.state_label

    @admin.display(description=gettext_lazy("保証金額"), ordering="guarantee_amount")
    def amount_display(self, obj: Application) -> str:
        return yen(obj.guarantee_amount)

    @admin.display(description=gettext_lazy("保証料"), ordering="fee_amount")
    def fee_display(self, obj: Application) -> str:
        return yen(obj.fee_amount)

    @admin.display(description=gettext_lazy("変更前 → 変更後"))
    def change_before_after(self, obj: Application) -> str:
        context = _change_context(obj)
        if not context["change_lines"]:
            return "-"
        return render_to_string("admin/applications/application/_change_before_after.html", context)

    @admin.display(description=gettext_lazy("請負金額(総額)"))
    def contract_amount_total_yen(self, obj: Application) -> str:
        return yen_text(obj.contract_amount_total)

    @admin.display(description=gettext_lazy("請負金額(対象額)"))
    def contract_amount_target_yen(self, obj: Application) -> str:
        return yen_text(obj.contract_amount_target)

    @admin.display(description=gettext_lazy("保証金額"))
    def guarantee_amount_yen(self, obj: Application) -> str:
        return yen_text(obj.guarantee_amount)

    @admin.display(description=gettext_lazy("出来高"))
    def progress_amount_yen(self, obj: Application) -> str:
        return yen_text(obj.progress_amount)

    @admin.display(description=gettext_lazy("保証料（割引前）"))
    def fee_base_yen(self, obj: Application) -> str:
        return yen_text(obj.fee_base)

    @admin.display(description=gettext_lazy("e-Net割引"))
    def fee_discount_yen(self, obj: Application) -> str:
        return yen_text(obj.fee_discount)

    @admin.display(description=gettext_lazy("保証料"))
    def fee_amount_yen(self, obj: Application) -> str:
        return yen_text(obj.fee_amount)

    @admin.display(description=gettext_lazy("入金額"))
    def fee_paid_amount_yen(self, obj: Application) -> str:
        return yen_text(obj.fee_paid_amount)

    @admin.display(description=gettext_lazy("書類"))
    def document_links(self, obj: Application) -> str:
        return format_html_join(
            "",
            '<div><a href="{}">{}: {}</a> ({})</div>',
            (
                (
                    reverse("admin:applications_application_document", args=[obj.pk, document.pk]),
                    document.get_doc_type_display(),
                    document.original_name,
                    document.get_content_type_display(),
                )
                for document in obj.documents.all()
            ),
        ) or _("なし")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Drafts are the contractor's own business until submitted.
        return super().get_queryset(request).exclude(state=State.DRAFT)

    @admin.display(description=gettext_lazy("保証料計算書"))
    def fee_statement_link(self, obj: Application) -> str:
        if not fee_statement_available(obj):
            return _("なし")
        url = reverse("admin:applications_application_fee_statement", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("PDFをダウンロード"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [YEN_FIELDS.get(f.name, f.name) for f in Application._meta.fields if f.name != "id"] + [
            "change_before_after",
            "document_links",
            "fee_statement_link",
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_review": request.user.has_perm("applications.review_application"),
            # Every field is read-only: the record changes through its actions, never through 保存.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Every field is read-only; amounts read as on the desk (2,172,720,000円, not 2172720000).
        return self.get_readonly_fields(request, obj)

    # --- The review desk -----------------------------------------------------------------------
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
            except PortalError as exc:
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
            action=lambda a, u, d: services.application_review_start(application=a, clerk=u),
            done=_("審査を開始しました。"),
            name="review",
        )

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("承認する"),
            form_class=EmptyForm,
            action=lambda a, u, d: services.application_approve(application=a, clerk=u),
            done=_("承認しました。"),
            name="approve",
        )

    def return_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("差し戻す"),
            form_class=ReturnForm,
            action=lambda a, u, d: services.application_return(application=a, clerk=u, comment=d["comment"]),
            done=_("差し戻しました。"),
            name="return",
        )

    def refuse_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._run(
            request,
            pk,
            title=_("謝絶する"),
            form_class=RefuseForm,
            action=lambda a, u, d: services.application_refuse(application=a, clerk=u, reason=d["comment"]),
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
            action=lambda a, u, d: services.application_fee_record(
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
            action=lambda a, u, d: services.application_issue(application=a, clerk=u),
            done=_("発行しました。"),
            name="issue",
        )

    def fee_statement_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """保証料計算書 for staff of the application's branch (head office: all), rendered now."""
        from . import pdf_views  # WeasyPrint loads only where PDFs are made

        if not self.has_view_permission(request):
            raise Http404
        queryset = self.get_queryset(request).select_related(*pdf_views.APPLICATION_RELATED)
        return pdf_views.fee_statement_response(get_object_or_404(queryset, pk=pk))

    def document_view(self, request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        return document_response(get_object_or_404(application.documents, pk=document_pk))


class _RateAdminBase(admin.ModelAdmin):
    """Rows apply from ``valid_from``; once a row is in force it is history and stays as it was."""

    formfield_overrides = DATE_FIELD_OVERRIDES

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("applications.manage_fee_rates") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not request.user.has_perm("applications.manage_fee_rates"):
            return False
        if obj is not None and obj.valid_from <= timezone.localdate():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) and obj is not None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class _FutureDateForm(forms.ModelForm):
    def clean_valid_from(self) -> Any:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from < timezone.localdate():
            raise forms.ValidationError(
                _("適用開始日は今日以後の日付にしてください（過去の見積りは変えられません）。")
            )
        return valid_from


class FeeRateForm(_FutureDateForm):
    class Meta:
        model = FeeRate
        fields = ["kind", "orderer_kind", "amount_from", "rate_percent", "valid_from", "note"]


class FeeDiscountForm(_FutureDateForm):
    class Meta:
        model = FeeDiscount
        fields = ["kind", "min_amount", "amount_off", "label", "valid_from", "note"]


class QuoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("区分"), choices=GuaranteeKind.choices)
    orderer_kind = forms.ChoiceField(label=gettext_lazy("発注者区分"), choices=Orderer.Kind.choices)
    amount = YenField(label=gettext_lazy("保証金額（円）"))
    on = BusinessDateField(label=gettext_lazy("計算日"), widget=DateInput())


@admin.register(FeeRate)
class FeeRateAdmin(_RateAdminBase):
    form = FeeRateForm
    list_display = ["kind", "orderer_kind", "amount_from_display", "rate_percent", "valid_from", "note"]
    list_filter = ["kind", "orderer_kind", "valid_from"]
    change_list_template = "admin/applications/feerate/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path("quote/", self.admin_site.admin_view(self.quote_view), name="applications_feerate_quote"),
            *super().get_urls(),
        ]

    def quote_view(self, request: HttpRequest) -> HttpResponse:
        """保証料の試算: the same quote the contractor's form shows, for staff answering questions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = QuoteForm(request.GET or None, initial={"on": timezone.localdate()})
        quote = None
        missing = False
        if form.is_valid():
            data = form.cleaned_data
            quote = selectors.fee_quote(
                kind=data["kind"], orderer_kind=data["orderer_kind"], amount=data["amount"], on=data["on"]
            )
            missing = quote is None
        context = {
            **self.admin_site.each_context(request),
            "title": _("保証料の試算"),
            "opts": self.model._meta,
            "form": form,
            "quote": quote,
            "missing": missing,
        }
        return TemplateResponse(request, "admin/applications/feerate/quote.html", context)

    @admin.display(description=gettext_lazy("保証金額（この額を超える部分から）"), ordering="amount_from")
    def amount_from_display(self, obj: FeeRate) -> str:
        return format_html("{}円", yen(obj.amount_from))


@admin.register(FeeDiscount)
class FeeDiscountAdmin(_RateAdminBase):
    form = FeeDiscountForm
    list_display = ["label", "kind", "min_amount", "amount_off", "valid_from", "note"]
    list_filter = ["kind"]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WithdrawalLineInline(_ReadOnlyInline):
    model = WithdrawalLine
    fields = ["category", "payee", "amount"]
    readonly_fields = ["category", "payee", "amount"]


class _PaperworkAdmin(ReadOnlyAdminMixin, BranchScopedAdmin):
    """Staff read the contractor's paperwork of their branch (and download it as PDF); the contractor
    writes it."""

    branch_lookup = "guarantee__branch"
    list_select_related = ["guarantee"]
    search_fields = ["guarantee__number", "guarantee__work_name"]
    readonly_fields = ["pdf_link"]

    @admin.display(description=gettext_lazy("PDF"))
    def pdf_link(self, obj: Any) -> str:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("ダウンロード"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_response(self, obj: Any) -> HttpResponse:
        """The PDF of ``obj``: each admin using this mixin renders its own document (an abstract
        hook; ModelAdmin's metaclass rules out ``abc``)."""
        raise NotImplementedError(f"{type(self).__name__} must say which PDF it renders")

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The document rendered now, for staff of the guarantee's branch (head office: all)."""
        if not self.has_view_permission(request):
            raise Http404
        return self.pdf_response(get_object_or_404(self.get_queryset(request), pk=pk))


@admin.register(AdvanceUsePlan)
class AdvanceUsePlanAdmin(_PaperworkAdmin):
    """The plan as the contractor saved it, every revision kept (read-only), and a warning when the
    current revision plans more than the advance (after a 減額)."""

    list_display = [
        "guarantee",
        "revision",
        "advance_display",
        "planned_display",
        "excess_warning",
        "updated_by",
        "updated_at",
        "pdf_link",
    ]
    readonly_fields = ["pdf_link", "excess_warning", "revisions_table"]
    fields = [
        "guarantee",
        "revision",
        "updated_by",
        "updated_at",
        "pdf_link",
        "excess_warning",
        "revisions_table",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("guarantee", "updated_by")
            .annotate(planned_total=selectors.planned_total_subquery("guarantee_id"))
        )

    @admin.display(description=gettext_lazy("前払金額"))
    def advance_display(self, obj: AdvanceUsePlan) -> str:
        return format_html("{}円", yen(obj.guarantee.guarantee_amount))

    @admin.display(description=gettext_lazy("前払金使用金額の合計"))
    def planned_display(self, obj: AdvanceUsePlan) -> str:
        return format_html("{}円", yen(getattr(obj, "planned_total", None) or 0))

    @admin.display(description=gettext_lazy("前払金額との照合"))
    def excess_warning(self, obj: AdvanceUsePlan) -> str:
        message = selectors.use_plan_excess_message(
            planned=getattr(obj, "planned_total", None) or 0, advance=obj.guarantee.guarantee_amount
        )
        if not message:
            return _("前払金額と一致")
        return format_html('<strong class="errornote use-plan-excess">{}</strong>', message)

    @admin.display(description=gettext_lazy("版の履歴"))
    def revisions_table(self, obj: AdvanceUsePlan) -> str:
        return render_to_string(
            "admin/applications/advanceuseplan/_revisions.html",
            {"revisions": selectors.use_plan_revisions(plan=obj), "current": obj.revision},
        )

    def pdf_response(self, obj: Any) -> HttpResponse:
        from . import pdf_views  # WeasyPrint loads only where PDFs are made

        return pdf_views.use_plan_response(obj)


@admin.register(WithdrawalRequest)
class WithdrawalRequestAdmin(_PaperworkAdmin):
    list_display = [
        "guarantee",
        "sequence",
        "requested_on",
        "total",
        "balance_after",
        "created_at",
        "pdf_link",
    ]
    inlines = [WithdrawalLineInline]

    def pdf_response(self, obj: Any) -> HttpResponse:
        from . import pdf_views  # WeasyPrint loads only where PDFs are made

        return pdf_views.withdrawal_response(obj)
