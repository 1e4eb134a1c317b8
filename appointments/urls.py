from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.book, name="book"),
    path("mis-turnos/", views.my_appointments, name="mine"),
    path("gestionar/<str:token>/", views.manage, name="manage"),
    path("gestionar/<str:token>/cancelar/", views.manage_cancel, name="manage_cancel"),
    path("recepcion/<slug:office>/", views.kiosk, name="kiosk"),
    path("recepcion/<slug:office>/numero/<int:ticket_id>/", views.ticket, name="ticket"),
    path("pantalla/<slug:office>/", views.screen, name="screen"),
    path("pantalla/<slug:office>/llamados.json", views.screen_feed, name="screen_feed"),
    path("api/disponibilidad.json", views.availability, name="availability"),
]
