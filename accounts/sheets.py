"""The units-and-people sheet: the office downloads the template (`people_template`), fills in, say,
the start-of-term list of schools with their liaison officers and leaders, and uploads it
(`read_people_sheet`). Every row is checked before anything is saved; `actions.import_people` then
saves all of it or nothing. The safe reading and writing is `publicity.sheets`'s.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from publicity.sheets import (
    BOLD,
    EXAMPLE,
    SheetRefused,
    SheetShape,
    key,
    put,
    read_lines,
    saved,
    sheet_title,
    shown,
    text,
    write_header,
)

from .models import Role, RoleAssignment, Unit, UnitClass, User
from .permissions import managed_unit_ids, may_manage_person, roles_given_by

MAX_ROWS = 2000
USERNAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.+-_")

# The sheet's columns, read by position: the header may be in English or Chinese.
COLUMNS = [
    ("unit", gettext_lazy("Unit"), 28),
    ("parent", gettext_lazy("Parent unit"), 24),
    ("unit_class", gettext_lazy("Unit class"), 14),
    ("display_name", gettext_lazy("Person's name"), 16),
    ("username", gettext_lazy("Username"), 16),
    ("email", gettext_lazy("E-mail"), 26),
    ("role", gettext_lazy("Role"), 16),
]
SHAPE = SheetShape(
    columns=len(COLUMNS),
    max_rows=MAX_ROWS,
    too_many_rows=gettext_lazy("The sheet has more than %(max)s rows; split it into several files."),
    too_much_data=gettext_lazy(
        "This file was refused: it unpacks to far more data than a sheet of units and people "
        "holds (%(limit)s)."
    ),
)


# --- The template -----------------------------------------------------------------------------------


def people_template():
    """The .xlsx the office fills: the data sheet (header only) and a sheet with instructions, the
    roles and classes it accepts, and an example. Only the first sheet is read."""
    workbook = Workbook()
    data = workbook.active
    data.title = sheet_title(_("Units and people"))
    guide = workbook.create_sheet(sheet_title(_("How to fill")))
    write_header(data, [label for _name, label, _width in COLUMNS])
    for column, (_name, _label, width) in enumerate(COLUMNS, start=1):
        data.column_dimensions[get_column_letter(column)].width = width
    _write_guide(guide, data.title)
    return saved(workbook)


def _write_guide(sheet, data_title):
    classes = ", ".join(UnitClass.objects.values_list("name", flat=True)) or "—"
    roles = ", ".join(str(role.label) for role in (Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE))
    lines = [
        _("Fill one person and role per row on the sheet “%(sheet)s”, below its header row.")
        % {"sheet": data_title},
        _("Do not move, add or remove columns: they are read by their position."),
        _(
            "Unit: a unit that exists, or a new one. A new unit needs its parent unit (one that exists or "
            "is on an earlier row); leave the parent empty for a unit directly below the office."
        ),
        _("Unit class, for a new unit: one of %(classes)s.") % {"classes": classes},
        _(
            "Person: a new username gets a new account with a temporary password, shown once after the "
            "import; an existing username gets the role. A row without a person only adds the unit."
        ),
        _("Role: one of %(roles)s. A person with several roles takes one row for each.") % {"roles": roles},
        _("Every row is checked first: if any row has an error, nothing is imported."),
        _("Only the first sheet is imported. The example below is not."),
    ]
    for row, line in enumerate(lines, start=1):
        put(sheet.cell(row=row, column=1), line)
    sheet.cell(row=1, column=1).font = BOLD
    header_row = len(lines) + 2
    for column, (_name, label, width) in enumerate(COLUMNS, start=1):
        put(sheet.cell(row=header_row, column=column), label).font = BOLD
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, values in enumerate(_example(), start=1):
        for column, value in enumerate(values, start=1):
            put(sheet.cell(row=header_row + offset, column=column), value).font = EXAMPLE
    put(sheet.cell(row=header_row + 1, column=len(COLUMNS) + 1), _("Example")).font = EXAMPLE


def _example():
    school, town = _("Jiayang Town Central School"), _("Jiayang Town")
    unit_class = UnitClass.objects.values_list("name", flat=True).first() or ""
    return [
        [
            school,
            town,
            unit_class,
            _("Wang Fang"),
            "wangfang",
            "wangfang@example.org",
            Role.LIAISON_OFFICER.label,
        ],
        [school, town, unit_class, _("Li Ming"), "liming", "", Role.LEADER_IN_CHARGE.label],
    ]


# --- Reading ---------------------------------------------------------------------------------------


def read_people_sheet(uploaded_file, *, by):
    """Check a filled template for `by`. Returns (rows, errors): rows are dicts for
    `accounts.actions.import_people`; errors are (row number, message), row 0 for the file itself,
    every problem of every row. All or nothing: when there are errors, rows is empty."""
    try:
        lines = read_lines(uploaded_file, SHAPE, limit=settings.REPORTS_IMPORT_MAX_BYTES)
    except SheetRefused as refused:
        return [], [(0, refused.message)]
    if not lines:
        return [], [(0, _("The sheet has no rows below its header row."))]
    checker = _RowChecker(by, lines)
    rows, errors = [], []
    for number, values in lines:
        row, problems = checker.check(number, values)
        rows.append(row)
        errors += [(number, problem) for problem in problems]
    return ([], errors) if errors else (rows, [])


@dataclass
class _NewUnit:
    name: str
    parent: object  # an existing Unit, or the _NewUnit of an earlier row
    unit_class: object
    row: int


class _RowChecker:
    """Checks rows one by one against the units, classes and people loaded once for the sheet."""

    def __init__(self, by, lines):
        self.units = list(Unit.objects.filter(pk__in=managed_unit_ids(by)).select_related("parent"))
        self.classes = {key(c.name): c for c in UnitClass.objects.all()}
        usernames = {text(values[4]).casefold() for _number, values in lines} - {""}
        found = User.objects.annotate(folded=Lower("username")).filter(folded__in=usernames)
        found = found.prefetch_related("role_assignments")
        self.people = {person.username.casefold(): person for person in found}
        self.roles = _role_codes(roles_given_by(by))
        self.office = _office_of(by, self.units)
        self.by = by
        self.new_units = {}  # key(name) → _NewUnit
        self.new_people = {}  # casefolded username → (name, e-mail, first row)
        self.seen = {}  # (username, role, unit name) → first row
        self.problems = []

    def check(self, number, values):
        cells = dict(zip([name for name, _label, _width in COLUMNS], values, strict=True))
        self.problems = []
        row = {"row": number, "unit": self._unit(number, cells)}
        row.update(self._person(number, cells, row["unit"]))
        return row, self.problems

    def _error(self, column, message, **values):
        self.problems.append(message % {"column": _label(column), **values})

    # Units

    def _unit(self, number, cells):
        name, parent_name = " ".join(text(cells["unit"]).split()), " ".join(text(cells["parent"]).split())
        if not name:
            return self._error("unit", _("%(column)s: this column is required."))
        if len(name) > Unit._meta.get_field("name").max_length:
            return self._error("unit", _("%(column)s: “%(value)s” is too long."), value=shown(name))
        unit_class = self._class(cells["unit_class"])
        found = self._find(name, parent_name)
        if isinstance(found, Unit) and not found.is_active:
            return self._error("unit", _("%(column)s: %(value)s is deactivated."), value=found)
        if found is not None:
            if unit_class and getattr(found, "unit_class", unit_class) != unit_class:
                self._error(
                    "unit_class",
                    _("%(column)s: %(unit)s is of another class; change the class on the unit's page."),
                    unit=name,
                )
            return found
        parent = self._find(parent_name, "") if parent_name else self.office
        if parent is None:
            if parent_name:
                return self._error(
                    "parent",
                    _("%(column)s: there is no unit “%(value)s” (a new one must be on an earlier row)."),
                    value=shown(parent_name),
                )
            return self._error("parent", _("%(column)s: required for a new unit."))
        if isinstance(parent, Unit) and not parent.is_active:
            return self._error("parent", _("%(column)s: %(value)s is deactivated."), value=parent)
        new = _NewUnit(name=name, parent=parent, unit_class=unit_class, row=number)
        self.new_units[key(name)] = new
        return new

    def _find(self, name, parent_name):
        """The existing unit (or new one from an earlier row) of this name, below `parent_name` if
        given; None if there is none. Two of the name and no parent to tell them apart: an error."""
        if key(name) in self.new_units:
            return self.new_units[key(name)]
        found = [u for u in self.units if key(u.name) == key(name)]
        if parent_name:
            found = [u for u in found if u.parent is not None and key(u.parent.name) == key(parent_name)]
        if len(found) > 1:
            message = _("%(column)s: there are several units named “%(value)s”; give the parent unit.")
            self._error("parent", message, value=shown(name))
        return found[0] if found else None

    def _class(self, value):
        name = text(value)
        if not name:
            return None
        found = self.classes.get(key(name))
        if found is None:
            choices = ", ".join(c.name for c in self.classes.values()) or "—"
            self._error(
                "unit_class",
                _("%(column)s: “%(value)s” is not a unit class; use one of: %(choices)s."),
                value=shown(name),
                choices=choices,
            )
        return found

    # People

    def _person(self, number, cells, unit):
        username, name = text(cells["username"]), " ".join(text(cells["display_name"]).split())
        email, role_text = text(cells["email"]), text(cells["role"])
        if not (username or name or email or role_text):
            return {"person": None}
        if not username:
            self._error("username", _("%(column)s: required when a person is given."))
        elif len(username) > 150 or not set(username) <= USERNAME_CHARACTERS:
            self._error(
                "username",
                _("%(column)s: “%(value)s” may hold only letters, digits and @ . + - _."),
                value=shown(username),
            )
        role = self._role(role_text)
        person = self.people.get(username.casefold())
        if person is None and username:
            self._new_person(number, username, name, email)
        elif person is not None:
            self._existing_person(person)
        if username and role and unit is not None:
            self._once(number, username, role, unit)
        return {"person": person, "username": username, "display_name": name, "email": email, "role": role}

    def _role(self, value):
        if not value:
            return self._error("role", _("%(column)s: required when a person is given."))
        role = self.roles.get(key(value))
        if role is None:
            choices = ", ".join(str(Role(code).label) for code in dict.fromkeys(self.roles.values()))
            self._error(
                "role", _("%(column)s: “%(value)s” is not a role you give; use one of: %(choices)s."),
                value=shown(value), choices=choices,
            )  # fmt: skip
        return role

    def _new_person(self, number, username, name, email):
        if not name:
            self._error("display_name", _("%(column)s: required for a new person."))
        elif len(name) > 150:
            self._error("display_name", _("%(column)s: “%(value)s” is too long."), value=shown(name))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self._error(
                    "email", _("%(column)s: “%(value)s” is not an e-mail address."), value=shown(email)
                )
        first = self.new_people.setdefault(username.casefold(), (name, email, number))
        if first[:2] != (name, email):
            self._error(
                "display_name",
                _("%(column)s: %(value)s is on row %(row)s with another name or e-mail."),
                value=username,
                row=first[2],
            )

    def _existing_person(self, person):
        """May the user give this person roles (one of theirs, or someone with no role yet)?"""
        held = person.role_assignments.all()  # prefetched
        if person.pk == self.by.pk or (held and not may_manage_person(self.by, person)):
            self._error(
                "username", _("%(column)s: you may not give %(value)s a role."), value=person.username
            )

    def _once(self, number, username, role, unit):
        first = self.seen.setdefault((username.casefold(), role, key(unit.name)), number)
        if first != number:
            self._error(
                "role", _("%(column)s: the same person, role and unit are on row %(row)s."), row=first
            )


def _office_of(by, units):
    """The unit a blank parent means: the office the user directs, when there is exactly one."""
    directed = RoleAssignment.objects.filter(user=by, role=Role.OFFICE_DIRECTOR, unit__is_active=True)
    ids = list(directed.values_list("unit_id", flat=True))
    return next((u for u in units if u.pk == ids[0]), None) if len(ids) == 1 else None


def _role_codes(roles):
    """Code, English label and Chinese label (case-folded) → role code, for the roles given."""
    codes = {role.value: role.value for role in roles}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            codes.update({key(str(role.label)): role.value for role in roles})
    return codes


def _label(column):
    return next(label for name, label, _width in COLUMNS if name == column)
