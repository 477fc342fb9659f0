from django.utils.functional import SimpleLazyObject

from .permissions import has_queue


def deputy_queue(request):
    """`deputy_queue` in every template: whether the user has a review queue, a deputy's included.
    Read only if a template asks (the header asks only of people ever named a deputy)."""
    return {"deputy_queue": SimpleLazyObject(lambda: has_queue(request.user))}
