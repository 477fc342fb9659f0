from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as switch_language

from . import actions
from .forms import PasswordResetRequestForm
from .limits import may_send_reset_link
from .models import RoleAssignment, User
from .permissions import access_person, may_manage_people, may_reset_password, people_visible_to


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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot your password" page, with our e-mail and a limit on how often it sends."""

    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not may_send_reset_link(self.request, form.cleaned_data["email"]):
            # The same answer as when a link went out: it tells nobody whether the address exists.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def people(request):
    """The people of the office's units (everyone, for an admin), with a password reset for each."""
    if not may_manage_people(request.user):
        raise PermissionDenied
    persons = (
        people_visible_to(request.user)
        .filter(is_active=True)
        .prefetch_related(Prefetch("role_assignments", RoleAssignment.objects.select_related("unit")))
        .order_by("display_name", "username")
    )
    rows = [(person, may_reset_password(request.user, person)) for person in persons]
    return render(request, "accounts/people.html", {"rows": rows})


@login_required
@require_POST
def reset_password(request, pk):
    """Gives the person a temporary password and shows it this once (never stored or sent anywhere)."""
    person = access_person(request.user, pk)
    if not may_reset_password(request.user, person):
        raise PermissionDenied
    password = actions.reset_password(person, by=request.user)
    response = render(request, "accounts/temporary_password.html", {"person": person, "password": password})
    add_never_cache_headers(response)
    return response
