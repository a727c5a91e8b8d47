from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("result/<str:token>/", views.result, name="result"),
    path("history/<contract_number:number>/", views.history, name="history"),
]
