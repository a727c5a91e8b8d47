"""Staff read the contractors' advance paperwork of their branch in admin (read-only) and download
it as PDF: the 使途内訳明細書 with every revision, and the 払出依頼書."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guarantees.admin import BranchScopedAdmin, ReadOnlyAdminMixin
from guarantees.formatting import yen

from . import selectors
from .models import AdvanceUsePlan, WithdrawalLine, WithdrawalRequest


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
            "admin/advances/advanceuseplan/_revisions.html",
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
