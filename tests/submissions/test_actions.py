import io
import re
import uuid

import pytest

from submissions import actions
from submissions.checks import Check, presubmit_checks
from submissions.models import Event, Photo, Phrase, Status
from tests.factories import ArticleFactory, CategoryFactory, PhotoFactory, officer_of
from tests.submissions import corpus

pytestmark = pytest.mark.django_db


def fields_of(article, **changes):
    values = {name: getattr(article, name) for name in actions.CONTENT_FIELDS}
    return values | changes


def save(article, base_version=None, **changes):
    return actions.save_draft(
        article,
        fields=fields_of(article, **changes),
        co_units=list(article.co_units.all()),
        base_version=article.version if base_version is None else base_version,
        by=article.author,
    )


def upload(data, name="photo.jpg"):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_create_draft_twice_with_one_form_key_makes_one_draft(school):
    officer = officer_of(school)
    key = uuid.uuid4()

    first = actions.create_draft(unit=school, client_key=key, by=officer)
    second = actions.create_draft(unit=school, client_key=key, by=officer)

    assert first.pk == second.pk
    assert first.status == Status.DRAFT
    assert list(first.events.values_list("kind", flat=True)) == [Event.Kind.CREATED]


def test_save_bumps_the_version_and_sanitises(school):
    article = ArticleFactory(unit=school)

    saved = save(article, title="  New\ttitle ", body='<p onclick="x()">Body <script>x</script></p>')

    assert saved.version == article.version + 1
    assert saved.title == "New title"
    assert saved.body == "<p>Body </p>"
    assert saved.body_length == 4


def test_characters_xml_cannot_hold_are_removed_on_save(school):
    article = ArticleFactory(unit=school)
    photo = PhotoFactory(article=article, is_cover=True, order=1)

    actions.save_draft(
        article,
        fields=fields_of(article, title="Sports\ufffe day", body="<p>Bell\x07 rang</p>"),
        co_units=[],
        photos=[actions.PhotoChange(photo.pk, "Start\ufffe", "Li\x07 Na", 1)],
        base_version=article.version,
        by=article.author,
    )

    article.refresh_from_db()
    photo.refresh_from_db()
    assert (article.title, article.body) == ("Sports day", "<p>Bell rang</p>")
    assert (photo.caption, photo.credit) == ("Start", "Li Na")


def test_a_stale_save_is_refused_and_overwrites_nothing(school):
    article = ArticleFactory(unit=school)
    save(article, title="Saved by a colleague")

    with pytest.raises(actions.StaleEdit) as refused:
        save(article, base_version=article.version, title="My stale title")

    assert refused.value.current.title == "Saved by a colleague"
    article.refresh_from_db()
    assert article.title == "Saved by a colleague"


def test_a_repeated_identical_save_is_harmless(school):
    article = ArticleFactory(unit=school)
    base = article.version
    save(article, base_version=base, title="Same")

    again = save(article, base_version=base, title="Same")  # a double click

    assert again.version == base + 1


def test_hard_length_limit_refuses_the_save(school):
    article = ArticleFactory(unit=school, category=CategoryFactory(name="Short", hard_limit=5))

    with pytest.raises(actions.ActionRefused, match="at most 5"):
        save(article, body="<p>一二三四五六</p>")


def test_only_drafts_and_returned_items_can_be_saved(school):
    article = ArticleFactory(unit=school, status=Status.IN_REVIEW)
    with pytest.raises(actions.ActionRefused):
        save(article, title="Too late")


def test_checks_list_missing_fields(school):
    article = ArticleFactory(unit=school, title="", category=None, event_date=None)
    [check] = presubmit_checks(article)
    assert check.level == Check.BLOCK
    assert all(word in check.message for word in ("Title", "Category", "Event date"))


def test_forbidden_phrase_blocks_and_sensitive_phrase_warns(school):
    Phrase.objects.create(text="绝密", action=Phrase.Action.BLOCK)
    Phrase.objects.create(text="internal only", action=Phrase.Action.WARN)
    article = ArticleFactory(unit=school, body="<p>这是绝密文件, INTERNAL ONLY</p>")

    levels = {c.level for c in presubmit_checks(article)}

    assert levels == {Check.BLOCK, Check.WARN}


def full_width(text):
    """The letters a Chinese input method types in full-width mode."""
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title", "绝\u200b密 plans"),
        ("title", "绝\u200d密"),
        ("body", "<p>这是绝\u2060密文件</p>"),
        ("body", "<p>这是绝<strong>\ufeff</strong>密文件</p>"),
        ("body", f"<p>TOP {full_width('SECRET')} material</p>"),
        ("body", "<p>top se\u00adcret</p>"),
        ("caption", f"{full_width('secret')} files on the desk"),
    ],
    ids=["zero-width-space", "zero-width-joiner", "word-joiner", "bom-in-tags", "full-width",
         "soft-hyphen", "full-width-caption"],
)  # fmt: skip
def test_forbidden_phrases_are_found_through_invisible_and_full_width_characters(school, field, text):
    Phrase.objects.create(text="绝密", action=Phrase.Action.BLOCK)
    Phrase.objects.create(text="Top Secret", action=Phrase.Action.BLOCK)
    Phrase.objects.create(text="secret", action=Phrase.Action.BLOCK)
    article = ArticleFactory(unit=school, title="Sports day", body="<p>Sports day</p>")
    if field == "caption":
        PhotoFactory(article=article, caption=text)
    else:
        setattr(article, field, text)

    assert [c.level for c in presubmit_checks(article)].count(Check.BLOCK) >= 1


