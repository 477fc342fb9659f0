"""Demo categories, sensitive phrases and a few items. Safe to run again."""

import io
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User

from . import actions
from .models import Article, Category, Phrase

# name -> (order, recommended length, maximum length), in characters
CATEGORIES = {
    "News": (1, 800, 3000),
    "Activity": (2, 800, 3000),
    "Policy & research": (3, 2000, 6000),
    "Notice": (4, 500, 1500),
}
PHRASES = {
    "绝密": (Phrase.Action.BLOCK, "Classified material must never be submitted."),
    "内部资料": (Phrase.Action.WARN, "Internal material: check that it may be published."),
}
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


def seed():
    for name, (order, soft, hard) in CATEGORIES.items():
        Category.objects.get_or_create(
            name=name, defaults={"order": order, "soft_limit": soft, "hard_limit": hard}
        )
    for text, (action, note) in PHRASES.items():
        Phrase.objects.get_or_create(text=text, defaults={"action": action, "note": note})
    created = sum(_seed_article(*row) for row in ARTICLES)
    return f"{len(CATEGORIES)} categories, {len(PHRASES)} sensitive phrases, {created} new items"


def _seed_article(username, title, category, days_ago, body, submit):
    author = User.objects.get(username=username)
    unit = author.role_assignments.get().unit
    if Article.objects.filter(unit=unit, title=title).exists():
        return False
    with transaction.atomic():
        article = actions.create_draft(unit=unit, client_key=uuid.uuid4(), by=author)
        fields = {
            "title": title,
            "body": body,
            "category": Category.objects.get(name=category),
            "event_date": timezone.localdate() - timedelta(days=days_ago),
            "important": False,
            "suggested_outlets": "District education portal",
        }
        photo = actions.add_photo(article, upload=_demo_photo(title), by=author)
        caption = actions.PhotoChange(photo.pk, caption=title, credit=author.display_name, order=1)
        article = actions.save_draft(
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
