"""Staff's view of the mail: the outbox (with resend), the notice runs, submissions, subscriptions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from guarantees.models import Contractor
from portal.admin import ReadOnlyAdminMixin

from . import selectors, services
from .models import (
    ChangeSubscription,
    KeySubmission,
    NoticeRun,
    OrdererMailTemplate,
    OutboxMessage,
    RegistrationNotice,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to", "state", "attempts", "next_attempt_at", "sent_at", "subject"]
    list_filter = ["state", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["to", "idempotency_key", "subject"]
    show_full_result_count = False
    list_per_page = 100
    # The context of a key submission names the submission, never the key; still, staff do not
    # need the raw context on the list.
    exclude = ["context"]
    actions = ["resend"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the resend action; every field stays read-only.
        return bool(request.user.has_perm("notifications.change_outboxmessage"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboxMessage._meta.fields if f.name != "context"]

    @admin.action(description=gettext_lazy("送信失敗のメールを再送する"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.outbox_resend(message_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(request, _("%(count)d件を再送待ちにしました。") % {"count": count})
        if skipped > 0:
            message = _("送信失敗ではない%(count)d件はそのままです。") % {"count": skipped}
            self.message_user(request, message, messages.WARNING)


@admin.register(NoticeRun)
class NoticeRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "notice_date",
        "trigger",
        "cutoff",
        "certificates",
        "notices",
        "messages",
        "started_by",
    ]
    list_filter = ["trigger"]
    date_hierarchy = "notice_date"


@admin.register(RegistrationNotice)
class RegistrationNoticeAdmin(ReadOnlyAdmin):
    list_display = ["notice_date", "contractor", "recipients", "run"]
    list_select_related = ["contractor", "run"]
    search_fields = ["contractor__company_name"]
    date_hierarchy = "notice_date"


@admin.register(KeySubmission)
class KeySubmissionAdmin(ReadOnlyAdmin):
    list_display = ["submitted_at", "guarantee", "department_name", "to", "submitted_by", "confirmed_at"]
    list_select_related = ["guarantee", "submitted_by"]
    search_fields = ["guarantee__number", "to", "department_name"]
    exclude = ["nonce"]


@admin.register(ChangeSubscription)
class ChangeSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "guarantee", "email", "confirmed_at", "unsubscribed_at"]
    list_select_related = ["guarantee"]
    search_fields = ["guarantee__number", "email"]
    exclude = ["nonce"]


@admin.register(OrdererMailTemplate)
class OrdererMailTemplateAdmin(admin.ModelAdmin):
    list_display = ["orderer", "subject_template"]
    list_select_related = ["orderer"]
    search_fields = ["orderer__title", "orderer__organisation"]
    autocomplete_fields = ["orderer"]


@admin.action(description=gettext_lazy("登録お知らせメールを今すぐ送る（お急ぎの方）"))
def send_registration_notice_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Contractor]
) -> TemplateResponse | None:
    """お急ぎ: first a page saying whom the notice goes to and how many certificates it announces;
    the mail goes only once staff confirm there."""
    if not request.user.has_perm("notifications.add_noticerun"):
        modeladmin.message_user(request, _("登録お知らせを送る権限がありません。"), messages.ERROR)
        return None
    contractors = list(queryset.order_by("company_name", "id"))
    if request.POST.get("confirmed") != "yes":
        counts = selectors.pending_notice_counts(contractor_ids=[c.pk for c in contractors])
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("登録お知らせメールを今すぐ送る（お急ぎの方）"),
            "opts": modeladmin.model._meta,
            "rows": [(contractor, counts.get(contractor.pk, 0)) for contractor in contractors],
            "total": sum(counts.values()),
            "action": "send_registration_notice_now",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/notifications/registration_notice_confirm.html", context)
    user = request.user if isinstance(request.user, User) else None
    total = 0
    for contractor in contractors:
        run = services.registration_notice_run(
            trigger=NoticeRun.Trigger.STAFF, contractor=contractor, started_by=user
        )
        total += run.certificates
    modeladmin.message_user(request, _("%(count)d件の証書をお知らせしました。") % {"count": total})
    return None


# The contractor admin belongs to the guarantees app; the action is added to it from here, as the
# notifications app may depend on guarantees but not the other way round.
_contractor_admin = admin.site._registry.get(Contractor)
if _contractor_admin is not None:
    _contractor_admin.actions = [*(_contractor_admin.actions or []), send_registration_notice_now]
