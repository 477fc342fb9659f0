"""Two demo topics: one open, asked of every unit, and one closed, asked of the first unit class and
answered by one of its signed-off items. Safe to run again: it changes nothing that exists."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role, RoleAssignment, UnitClass, User
from submissions.models import Article, Status

from .models import Topic

OPEN = {
    "title": "“双减”工作成效专题征稿",
    "brief": (
        "请各单位围绕“双减”政策落实情况报送稿件：课后服务、作业设计、家校协同等方面的"
        "具体做法和成效，每篇配图 2—3 张。"
    ),
    "days": 10,
    "bonus_points": 2,
}
CLOSED = {
    "title": "秋季运动会专题约稿",
    "brief": "请各校报送秋季运动会的组织情况、特色项目和精彩瞬间，突出学生风采。",
    "days": -20,
    "bonus_points": 1,
}


def seed():
    """Create what is missing; return a one-line summary."""
    poster = _poster()
    if poster is None:
        return "no office director to post topics"
    first_class = UnitClass.objects.order_by("order", "name").first()
    created = [_topic(OPEN, Topic.Audience.ALL, None, poster)]
    if first_class is not None:
        created.append(_topic(CLOSED, Topic.Audience.CLASS, first_class, poster))
    return f"{sum(created)} new topics"


def _poster():
    director = RoleAssignment.objects.filter(role=Role.OFFICE_DIRECTOR).select_related("user").first()
    return director.user if director else User.objects.filter(is_superuser=True).first()


def _topic(spec, audience, unit_class, poster):
    today = timezone.localdate()
    topic, created = Topic.objects.get_or_create(
        title=spec["title"],
        defaults={
            "brief": spec["brief"],
            "audience": audience,
            "unit_class": unit_class,
            "deadline": today + timedelta(days=spec["days"]),
            "bonus_points": spec["bonus_points"],
            "posted_by": poster,
        },
    )
    if created and not topic.is_open(today):
        _answer_with_a_signed_off_item(topic)
    return created


def _answer_with_a_signed_off_item(topic):
    """The closed topic was answered by one unit: its latest item signed off before the deadline."""
    item = (
        Article.objects.filter(
            unit__unit_class=topic.unit_class,
            status=Status.APPROVED,
            topic__isnull=True,
            submitted_at__lte=topic.closes_at,
        )
        .order_by("-submitted_at")
        .first()
    )
    if item is not None:
        Article.objects.filter(pk=item.pk).update(topic=topic)
