from django.urls import path

from . import staff_views

app_name = "contact_staff"

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("bandeja/<slug:box>/", staff_views.inbox, name="box"),
    path("indicadores/", staff_views.figures, name="figures"),
    path("<int:pk>/", staff_views.conversation_page, name="conversation"),
    path("<int:pk>/tomar/", staff_views.claim, name="claim"),
    path("<int:pk>/responder/", staff_views.reply, name="reply"),
    path("<int:pk>/nota/", staff_views.note, name="note"),
    path("<int:pk>/clasificar/", staff_views.classify, name="classify"),
    path("<int:pk>/asignar/", staff_views.assign, name="assign"),
    path("<int:pk>/expediente/", staff_views.link_case, name="link_case"),
    path("<int:pk>/iniciar-tramite/", staff_views.file_case, name="file_case"),
    path("<int:pk>/vecino/", staff_views.link_contact, name="link_contact"),
    path("<int:pk>/resolver/", staff_views.resolve, name="resolve"),
    path("<int:pk>/adjuntos/<str:token>/", staff_views.attachment, name="attachment"),
]
