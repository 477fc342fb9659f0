from datetime import timedelta

from celery import shared_task

from . import actions
from .models import Photo


@shared_task(
    name="submissions.make_photo_renditions",
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
    time_limit=120,
    soft_time_limit=100,
)
def make_photo_renditions(photo_id):
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is not None:  # deleted before the worker got to it
        actions.make_renditions(photo)


@shared_task(name="submissions.sweep_photo_renditions", time_limit=600, soft_time_limit=540)
def sweep_photo_renditions():
    """Beat: make the renditions whose task never ran, so no photo stays a placeholder."""
    for photo_id in actions.photos_missing_renditions(older_than=timedelta(minutes=2)).values_list(
        "pk", flat=True
    )[:200]:
        make_photo_renditions.delay(photo_id)
