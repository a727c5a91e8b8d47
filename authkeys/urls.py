from django.urls import path

from . import views

app_name = "authkeys"

urlpatterns = [
    path("<contract_number:number>/", views.authkey_display, name="display"),
]
