"""Staff register orderers' systems, issue and revoke their credentials, and watch the webhooks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from portal.admin import ReadOnlyAdminMixin

from . import services
from .models import ApiClient, ApiKey, ChangeEvent, ChangesRead, WebhookDelivery


def _staff(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "created_by", "revoked_at", "revoked_by"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at", "revoked_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "orderer",
        "contact_name",
        "is_active",
        "quota_per_hour",
        "live_key",
        "webhook_url",
    ]
    list_filter = ["is_active", "can_batch", "can_read_changes"]
    search_fields = ["name", "orderer__organisation", "orderer__title", "contact_name", "contact_email"]
    autocomplete_fields = ["orderer"]
    inlines = [ApiKeyInline]
    exclude = ["webhook_secret_ciphertext"]
    actions = ["issue_credentials", "revoke_keys"]
    fieldsets = [
        (None, {"fields": ["orderer", "name", "is_active"]}),
        (gettext_lazy("担当者"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        (
            gettext_lazy("できること"),
            {"fields": ["can_verify", "can_batch", "can_read_changes", "webhook_url"]},
        ),
        (gettext_lazy("上限"), {"fields": ["quota_per_hour", "failures_per_hour"]}),
    ]

    @admin.display(description=gettext_lazy("有効なAPIキー"))
    def live_key(self, client: ApiClient) -> str:
        key = client.keys.filter(revoked_at__isnull=True).first()
        return key.prefix if key else "-"

    @admin.action(
        description=gettext_lazy("APIキーを発行・更新する（以前のキーは即時失効）"), permissions=["change"]
    )
    def issue_credentials(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("APIキーは1件ずつ発行してください。"), messages.ERROR)
            return None
        client = queryset.get()
        issued = services.api_credentials_issue(client=client, issued_by=_staff(request))
        response = render(
            request,
            "admin/apiclients/credentials.html",
            {
                **self.admin_site.each_context(request),
                "client": client,
                "issued": issued,
                "back": reverse("admin:apiclients_apiclient_change", args=[client.pk]),
            },
        )
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("APIキーを失効させる"), permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        ids = list(
            ApiKey.objects.filter(client__in=queryset, revoked_at__isnull=True).values_list("pk", flat=True)
        )
        count = services.api_keys_revoke(key_ids=ids, revoked_by=_staff(request))
        self.message_user(request, _("%(count)d件のAPIキーを失効させました。") % {"count": count})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "client",
        "event_id",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["state", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["event_id", "client__name"]
    list_select_related = ["client__orderer"]
    show_full_result_count = False
    actions = ["resend"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the resend action; every field stays read-only.
        return bool(request.user.has_perm("apiclients.change_webhookdelivery"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    @admin.action(description=gettext_lazy("Webhookを再送する"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = services.webhooks_resend(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d件を再送待ちにしました。") % {"count": count})


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "guarantee", "version"]
    list_filter = ["kind"]
    search_fields = ["guarantee__number"]
    list_select_related = ["guarantee"]


@admin.register(ChangesRead)
class ChangesReadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "client", "since", "changes"]
    list_select_related = ["client__orderer"]
