"""Demo categories and sensitive phrases. Safe to run again."""

from .models import Category, Phrase

# English name -> (Chinese name, order, recommended length, maximum length), in characters
CATEGORIES = {
    "News": ("工作动态", 1, 800, 3000),
    "Activity": ("活动报道", 2, 800, 3000),
    "Policy & research": ("政策研究", 3, 2000, 6000),
    "Notice": ("通知公告", 4, 500, 1500),
}
PHRASES = {
    "绝密": (Phrase.Action.BLOCK, "涉密材料一律不得报送。"),
    "内部资料": (Phrase.Action.WARN, "内部资料：请确认可以公开发布。"),
}


def seed():
    for name, (chinese, order, soft, hard) in CATEGORIES.items():
        Category.objects.get_or_create(
            name_en=name,
            defaults={
                "name_en": name,
                "name_zh_hans": chinese,
                "order": order,
                "soft_limit": soft,
                "hard_limit": hard,
            },
        )
    for text, (action, note) in PHRASES.items():
        Phrase.objects.get_or_create(text=text, defaults={"action": action, "note": note})
    return f"{len(CATEGORIES)} categories, {len(PHRASES)} sensitive phrases"
