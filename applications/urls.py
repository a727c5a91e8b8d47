from django.urls import path

from . import change_views, pdf_views, views

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("quote/", views.fee_quote, name="quote"),
    path("changes/", change_views.change_list, name="change_list"),
    path("changes/<contract_number:number>/", change_views.change_new, name="change_new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/step/<str:step>/", views.application_step, name="step"),
    path("<int:pk>/documents/", views.application_documents, name="documents"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/fee-statement.pdf", pdf_views.fee_statement_download, name="fee_statement_pdf"),
    path("<int:pk>/confirm/", views.application_confirm, name="confirm"),
    path("<int:pk>/discard/", views.application_discard, name="discard"),
]
