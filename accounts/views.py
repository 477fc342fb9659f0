from django.conf import settings
from django.shortcuts import render
from django.views.i18n import set_language as switch_language

from .models import User


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page: says how long to wait, in the user's language."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def set_language(request):
    """Django's language switch; a signed-in user's choice is also kept for their e-mails."""
    response = switch_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
