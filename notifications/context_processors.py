from django.utils.functional import SimpleLazyObject

from .models import Notification

# The header's badge says "99+" beyond this: counting further costs more and tells no more.
UNREAD_SHOWN = 99


def unread(request):
    """`unread_notifications` in every template: the user's unread count, at most UNREAD_SHOWN + 1.

    Queried only if a template shows it.
    """
    return {"unread_notifications": SimpleLazyObject(lambda: _unread_count(request.user))}


def _unread_count(user):
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user).unread().order_by().values_list("pk")
    return len(unread[: UNREAD_SHOWN + 1])
