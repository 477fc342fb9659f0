from modeltranslation.translator import TranslationOptions, register

from .models import Unit, UnitClass


@register(UnitClass)
class UnitClassTranslation(TranslationOptions):
    fields = ["name"]
    empty_values = None  # a missing translation is NULL, so unique names allow several


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ["name", "short_name"]
    empty_values = None
