"""The review queue's record of one application: every field read-only, amounts as the desk shows
them, its documents, its fee statement and its history (the actions are in ``desk``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guarantees.errors import GuaranteeError
from guarantees.formatting import yen

from .. import changes
from ..models import Application, ApplicationTransition
from ..pdf import fee_statement_available
from .desk import ReviewDeskAdmin, yen_text

State = Application.State

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


def _change_context(application: Application) -> dict[str, Any]:
    """Before → after of a change, and what would stop its approval (the submission's rules)."""
    if application.purpose != Application.Purpose.CHANGE or application.target_guarantee_id is None:
        return {"change_lines": [], "change_problems": []}
    problems: list[GuaranteeError] = []
    try:
        problems += changes.change_result_problems(application)
    except GuaranteeError as exc:
        problems.append(exc)
    return {"change_lines": changes.change_lines(application), "change_problems": problems}


@admin.register(Application)
class ApplicationAdmin(ReviewDeskAdmin):
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
