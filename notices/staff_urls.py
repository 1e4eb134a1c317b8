from django.urls import path

from . import staff_views

app_name = "notices_staff"

urlpatterns = [
    path("", staff_views.notice_list, name="list"),
    path("nuevo/", staff_views.notice_new, name="new"),
    path("<int:pk>/", staff_views.notice_detail, name="detail"),
    path("<int:pk>/novedad/", staff_views.notice_update, name="update"),
    path("<int:pk>/cerrar/", staff_views.notice_close, name="close"),
]
