"""Forms of the instrument pages (parsing only: the service verbs validate and write)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techsme.instruments import categories
from techsme.instruments.models import Instrument
from techsme.instruments.selectors import VALUE_BANDS
from techsme.instruments.services import INSTRUMENT_FIELDS

VALUE_BAND_LABELS = {
    "lt50w": _("below ¥500,000"),
    "50w-200w": _("¥500,000 – ¥2 million"),
    "200w-1000w": _("¥2 million – ¥10 million"),
    "ge1000w": _("¥10 million and above"),
}
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words (Chinese or English)"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    value_band = forms.ChoiceField(label=_("Purchase value"), required=False)
    free_on = forms.DateField(label=_("Free on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    free_from = forms.TimeField(label=_("from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    free_to = forms.TimeField(label=_("to"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories.choices()]
        self.fields["region"].choices = [("", _("All regions")), *regions]
        self.fields["value_band"].choices = [("", _("Any value"))] + [
            (key, VALUE_BAND_LABELS[key]) for key in VALUE_BANDS]


class BookingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What you need"), choices=[("slot", _("Time slot")),
                                                                ("sample", _("Sample testing"))], initial="slot")
    start = forms.DateTimeField(label=_("Start"), required=False, widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("End"), required=False, widget=DATETIME_WIDGET)
    samples = forms.IntegerField(label=_("Number of samples"), required=False, min_value=0, initial=0)
    self_operated = forms.BooleanField(label=_("I will operate the instrument myself"), required=False)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == "slot":
            if not data.get("start"):
                self.add_error("start", _("Enter the start."))
            if not data.get("end"):
                self.add_error("end", _("Enter the end."))
        elif not data.get("samples"):
            self.add_error("samples", _("Give the number of samples."))
        return data


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = [*INSTRUMENT_FIELDS, "photo"]
        widgets = {
            "purchase_date": forms.DateInput(attrs={"type": "date"}),
            "specs": forms.Textarea(attrs={"rows": 3}),
            "sample_requirements": forms.Textarea(attrs={"rows": 3}),
            "services": forms.Textarea(attrs={"rows": 3}),
            "operators": forms.Textarea(attrs={"rows": 2}),
            "qualification_requirements": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category_code"] = forms.ChoiceField(
            label=_("Category"), choices=[("", "—")] + [(c, categories.label(c)) for c in categories.leaf_codes()])
        self.fields["photo"].help_text = _("PNG or JPEG, at most 2 MB.")

    def _post_clean(self) -> None:  # the service validates the instance; do not run model validation here
        pass


class UsageForm(forms.Form):
    start = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("End"), widget=DATETIME_WIDGET)
    operator = forms.CharField(label=_("Operator"), required=False, max_length=100)
    samples = forms.IntegerField(label=_("Samples"), required=False, min_value=0, initial=0)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)
    override_reason = forms.CharField(
        label=_("Reason for an override"), required=False, max_length=300,
        help_text=_("Only if the usage is refused for a reason that may be overridden (beyond the booked time, a "
                    "cancelled booking, another organisation's use at the same time) and it is right nonetheless."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class OutageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("blackout", _("Blackout (closed for bookings)")),
                                                        ("maintenance", _("Maintenance outage"))])
    start = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("End"), widget=DATETIME_WIDGET)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
