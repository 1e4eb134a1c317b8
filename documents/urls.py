from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verificar/", views.verify, name="verify"),
    path("verificar/<str:code>/", views.verify_code, name="verify_code"),
    path("verificar/<str:code>/documento.pdf", views.verify_download, name="verify_download"),
    path("documentos/<str:code>/descargar/", views.download, name="download"),
]