def test_a_phrase_written_with_odd_characters_still_matches_plain_text(school):
    Phrase.objects.create(
        text=full_width("INTERNAL") + "\u3000" + full_width("only") + "\u200b", action=Phrase.Action.WARN
    )
    article = ArticleFactory(unit=school, body="<p>for Internal &nbsp;only use</p>")

    [check] = presubmit_checks(article)

    assert check.level == Check.WARN


def test_likely_duplicate_warns_with_a_link(school):
    earlier = ArticleFactory(unit=school, title="Sports day at Shawan No. 1", status=Status.IN_REVIEW)
    article = ArticleFactory(unit=school, title="Sports Day at Shawan No.1", event_date=earlier.event_date)
    ArticleFactory(title="Sports day at Shawan No. 1", event_date=earlier.event_date)  # another unit

    [check] = presubmit_checks(article)

    assert check.level == Check.WARN and check.link == f"/submissions/{earlier.pk}/"


def test_soft_limit_warns(school):
    article = ArticleFactory(
        unit=school,
        category=CategoryFactory(name="Brief", soft_limit=3),
        body="<p>四个字符</p>",
        body_length=4,
    )
    [check] = presubmit_checks(article)
    assert check.level == Check.WARN


def test_add_photo_strips_stores_and_makes_renditions(school, django_capture_on_commit_callbacks):
    article = ArticleFactory(unit=school)

    with django_capture_on_commit_callbacks(execute=True):
        photo = actions.add_photo(
            article, upload=upload(corpus.rotated_jpeg_with_private_metadata()), by=article.author
        )

    photo.refresh_from_db()
    assert photo.is_cover and photo.has_renditions  # the task ran after commit
    assert re.fullmatch(
        rf"photos/{article.pk}/[0-9a-f]{{32}}\.jpg", photo.original.name
    )  # not the user's name
    with photo.original.open("rb") as stored:
        assert b"GPS" not in stored.read()


def test_a_photo_over_the_limit_is_refused_by_name(school, settings):
    settings.PHOTO_MAX_PER_ARTICLE = 1
    article = ArticleFactory(unit=school)
    actions.add_photo(article, upload=upload(corpus.jpeg()), by=article.author)

    with pytest.raises(actions.ActionRefused, match=r"second\.jpg"):
        actions.add_photo(article, upload=upload(corpus.jpeg(), "second.jpg"), by=article.author)
    assert article.photos.count() == 1


def test_photo_changes_and_cover_are_saved_with_the_draft(school):
    article = ArticleFactory(unit=school)
    first = PhotoFactory(article=article, is_cover=True, order=1)
    second = PhotoFactory(article=article, order=2)
    gone = PhotoFactory(article=article, order=3)

    actions.save_draft(
        article,
        fields=fields_of(article),
        co_units=[],
        photos=[
            actions.PhotoChange(first.pk, "Start <b>line</b>", "Li Na", 2),
            actions.PhotoChange(second.pk, "Finish", "", 1),
            actions.PhotoChange(gone.pk, "", "", 3, delete=True),
        ],
        cover_id=second.pk,
        base_version=article.version,
        by=article.author,
    )

    photos = list(Photo.objects.filter(article=article))
    assert [(p.caption, p.is_cover) for p in photos] == [("Finish", True), ("Start <b>line</b>", False)]


def test_a_photo_is_kept_when_the_broker_is_down_and_the_sweeper_finishes_it(
    school, django_capture_on_commit_callbacks, caplog
):
    from datetime import timedelta

    from publicity.celery import app, reconnect
    from submissions.tasks import sweep_photo_renditions

    article = ArticleFactory(unit=school)

    def use_broker(url):
        # broker_write_url, because CELERY_BROKER_URL in the environment wins over broker_url.
        app.conf.broker_write_url = url
        reconnect()  # drop pooled connections to the previous broker

    app.conf.task_always_eager = False
    use_broker("redis://127.0.0.1:9/0")  # nothing listens: publishing fails
    try:
        with django_capture_on_commit_callbacks(execute=True):
            photo = actions.add_photo(article, upload=upload(corpus.jpeg()), by=article.author)
    finally:
        app.conf.task_always_eager = True
        use_broker(None)
    photo.refresh_from_db()
    assert not photo.has_renditions
    assert f"Could not queue renditions for photo {photo.pk}" in caplog.text

    Photo.objects.filter(pk=photo.pk).update(created_at=photo.created_at - timedelta(minutes=5))
    sweep_photo_renditions()

    photo.refresh_from_db()
    assert photo.has_renditions
