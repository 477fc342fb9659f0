from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("sign-off/", views.batch_sign_off, name="batch_sign_off"),
    path("steps/<int:pk>/", views.step_detail, name="step"),
    path("steps/<int:pk>/decide/", views.decide, name="decide"),
    path("steps/<int:pk>/edit/", views.edit, name="edit"),
    path("items/<int:pk>/submit/", views.submit, name="submit"),
    path("items/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("items/<int:pk>/approval-sheet/", views.approval_sheet, name="approval_sheet"),
]
