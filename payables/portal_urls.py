from django.urls import path

from . import account_views

app_name = "payables_portal"

urlpatterns = [
    path("", account_views.supplier_statement, name="statement"),
]
