from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("submit/<int:guarantee_id>/", views.submit, name="submit"),
    path("receipt/<str:token>/", views.receipt, name="receipt"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/confirm/<str:token>/", views.subscription_confirm, name="subscription_confirm"),
    path("subscriptions/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
