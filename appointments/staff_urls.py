from django.urls import path

from . import staff_views

app_name = "appointments_staff"

urlpatterns = [
    path("", staff_views.index, name="index"),
    path("reservar/", staff_views.book_for_resident, name="book"),
    path("<slug:office>/bloquear/", staff_views.block, name="block"),
    path("reservas/<int:pk>/cancelar/", staff_views.cancel_booking, name="cancel_booking"),
    path("puesto/<int:desk_id>/", staff_views.console, name="console"),
    path("puesto/<int:desk_id>/<slug:action>/", staff_views.console_action, name="console_action"),
]
