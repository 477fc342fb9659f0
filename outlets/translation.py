from modeltranslation.translator import TranslationOptions, register

from .models import Outlet


@register(Outlet)
class OutletTranslation(TranslationOptions):
    fields = ["name"]
    empty_values = None  # a missing translation is NULL, so unique names allow several
