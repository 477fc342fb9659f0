"""Names of configuration (units, categories, stages, outlets) in the active language.

An instance's `name` already reads in the active language (django-modeltranslation); a query's
values() of a related name does not, so it asks for `localized("outlet__name")` instead.
"""

from django.conf import settings
from django.db.models import CharField
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname


def localized(path):
    """The translated field at `path` in the active language, else in another one, else as stored."""
    active = get_language() or settings.LANGUAGE_CODE
    languages = [active, *(code for code, _name in settings.LANGUAGES if code != active)]
    fields = [build_localized_fieldname(path, code) for code in languages]
    return Coalesce(*fields, path, output_field=CharField())
