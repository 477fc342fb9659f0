from django.urls import path

from .views import adoptions, bulletins, dashboard, items, yearend

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("rankings/", dashboard.rankings, name="rankings"),
    path("units/<int:unit_id>/points/", dashboard.unit_points, name="unit_points"),
    path("units/<int:unit_id>/urge/", dashboard.urge, name="urge"),
    path("my-unit/", dashboard.my_unit, name="my_unit"),
    path("items/", items.item_ledger, name="items"),
    path("adoptions/", adoptions.adoption_list, name="adoptions"),
    path("adoptions/record/", adoptions.record, name="record_adoption"),
    path("adoptions/<int:pk>/remove/", adoptions.remove, name="remove_adoption"),
    path("adoptions/import/", adoptions.import_sheet, name="import_adoptions"),
    path("adoptions/template.xlsx", adoptions.template, name="adoption_template"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/generate/", bulletins.generate, name="generate_bulletin"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/publish/", bulletins.publish, name="publish_bulletin"),
    path("bulletins/<int:pk>/regenerate/", bulletins.regenerate, name="regenerate_bulletin"),
    path("bulletins/<int:pk>/<str:kind>/", bulletins.download, name="bulletin_file"),
    path("year-end/", yearend.year_end, name="year_end"),
    path("year-end/docx/", yearend.year_end_docx, name="year_end_docx"),
    path("year-end/xlsx/", yearend.year_end_xlsx, name="year_end_xlsx"),
    path("year-end/<int:year>/close/", yearend.close_year, name="close_year"),
    path("year-end/<int:year>/reopen/", yearend.reopen_year, name="reopen_year"),
]
