"""The demo office, units and people. Safe to run again: it changes nothing that exists."""

from .models import Role, RoleAssignment, Unit, UnitClass, User

DEMO_PASSWORD = "publicity-demo"
OFFICE = "Shawan District Education Bureau"
SCHOOL = "Shawan No. 1 Middle School"
PRIMARY = "Shawan Experimental Primary School"
TOWN = "Jiayang Town Central School"

# unit name -> (unit class, order)
UNITS = {SCHOOL: ("Class 1", 1), PRIMARY: ("Class 1", 2), TOWN: ("Class 2", 3)}

# username -> (display name, [(role, unit name)], is admin)
PEOPLE = {
    "officer": ("Li Na", [(Role.LIAISON_OFFICER, SCHOOL)], False),
    "officer2": ("Zhang Wei", [(Role.LIAISON_OFFICER, PRIMARY)], False),
    "leader": ("Wang Fang", [(Role.LEADER_IN_CHARGE, SCHOOL)], False),
    "leader2": ("Liu Yang", [(Role.LEADER_IN_CHARGE, PRIMARY)], False),
    "director": ("Chen Jing", [(Role.OFFICE_DIRECTOR, OFFICE)], False),
    "leadership": ("Zhao Min", [(Role.LEADERSHIP, OFFICE)], False),
    "admin": ("Administrator", [], True),
}


def seed():
    """Create what is missing; return a one-line summary."""
    units = seed_units()
    created = seed_people(units)
    return f"{len(units)} units, {created} new users"


def seed_units():
    office, _ = Unit.objects.get_or_create(name=OFFICE, parent=None, defaults={"short_name": "Shawan"})
    units = {OFFICE: office}
    for name, (class_name, order) in UNITS.items():
        unit_class, _ = UnitClass.objects.get_or_create(
            name=class_name, defaults={"order": int(class_name.split()[-1])}
        )
        units[name], _ = Unit.objects.get_or_create(
            name=name, parent=office, defaults={"unit_class": unit_class, "order": order}
        )
    return units


def seed_people(units):
    created = 0
    for username, (display_name, roles, is_admin) in PEOPLE.items():
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "email": f"{username}@shawan.example.org",
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        for role, unit_name in roles:
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[unit_name])
    return created
