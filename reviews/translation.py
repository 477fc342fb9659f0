from modeltranslation.translator import TranslationOptions, register

from .models import ReviewChain, ReviewStage


@register(ReviewChain)
class ReviewChainTranslation(TranslationOptions):
    fields = ["name"]
    empty_values = None  # a missing translation is NULL, so unique names allow several


@register(ReviewStage)
class ReviewStageTranslation(TranslationOptions):
    fields = ["name"]
    empty_values = None
