from django.urls import path

from . import staff_views

app_name = "rates_staff"

urlpatterns = [path("", staff_views.bills, name="bills")]
