from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.guarantee_list, name="list"),
    path("manual/", views.manual, name="manual"),
    path("manual/signature/", views.signature_help, name="signature_help"),
    path("certificates/<contract_number:number>/", views.certificate_detail, name="detail"),
    path("certificates/<contract_number:number>/v<int:version>/", views.certificate_detail, name="version"),
    path("certificates/<contract_number:number>/print/", views.certificate_print, name="print"),
    path(
        "certificates/<contract_number:number>/v<int:version>/print/",
        views.certificate_print,
        name="version_print",
    ),
]
