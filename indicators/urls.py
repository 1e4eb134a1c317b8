from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("gestion/indicadores/", views.dashboard, name="dashboard"),
    path("gestion/indicadores/costos/", views.cost_entry, name="costs"),
    path(
        "mis-tramites/encuesta/<int:case_id>/",
        views.answer_satisfaction,
        name="answer_satisfaction",
    ),
    path("transparencia/", views.transparency, name="transparency"),
    path("transparencia/<str:month>/", views.transparency, name="transparency_month"),
    path("transparencia/datos/diccionario/", views.data_dictionary, name="data_dictionary"),
    path("transparencia/datos/<str:month>.csv", views.open_data_csv, name="open_data_csv"),
    path("transparencia/datos/<str:month>.json", views.open_data_json, name="open_data_json"),
]
