from django.utils.functional import SimpleLazyObject

from .permissions import access_for


def access(request):
    """`access` in every template, computed only if a template asks for it."""
    return {"access": SimpleLazyObject(lambda: access_for(request.user))}
