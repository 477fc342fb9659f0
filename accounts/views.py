from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as switch_language

from publicity.sheets import XLSX, content_disposition

from . import actions, sheets
from .forms import PasswordResetRequestForm, PersonForm, RoleForm, SheetForm, UnitForm
from .limits import may_send_reset_link
from .models import Role, RoleAssignment, Unit, User
from .permissions import (
    UNIT_ROLES,
    access_for,
    access_person,
    access_unit,
    gaps_in_units,
    managed_unit_ids,
    may_manage_people,
    may_manage_person,
    may_reset_password,
    people_visible_to,
    require_people_manager,
    roles_given_by,
)


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
        .order_by("-is_active")
        .prefetch_related(Prefetch("role_assignments", RoleAssignment.objects.select_related("unit")))
        .order_by("-is_active", "display_name", "username")
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
    return _temporary_password_page(request, person, password)


def _temporary_password_page(request, person, password):
    response = render(request, "accounts/temporary_password.html", {"person": person, "password": password})
    add_never_cache_headers(response)
    return response


# --- Units and people, by the office ------------------------------------------------------------


@login_required
def units(request):
    """The unit tree with each unit's class and people; units missing a role are flagged on top."""
    require_people_manager(request.user)
    ids = managed_unit_ids(request.user)
    found = list(Unit.objects.filter(pk__in=ids).select_related("unit_class"))
    people_at = {}
    for assignment in RoleAssignment.objects.filter(unit_id__in=ids, user__is_active=True).select_related(
        "user"
    ):
        people_at.setdefault((assignment.unit_id, assignment.role), []).append(assignment.user)
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    held = RoleAssignment.objects.filter(user__is_active=True, unit__is_active=True, role__in=UNIT_ROLES)
    gaps = gaps_in_units(found, held.values_list("role", "unit_id"), parents)
    rows = [
        {
            "unit": unit,
            "depth": depth,
            "indent": range(max(depth - 1, 0)),
            "officers": people_at.get((unit.pk, Role.LIAISON_OFFICER), []),
            "leaders": people_at.get((unit.pk, Role.LEADER_IN_CHARGE), []),
            "office": people_at.get((unit.pk, Role.OFFICE_DIRECTOR), [])
            + people_at.get((unit.pk, Role.LEADERSHIP), []),
            "gaps": [role for gap_unit, role in gaps if gap_unit.pk == unit.pk],
        }
        for unit, depth in _tree(found)
    ]
    return render(request, "accounts/units.html", {"rows": rows, "gaps": gaps})


