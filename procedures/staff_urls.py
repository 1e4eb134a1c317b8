from django.urls import path

from . import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("cola/", staff_views.queue, name="queue"),
    path("archivo/", staff_views.archive, name="archive"),
    path("tareas/<int:task_id>/", staff_views.task_detail, name="task"),
    path("tareas/<int:task_id>/tomar/", staff_views.task_claim, name="task_claim"),
    path("tareas/<int:task_id>/liberar/", staff_views.task_release, name="task_release"),
    path("tareas/<int:task_id>/asignar/", staff_views.task_assign, name="task_assign"),
    path("tareas/<int:task_id>/decidir/", staff_views.task_decide, name="task_decide"),
    path("expedientes/<str:reference>/", staff_views.case_page, name="case"),
    path("expedientes/<str:reference>/nota/", staff_views.case_note, name="case_note"),
    path(
        "expedientes/<str:reference>/documentos/<str:token>/",
        staff_views.case_document,
        name="case_document",
    ),
    path("expedientes/<str:reference>/resultado/", staff_views.case_output, name="case_output"),
    path("iniciar/", staff_views.file_new, name="file_new"),
    path("iniciar/<slug:code>/", staff_views.file_internal, name="file_internal"),
]
