from django.urls import path

from . import pdf_views, views

app_name = "advances"

# Mounted at applications/advances/ (config/urls.py): the addresses contractors already know.
urlpatterns = [
    path("<contract_number:number>/plan/", views.use_plan, name="use_plan"),
    path("<contract_number:number>/withdrawals/", views.withdrawals, name="withdrawals"),
    path("<contract_number:number>/plan.pdf", pdf_views.use_plan_download, name="use_plan_pdf"),
    path(
        "<contract_number:number>/withdrawals/<int:sequence>.pdf",
        pdf_views.withdrawal_download,
        name="withdrawal_pdf",
    ),
]
