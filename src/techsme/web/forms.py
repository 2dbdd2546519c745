"""Forms of the web front end. Validation that belongs to the domain stays in the services (InvalidInput)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techsme.core.errors import FieldError
from techsme.registry.models import IPAsset, IPKind


def add_field_errors(form: forms.Form, errors: list[FieldError]) -> None:
    """Attach service errors to the form's fields (or to the form when the field is not on it)."""
    for error in errors:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))


class Form(forms.Form):
    """A form whose labels carry no colon (the layout sets labels apart)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EnterpriseForm(Form):
    uscc = forms.CharField(label=_("USCC"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=200)
    region_code = forms.CharField(label=_("Region code (GB/T 2260, six digits)"), max_length=6)
    industry_code = forms.CharField(label=_("Industry code (GB/T 4754, e.g. I6513)"), max_length=5)
    founded_on = forms.DateField(label=_("Founded on"), widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)


class IPAssetForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IPKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=300)
    granted_on = forms.DateField(label=_("Granted on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=IPAsset.Status.choices, initial=IPAsset.Status.VALID)
    related_to_main_products = forms.BooleanField(label=_("Related to the main products"), required=False,
                                                  initial=True)


class ImportForm(Form):
    file = forms.FileField(label=_("Registry file (CSV or Excel .xlsx)"))
    encoding = forms.ChoiceField(
        label=_("Text encoding of a CSV file"), initial="utf-8", required=False,
        choices=[("utf-8", _("UTF-8 (“CSV UTF-8” in Excel)")), ("gb18030", _("GB18030 / GBK (older Chinese Excel)"))],
    )


class TokenForm(Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("For example the name of the system that will use it."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, required=False,
                              help_text=_("Leave empty for the default lifetime. A token always expires."))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        from django.conf import settings
        from django.core.validators import MaxValueValidator

        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        days.widget.attrs.update({"max": settings.API_TOKEN_MAX_DAYS, "placeholder": settings.API_TOKEN_DEFAULT_DAYS})


class RegionChangeForm(Form):
    to_region = forms.CharField(label=_("New region code (GB/T 2260, six digits)"), max_length=6)
    reason = forms.CharField(label=_("Reason (the new registered address)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RegionDecisionForm(Form):
    # No default: the administrator chooses accept or reject explicitly.
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept: the enterprise moves into our region")),
                                          ("reject", _("Reject (give the reason)"))])
    note = forms.CharField(label=_("Note to the enterprise"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
