from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<int:pk>/reset-password/", views.reset_password, name="reset_password"),
]
