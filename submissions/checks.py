"""Pre-submit checks: what an officer sees before the final "Submit for review" click."""

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.urls import reverse
from django.utils.translation import gettext as _

from .content import body_text
from .models import Article, Phrase, Status

SIMILAR_TITLE = 0.75


@dataclass(frozen=True)
class Check:
    BLOCK = "block"
    WARN = "warn"

    level: str
    message: str
    link: str = ""


def presubmit_checks(article):
    """Problems that block submission and warnings to acknowledge, in the order to fix them."""
    return [
        *_required_fields(article),
        *_photo_captions(article),
        *_length(article),
        *_phrases(article),
        *_duplicates(article),
    ]


def _required_fields(article):
    missing = [
        label
        for label, value in (
            (_("Title"), article.title),
            (_("Body"), article.body),
            (_("Category"), article.category_id),
            (_("Event date"), article.event_date),
        )
        if not value
    ]
    if missing:
        yield Check(Check.BLOCK, _("Fill in: %(fields)s.") % {"fields": ", ".join(missing)})


def _photo_captions(article):
    for photo in article.photos.all():
        if not photo.caption:
            yield Check(Check.BLOCK, _("Photo “%(name)s” has no caption.") % {"name": photo.original_name})


def _length(article):
    category = article.category
    if category is None:
        return
    if category.hard_limit and article.body_length > category.hard_limit:
        yield Check(
            Check.BLOCK,
            _("The body has %(length)s characters; %(category)s allows at most %(limit)s.")
            % {"length": article.body_length, "category": category, "limit": category.hard_limit},
        )
    elif category.soft_limit and article.body_length > category.soft_limit:
        yield Check(
            Check.WARN,
            _("The body has %(length)s characters; %(category)s items should have at most %(limit)s.")
            % {"length": article.body_length, "category": category, "limit": category.soft_limit},
        )


def _phrases(article):
    text = matching_form(
        " ".join([article.title, body_text(article.body), *(p.caption for p in article.photos.all())])
    )
    for phrase in Phrase.objects.all():
        wanted = matching_form(phrase.text)
        if wanted and wanted in text:
            if phrase.action == Phrase.Action.BLOCK:
                yield Check(
                    Check.BLOCK, _("Contains the forbidden phrase “%(phrase)s”.") % {"phrase": phrase.text}
                )
            else:
                yield Check(
                    Check.WARN,
                    _("Contains the sensitive phrase “%(phrase)s”; check the wording.")
                    % {"phrase": phrase.text},
                )


_SPACES = re.compile(r"\s+")


def matching_form(text):
    """Text as phrases are compared: compatibility forms folded (full-width letters are plain ones),
    invisible format characters (zero-width space and joiner, word joiner, BOM, soft hyphen) gone,
    case folded, spaces collapsed: a zero-width space inside 绝密 hides nothing."""
    visible = "".join(char for char in text or "" if unicodedata.category(char) != "Cf")
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return _SPACES.sub(" ", folded).strip()


def _duplicates(article):
    if not (article.event_date and article.title):
        return
    same_day = (
        Article.objects.filter(unit_id=article.unit_id, event_date=article.event_date)
        .exclude(pk=article.pk)
        .exclude(status=Status.WITHDRAWN)
        .only("pk", "title")
    )
    for other in same_day:
        if SequenceMatcher(None, article.title.casefold(), other.title.casefold()).ratio() >= SIMILAR_TITLE:
            yield Check(
                Check.WARN,
                _("Looks like a duplicate of “%(title)s” (same unit and event date).")
                % {"title": other.title},
                reverse("submissions:detail", args=[other.pk]),
            )
