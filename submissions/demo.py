"""Demo categories and sensitive phrases. Safe to run again."""

from .models import Category, Phrase

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


def seed():
    for name, (order, soft, hard) in CATEGORIES.items():
        Category.objects.get_or_create(
            name=name, defaults={"order": order, "soft_limit": soft, "hard_limit": hard}
        )
    for text, (action, note) in PHRASES.items():
        Phrase.objects.get_or_create(text=text, defaults={"action": action, "note": note})
    return f"{len(CATEGORIES)} categories, {len(PHRASES)} sensitive phrases"
