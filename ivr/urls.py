from django.urls import path

from . import views

app_name = "ivr"

urlpatterns = [
    path("voz/", views.entry, name="entry"),
    path("estado/", views.call_status, name="status"),
    path("voz/<slug:name>/", views.node, name="node"),
    path("voz/<slug:name>/opcion/", views.choose, name="choose"),
    path("voz/<slug:name>/numero/", views.case_number, name="case_number"),
    path("voz/<slug:name>/confirmar/", views.confirm, name="confirm"),
    path("voz/<slug:name>/fuera-de-horario/", views.after_hours, name="after_hours"),
]
