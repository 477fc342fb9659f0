"""The Celery application. Settings come from Django's, prefixed CELERY_ (DESIGN.md §6)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicity.settings")

app = Celery("publicity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
