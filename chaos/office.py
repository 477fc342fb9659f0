"""The suite's office in its private database: people, a review chain, outlets, items waiting for the
director's sign-off. Items are written and submitted through the apps' actions; the sign-off itself
goes through HTTP (chaos.browser)."""

import io
import itertools
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from outlets.credentials import encrypt
from outlets.models import Outlet
from reviews import actions as reviews
from reviews.models import ReviewChain, ReviewStage, ReviewStep
from submissions import actions as submissions
from submissions.models import Article, Category

PASSWORD = "chaos-suite-password-7391"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_numbers = itertools.count(1)


@dataclass
class Office:
    office: Unit
    school: Unit
    officer: User
    directors: list
    category: Category


def create_office():
    office = Unit.objects.create(name="Chaos office")
    unit_class = UnitClass.objects.create(name="Chaos schools")
    school = Unit.objects.create(name="Chaos school", parent=office, unit_class=unit_class)
    officer = _person("officer", Role.LIAISON_OFFICER, school)
    directors = [_person(name, Role.OFFICE_DIRECTOR, office) for name in ("director", "director2")]
    chain = ReviewChain.objects.create(name="Chaos chain", is_default=True)
    ReviewStage.objects.create(chain=chain, order=1, name="Director", reviewer_role=Role.OFFICE_DIRECTOR)
    category = Category.objects.create(name="Chaos news")
    # Photo ids far from the small ones other test runs use: media on the shared WordPress are
    # matched to our photos by their file name, photo-<id>.
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE submissions_photo_id_seq RESTART WITH 7300001")
    return Office(office, school, officer, directors, category)


def _person(username, role, unit):
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@chaos.invalid")
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def webhook_outlet(name, url):
    return Outlet.objects.create(
        name=name, kind=Outlet.Kind.WEBHOOK, endpoint=url, secret_encrypted=encrypt(WEBHOOK_SECRET)
    )


def wordpress_outlet(name, url, username, app_password):
    return Outlet.objects.create(
        name=name,
        kind=Outlet.Kind.WORDPRESS,
        endpoint=url,
        username=username,
        secret_encrypted=encrypt(app_password),
    )


def items_waiting(office, count, *, photo_every=0, label="item"):
    """`count` items submitted and waiting at the director's stage; every `photo_every`-th has a
    photo. Returns their pending review steps."""
    steps = []
    for n in range(count):
        number = next(_numbers)
        article = Article.objects.create(
            unit=office.school,
            author=office.officer,
            last_editor=office.officer,
            title=f"Chaos {label} {number}: the school sports day",
            body="<p>" + "Pupils ran, jumped and cheered all afternoon on the new track. " * 4 + "</p>",
            category=office.category,
            event_date="2026-11-20",
        )
        if photo_every and n % photo_every == 0:
            _add_photo(article, office.officer, number)
        reviews.submit_for_review(article, base_version=article.version, by=office.officer)
        steps.append(ReviewStep.objects.get(article=article, decision="pending"))
    return steps


def _add_photo(article, by, number):
    image = Image.new("RGB", (640, 480), ((number * 37) % 256, (number * 91) % 256, 120))
    content = io.BytesIO()
    image.save(content, "JPEG", quality=80)
    upload = SimpleUploadedFile(f"chaos-{number}.jpg", content.getvalue(), content_type="image/jpeg")
    photo = submissions.add_photo(article, upload=upload, by=by)
    photo.caption = f"Sports day, photo {number}"
    photo.save(update_fields=["caption"])
    submissions.make_renditions(photo)
    article.refresh_from_db()
