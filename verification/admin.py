"""Staff see every verification attempt, filter them, and get an alert on a spike of failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal.admin import ReadOnlyAdminMixin

from . import selectors
from .models import VerificationAttempt


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "outcome",
        "channel",
        "contract_number",
        "guarantee",
        "short_client",
        "user_agent",
    ]
    list_filter = ["outcome", "channel", "created_at"]
    search_fields = ["contract_number", "client_hash"]
    date_hierarchy = "created_at"
    list_select_related = ["guarantee"]
    readonly_fields = [field.name for field in VerificationAttempt._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("接続元（ハッシュ）"))
    def short_client(self, attempt: VerificationAttempt) -> str:
        return attempt.client_hash[:12]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        spike = selectors.failure_spike()
        if spike is not None:
            messages.error(
                request,
                _(
                    "警告: 直近%(minutes)d分間に確認の失敗が%(failures)d件"
                    "（%(numbers)d件の保証契約番号）あります（警告の基準: %(threshold)d件）。"
                    "総当たりの可能性があります。接続元と番号を確認してください。"
                )
                % {
                    "minutes": spike.window_minutes,
                    "failures": spike.failures,
                    "numbers": spike.numbers,
                    "threshold": spike.threshold,
                },
            )
        return super().changelist_view(request, extra_context)
