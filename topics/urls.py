from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("new/", views.topic_new, name="new"),
    path("<int:pk>/", views.topic_detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/urge/", views.urge, name="urge"),
]
