"""The demo review chain — leader in charge → office director (+ leadership group for important
items) — and a few items on their way through it. Safe to run again."""

import io
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role, User
from submissions import actions as drafting
from submissions.models import Article, Category

from . import actions
from .models import ReviewChain, ReviewStage

STAGES = [
    # (order, name, reviewer role, applies)
    (1, "Leader in charge", Role.LEADER_IN_CHARGE, ReviewStage.Applies.ALWAYS),
    (2, "Office director", Role.OFFICE_DIRECTOR, ReviewStage.Applies.ALWAYS),
    (3, "Leadership group", Role.LEADERSHIP, ReviewStage.Applies.IMPORTANT),
]


def seed():
    has_default = ReviewChain.objects.filter(is_default=True).exists()  # an admin may have set one up
    chain, created = ReviewChain.objects.get_or_create(
        name="Standard review", defaults={"is_default": not has_default}
    )
    if created:
        for order, name, role, applies in STAGES:
            ReviewStage.objects.create(
                chain=chain, order=order, name=name, reviewer_role=role, applies=applies
            )
    created = sum(_seed_article(*row) for row in ARTICLES)
    return f"review chain “{chain.name}” with {chain.stages.count()} stages, {created} new items"


# (author, title, category, days ago, body, submit?)
ARTICLES = [
    ("officer", "Shawan No. 1 Middle School holds its autumn sports meet", "News", 3,
     "<p>More than 1,200 pupils took part in 28 events over two days.</p>"
     "<p>沙湾一中第二十届秋季田径运动会圆满落幕。</p>", True),
    ("officer", "Reading month: every class visits the library", "Activity", 1,
     "<p>Each class spends one afternoon a week in the library during November.</p>", False),
    ("officer2", "Experimental Primary School opens its science corner", "News", 2,
     "<p>The new science corner lets pupils run simple experiments at break time.</p>", False),
]  # fmt: skip


def _seed_article(username, title, category, days_ago, body, submit):
    author = User.objects.get(username=username)
    unit = author.role_assignments.get().unit
    if Article.objects.filter(unit=unit, title=title).exists():
        return False
    with transaction.atomic():
        article = drafting.create_draft(unit=unit, client_key=uuid.uuid4(), by=author)
        fields = {
            "title": title,
            "body": body,
            "category": Category.objects.get(name=category),
            "event_date": timezone.localdate() - timedelta(days=days_ago),
            "important": False,
            "suggested_outlets": "District education portal",
        }
        photo = drafting.add_photo(article, upload=_demo_photo(title), by=author)
        caption = drafting.PhotoChange(photo.pk, caption=title, credit=author.display_name, order=1)
        article = drafting.save_draft(
            article, fields=fields, co_units=[], photos=[caption], base_version=article.version, by=author
        )
        if submit:
            actions.submit_for_review(article, base_version=article.version, by=author)
    return True


def _demo_photo(title):
    image = Image.new("RGB", (1600, 1067))
    draw = ImageDraw.Draw(image)
    for y in range(image.height):
        draw.line([(0, y), (image.width, y)], fill=(40 + y // 8, 110 + y // 12, 200 - y // 10))
    draw.ellipse((1150, 120, 1400, 370), fill=(255, 214, 90))
    draw.rectangle((0, 820, 1600, 1067), fill=(60, 140, 70))
    file = io.BytesIO()
    image.save(file, "JPEG", quality=88)
    file.seek(0)
    file.name = "demo.jpg"
    return file
