from modeltranslation.translator import TranslationOptions, register

from .models import Category


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ["name"]
    empty_values = None  # a missing translation is NULL, so unique names allow several
