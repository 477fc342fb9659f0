from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .models import Role, Unit


@login_required
def home(request):
    """Each role's landing page; a person with several roles sees a section for each."""
    officer_units = Unit.objects.active().filter(
        role_assignments__user=request.user, role_assignments__role=Role.LIAISON_OFFICER
    )
    return render(
        request,
        "accounts/home.html",
        {"officer_units": list(officer_units), "month": timezone.localdate()},
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page: says how long to wait, in the user's language."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
