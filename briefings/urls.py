from django.urls import path

from . import views

app_name = "briefings"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("new/", views.briefing_new, name="new"),
    path("from-item/<int:article_pk>/", views.add_from_item, name="add_from_item"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/edit/", views.briefing_edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/pieces/add/", views.add_piece, name="add_piece"),
    path("<int:pk>/pieces/<int:piece_pk>/remove/", views.remove_piece, name="remove_piece"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/steps/<int:step_pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/urge/", views.urge, name="urge"),
    path("<int:pk>/sheet/", views.approval_sheet, name="approval_sheet"),
    path("<int:pk>/<str:kind>/", views.download, name="download"),
]
