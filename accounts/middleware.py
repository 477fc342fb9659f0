from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

# What a person with a temporary password may still reach: the change itself, signing out and the
# language switch (static and media files are let through by their prefix).
ALLOWED_VIEWS = frozenset({"password_change", "password_change_done", "logout", "set_language", "healthz"})


class PasswordChangeRequiredMiddleware:
    """Sends a person who signed in with a temporary password from the office to the password change
    form, from every page, until they have chosen their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password and not _allowed(request):
            url = reverse("password_change")
            if getattr(request, "htmx", False):
                return HttpResponse(headers={"HX-Redirect": url})
            return redirect(url)
        return self.get_response(request)


def _allowed(request):
    path = request.path_info
    if any(path.startswith("/" + prefix.lstrip("/")) for prefix in (settings.STATIC_URL, settings.MEDIA_URL)):
        return True
    try:
        return resolve(path).url_name in ALLOWED_VIEWS
    except Resolver404:
        return False
