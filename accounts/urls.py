from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/add/", views.add_person, name="add_person"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("people/<int:pk>/roles/", views.give_role, name="give_role"),
    path("people/<int:pk>/roles/<int:assignment_pk>/take/", views.take_role, name="take_role"),
    path("people/<int:pk>/active/", views.set_person_active, name="set_person_active"),
    path("units/", views.units, name="units"),
    path("units/import/", views.import_sheet, name="import"),
    path("units/import/template/", views.import_template, name="import_template"),
    path("units/add/", views.add_unit, name="add_unit"),
    path("units/<int:pk>/", views.edit_unit, name="edit_unit"),
    path("units/<int:pk>/active/", views.set_unit_active, name="set_unit_active"),
]
