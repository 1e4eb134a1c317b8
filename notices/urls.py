from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("feed/", views.NoticeFeed(), name="feed"),
    path("seguir/", views.follow, name="follow"),
    path("<int:pk>/", views.notice_detail, name="detail"),
]
