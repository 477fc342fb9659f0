from django.urls import path

from . import views
from .feeds import OutletFeed

app_name = "outlets"

urlpatterns = [
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/<str:action>/", views.delivery_action, name="delivery_action"),
    path("outlets/<int:pk>/resume/", views.outlet_resume, name="outlet_resume"),
    path("items/<int:pk>/deliveries/", views.article_deliveries, name="article_deliveries"),
    path("photos/<str:token>/", views.photo, name="photo"),
    path("callbacks/webhook/<int:outlet_id>/", views.webhook_callback, name="webhook_callback"),
    path("feeds/<str:token>/", OutletFeed(), name="feed"),
]
