from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("tramites/", views.catalog, name="catalog"),
    path("tramites/<slug:code>/", views.procedure_detail, name="detail"),
    path("tramites/<slug:code>/iniciar/", views.start, name="start"),
    path("mis-tramites/", views.my_cases, name="my_cases"),
    path(
        "mis-tramites/borradores/<int:case_id>/seccion/<int:index>/",
        views.draft_section,
        name="draft_section",
    ),
    path(
        "mis-tramites/borradores/<int:case_id>/documentos/",
        views.draft_documents,
        name="draft_documents",
    ),
    path("mis-tramites/borradores/<int:case_id>/revisar/", views.draft_review, name="draft_review"),
    path(
        "mis-tramites/borradores/<int:case_id>/eliminar/", views.draft_delete, name="draft_delete"
    ),
    path("mis-tramites/<str:reference>/", views.case_detail, name="case_detail"),
    path("mis-tramites/<str:reference>/enviado/", views.case_submitted, name="case_submitted"),
    path("mis-tramites/<str:reference>/corregir/", views.case_correct, name="case_correct"),
    path("mis-tramites/<str:reference>/desistir/", views.case_withdraw, name="case_withdraw"),
    path(
        "mis-tramites/<str:reference>/documentos/<str:token>/",
        views.document_download,
        name="document_download",
    ),
    path("mis-tramites/<str:reference>/resultado/", views.output_download, name="output_download"),
    path(
        "mis-tramites/<str:reference>/constancia-de-presentacion/",
        views.filing_receipt,
        name="filing_receipt",
    ),
]