def _tree(units):
    """(unit, depth) in tree order: each unit followed by its own units, siblings in their order."""
    ids = {unit.pk for unit in units}
    children = {}
    for unit in units:  # already in the units' order
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    ordered, stack = [], [(unit, 0) for unit in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack += [(child, depth + 1) for child in reversed(children.get(unit.pk, []))]
    return ordered


@login_required
def add_unit(request):
    require_people_manager(request.user)
    ids = managed_unit_ids(request.user)
    form = UnitForm(
        request.POST or None,
        unit_ids=ids,
        top_level=access_for(request.user).is_admin,
        initial={"parent": request.GET.get("parent")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.add_unit(by=request.user, **form.cleaned_data)
        except actions.ChangeRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(unit)s was added.") % {"unit": unit})
            return redirect("accounts:units")
    return render(request, "accounts/unit_form.html", {"form": form})


@login_required
def edit_unit(request, pk):
    """Rename, move, re-class a unit; deactivate it or bring it back."""
    unit = access_unit(request.user, pk)
    initial = {
        "name": unit.name,
        "parent": unit.parent_id,
        "unit_class": unit.unit_class_id,
        "active_from": unit.active_from,
    }
    form = UnitForm(
        request.POST or None,
        unit_ids=managed_unit_ids(request.user),
        unit=unit,
        top_level=access_for(request.user).is_admin,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_unit(unit, by=request.user, **form.cleaned_data)
        except actions.ChangeRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("%(unit)s was saved.") % {"unit": form.cleaned_data["name"]})
            return redirect("accounts:units")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def set_unit_active(request, pk):
    unit = access_unit(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_unit_active(unit, active, by=request.user)
    except actions.ChangeRefused as refused:
        messages.error(request, refused.message)
    else:
        done = _("%(unit)s is active again.") if active else _("%(unit)s was deactivated.")
        messages.success(request, done % {"unit": unit})
    return redirect("accounts:units")


@login_required
def add_person(request):
    """A new person with a first role; their temporary password is shown once."""
    require_people_manager(request.user)
    form = PersonForm(
        request.POST or None,
        roles=roles_given_by(request.user),
        unit_ids=managed_unit_ids(request.user),
        initial={"unit": request.GET.get("unit"), "role": request.GET.get("role")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            person, password = actions.add_person(by=request.user, **form.cleaned_data)
        except actions.ChangeRefused as refused:
            form.add_error("username", refused.message)
        else:
            return _temporary_password_page(request, person, password)
    return render(request, "accounts/person_add.html", {"form": form})


@login_required
def person(request, pk):
    """One person: their roles (give one, take one), deactivation, password reset."""
    found = access_person(request.user, pk)
    return _render_person(request, found, _role_form(request, None))


def _role_form(request, data):
    return RoleForm(data, roles=roles_given_by(request.user), unit_ids=managed_unit_ids(request.user))


def _render_person(request, found, form, status=200):
    context = {
        "person": found,
        "assignments": list(found.role_assignments.select_related("unit")),
        "may_manage": may_manage_person(request.user, found),
        "form": form,
    }
    return render(request, "accounts/person.html", context, status=status)


@login_required
@require_POST
def give_role(request, pk):
    found = access_person(request.user, pk)
    form = _role_form(request, request.POST)
    if not form.is_valid():
        return _render_person(request, found, form, status=400)
    role, unit = form.cleaned_data["role"], form.cleaned_data["unit"]
    actions.give_role(found, role, unit, by=request.user)
    messages.success(
        request,
        _("%(name)s is now %(role)s of %(unit)s.") % {"name": found, "role": Role(role).label, "unit": unit},
    )
    return redirect("accounts:person", pk=found.pk)


@login_required
@require_POST
def take_role(request, pk, assignment_pk):
    found = access_person(request.user, pk)
    try:
        assignment = found.role_assignments.select_related("unit").get(pk=assignment_pk)
    except RoleAssignment.DoesNotExist:
        raise Http404 from None
    try:
        actions.take_role(assignment, by=request.user)
    except actions.ChangeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer %(role)s of %(unit)s.")
            % {"name": found, "role": assignment.get_role_display(), "unit": assignment.unit},
        )
    return redirect("accounts:person", pk=found.pk)


@login_required
@require_POST
def set_person_active(request, pk):
    found = access_person(request.user, pk)
    active = request.POST.get("active") == "1"
    actions.set_person_active(found, active, by=request.user)
    done = (
        _("%(name)s can sign in again.")
        if active
        else _("%(name)s was deactivated and can no longer sign in.")
    )
    messages.success(request, done % {"name": found})
    return redirect("accounts:person", pk=found.pk)


# --- The units-and-people sheet -------------------------------------------------------------------


@login_required
def import_sheet(request):
    """Upload a filled template: every row's errors are shown and nothing is saved unless all are
    good; then the new people's temporary passwords are shown this once."""
    require_people_manager(request.user)
    form = SheetForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = sheets.read_people_sheet(form.cleaned_data["sheet"], by=request.user)
        if not errors:
            try:
                units_added, new_people, roles = actions.import_people(rows, by=request.user)
            except actions.ImportFailed as failed:
                errors = failed.errors
            else:
                context = {"units_added": units_added, "new_people": new_people, "roles": roles}
                response = render(request, "accounts/import_done.html", context)
                add_never_cache_headers(response)
                return response
        form.add_error(None, _("Nothing was imported. Correct these rows and upload the sheet again."))
    return render(request, "accounts/import.html", {"form": form, "errors": errors})


@login_required
def import_template(request):
    require_people_manager(request.user)
    response = HttpResponse(sheets.people_template(), content_type=XLSX)
    name = _("units-and-people-template")
    response["Content-Disposition"] = content_disposition(f"{name}.xlsx")
    return response
