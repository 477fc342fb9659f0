from django.urls import path, re_path

from . import views

app_name = "submissions"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("autosave/", views.autosave, name="autosave_new"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo_tile, name="photo_tile"),
    re_path(
        r"^(?P<pk>[0-9]+)/photos/(?P<photo_pk>[0-9]+)/(?P<kind>original|thumbnail|display)/$",
        views.photo_file,
        name="photo_file",
    ),
]
