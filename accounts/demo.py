"""The demo office, units and people. Safe to run again: it changes nothing that exists."""

from .models import Role, RoleAssignment, Unit, UnitClass, User

DEMO_PASSWORD = "publicity-demo"
OFFICE = "Shawan District Education Bureau"
SCHOOL = "Shawan No. 1 Middle School"
PRIMARY = "Shawan Experimental Primary School"
TOWN = "Jiayang Town Central School"

# The demo is Chinese first: every name of configuration has its Chinese and its English form. The
# English one is the key the demo (and the tests) look things up by.
CHINESE = {
    OFFICE: "沙湾区教育局",
    SCHOOL: "沙湾区第一中学",
    PRIMARY: "沙湾区实验小学",
    TOWN: "嘉阳镇中心学校",
    "Class 1": "一类单位",
    "Class 2": "二类单位",
}

# unit name -> (unit class, order)
UNITS = {SCHOOL: ("Class 1", 1), PRIMARY: ("Class 1", 2), TOWN: ("Class 2", 3)}

# username -> (display name, [(role, unit name)], is admin)
PEOPLE = {
    "officer": ("李娜", [(Role.LIAISON_OFFICER, SCHOOL)], False),
    "officer2": ("张伟", [(Role.LIAISON_OFFICER, PRIMARY)], False),
    "leader": ("王芳", [(Role.LEADER_IN_CHARGE, SCHOOL)], False),
    "leader2": ("刘洋", [(Role.LEADER_IN_CHARGE, PRIMARY)], False),
    "director": ("陈静", [(Role.OFFICE_DIRECTOR, OFFICE)], False),
    "leadership": ("赵敏", [(Role.LEADERSHIP, OFFICE)], False),
    "admin": ("系统管理员", [], True),
}


def seed():
    """Create what is missing; return a one-line summary."""
    units = seed_units()
    created = seed_people(units)
    return f"{len(units)} units, {created} new users"


def names(english, chinese=None):
    """The defaults that name a demo object in both languages."""
    return {"name_en": english, "name_zh_hans": chinese or CHINESE[english]}


def seed_unit_class(name):
    unit_class, _ = UnitClass.objects.get_or_create(
        name_en=name, defaults={**names(name), "order": int(name.split()[-1])}
    )
    return unit_class


def seed_units():
    office, _ = Unit.objects.get_or_create(
        name_en=OFFICE,
        parent=None,
        defaults={**names(OFFICE), "short_name_en": "Shawan", "short_name_zh_hans": "沙湾"},
    )
    units = {OFFICE: office}
    for name, (class_name, order) in UNITS.items():
        units[name], _ = Unit.objects.get_or_create(
            name_en=name,
            parent=office,
            defaults={**names(name), "unit_class": seed_unit_class(class_name), "order": order},
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
