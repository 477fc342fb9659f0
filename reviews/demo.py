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

CHAIN = ("Standard review", "标准审核流程")
STAGES = [
    # (order, English name, Chinese name, reviewer role, applies)
    (1, "Leader in charge", "分管领导", Role.LEADER_IN_CHARGE, ReviewStage.Applies.ALWAYS),
    (2, "Office director", "办公室主任", Role.OFFICE_DIRECTOR, ReviewStage.Applies.ALWAYS),
    (3, "Leadership group", "领导班子", Role.LEADERSHIP, ReviewStage.Applies.IMPORTANT),
]


def seed():
    has_default = ReviewChain.objects.filter(is_default=True).exists()  # an admin may have set one up
    english, chinese = CHAIN
    chain, created = ReviewChain.objects.get_or_create(
        name_en=english, defaults={"name_en": english, "name_zh_hans": chinese, "is_default": not has_default}
    )
    if created:
        for order, english, chinese, role, applies in STAGES:
            ReviewStage.objects.create(
                chain=chain,
                order=order,
                name_en=english,
                name_zh_hans=chinese,
                reviewer_role=role,
                applies=applies,
            )
    created = sum(_seed_article(*row) for row in ARTICLES)
    return f"review chain “{chain.name}” with {chain.stages.count()} stages, {created} new items"


# (author, title, category, days ago, body, submit?)
ARTICLES = [
    ("officer", "沙湾区第一中学举行秋季田径运动会", "News", 3,
     "<p>1200余名学生参加了为期两天、共28个项目的比赛。</p>"
     "<p>沙湾一中第二十届秋季田径运动会圆满落幕。</p>", True),
    ("officer", "读书月：各班走进图书馆", "Activity", 1,
     "<p>十一月里，每个班每周有一个下午在图书馆阅读。</p>", False),
    ("officer2", "实验小学科学角正式开放", "News", 2,
     "<p>新建的科学角让学生在课间就能动手做简单的实验。</p>", False),
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
            "category": Category.objects.get(name_en=category),
            "event_date": timezone.localdate() - timedelta(days=days_ago),
            "important": False,
            "suggested_outlets": "沙湾区教育网",
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
