from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.guarantee_list, name="list"),
    path("manual/", views.manual, name="manual"),
    path("certificates/<str:number>/", views.certificate_detail, name="detail"),
    path("certificates/<str:number>/v<int:version>/", views.certificate_detail, name="version"),
    path("certificates/<str:number>/print/", views.certificate_print, name="print"),
    path("certificates/<str:number>/v<int:version>/print/", views.certificate_print, name="version_print"),
]
