import json

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

from .actions import PhotoChange
from .models import Article, Category


class ArticleForm(forms.ModelForm):
    """The officer's drafting form. Drafts may be incomplete; the pre-submit checks say what is missing."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = ["title", "body", "category", "event_date", "important", "co_units", "suggested_outlets"]
        labels = {
            "title": _("Title"),
            "body": _("Body"),
            "category": _("Category"),
            "event_date": _("Event date"),
            "important": _("Important"),
            "co_units": _("Co-contributing units"),
            "suggested_outlets": _("Suggested outlets"),
        }
        help_texts = {
            "co_units": _("Units that share the credit for this item."),
            "suggested_outlets": _(
                "Where you suggest the office reports it, e.g. “District portal, City Daily”."
            ),
        }
        widgets = {
            "title": forms.TextInput(attrs={"autocomplete": "off"}),
            "body": forms.Textarea(attrs={"rows": 12, "data-body-editor": ""}),
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "co_units": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(Category.objects.filter(is_active=True))
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        # The live character counter in the browser shows the chosen category's limits.
        self.fields["body"].widget.attrs["data-limits"] = json.dumps(
            {c.pk: [c.soft_limit, c.hard_limit] for c in categories}
        )
        self.fields["co_units"].queryset = (
            Unit.objects.active().filter(parent__isnull=False).exclude(pk=unit.pk)
        )
        for name in ("title", "body", "event_date", "category"):
            self.fields[name].required = False

    def content(self):
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("co_units", None)
        return data


class UnitChoiceForm(forms.Form):
    """Which unit a new item is for — asked only of officers of several units."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"), empty_label=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Article._meta.get_field("status").choices]
        for name in ("status", "category"):
            self.fields[name].widget.attrs["class"] = "form-select"


def photo_changes(data, photos):
    """The caption, credit, order and delete fields of each existing photo, from a POST."""
    changes = []
    for photo in photos:
        prefix = f"photo-{photo.pk}-"
        if f"{prefix}caption" not in data:
            continue
        try:
            order = int(data.get(f"{prefix}order") or photo.order)
        except ValueError:
            order = photo.order
        changes.append(
            PhotoChange(
                photo_id=photo.pk,
                caption=data.get(f"{prefix}caption", "")[:300],
                credit=data.get(f"{prefix}credit", "")[:100],
                order=max(0, min(order, 10_000)),
                delete=bool(data.get(f"{prefix}delete")),
            )
        )
    return changes


def cover_choice(data):
    try:
        return int(data.get("cover", ""))
    except ValueError:
        return None
