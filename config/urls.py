from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "電子保証ポータル 管理"
admin.site.site_title = "電子保証ポータル 管理"
admin.site.index_title = "支店業務"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("guarantees.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
