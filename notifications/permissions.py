"""Who may see and change a notification: its recipient, no one else."""

from django.shortcuts import get_object_or_404

from .models import Notification


def access_notification(user, pk):
    """The user's own notification, or 404 (another's is as good as missing)."""
    return get_object_or_404(Notification, pk=pk, recipient=user)
