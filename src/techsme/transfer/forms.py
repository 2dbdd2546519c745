"""Page forms of technology transfer. They only collect text: the service verbs validate (one path for pages and
the API) and their field errors are shown on the form (``show_errors``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techsme.core.errors import InvalidInput
from techsme.transfer import disciplines, rules
from techsme.transfer.models import TransferMode

TRL_CHOICES = [(str(n), str(n)) for n in range(1, 10)]
DATE = forms.DateInput(attrs={"type": "date"})


def _text(label: Any, *, required: bool = True, area: bool = False, help_text: Any = "", max_length: int = 8000,
          **attrs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 4, **attrs}) if area else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=required, widget=widget, help_text=help_text,
                           max_length=max_length, strip=True)


class ServiceForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def show_errors(self, exc: InvalidInput) -> None:
        for error in exc.errors:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))


class OutcomeForm(ServiceForm):
    title_zh = _text(_("Title (Chinese)"), max_length=200)
    title_en = _text(_("Title (English)"), required=False, max_length=300, lang="en")
    summary_zh = _text(_("Summary (Chinese)"), area=True, max_length=4000)
    summary_en = _text(_("Summary (English)"), required=False, area=True, max_length=6000, lang="en")
    keywords = _text(_("Keywords"), required=False, max_length=300)
    industry_code = _text(_("Industry (GB/T 4754 class, e.g. C3841)"), max_length=5)
    discipline = forms.ChoiceField(label=_("Discipline (GB/T 13745)"), required=False, choices=disciplines.choices)
    trl = forms.ChoiceField(label=_("Technology readiness level (1–9)"), choices=TRL_CHOICES)
    patent_numbers = _text(_("Patent or application numbers"), required=False, area=True, max_length=2000,
                           help_text=_("One per line, e.g. ZL201910123456.7 — the check character is verified."))
    modes = forms.MultipleChoiceField(label=_("Transfer modes offered"), choices=TransferMode.choices,
                                      widget=forms.CheckboxSelectMultiple)
    price_min = _text(_("Price from (yuan)"), required=False, max_length=20, inputmode="decimal")
    price_max = _text(_("Price up to (yuan)"), required=False, max_length=20, inputmode="decimal")
    negotiable = forms.BooleanField(label=_("Price negotiable"), required=False)
    belt_and_road = forms.BooleanField(label=_("Open to Belt and Road partners (listed in English)"), required=False)


class NeedForm(ServiceForm):
    title = _text(_("Title"), max_length=200)
    summary = _text(_("Public summary"), area=True, max_length=2000,
                    help_text=_("Everyone can read this. Keep confidential facts for the field below."))
    details = _text(_("Confidential details"), required=False, area=True, max_length=8000,
                    help_text=_("Shown only to your enterprise, the agency and the owners of outcomes you say you "
                                "are interested in."))
    keywords = _text(_("Keywords"), required=False, max_length=300)
    industry_code = _text(_("Industry (GB/T 4754 class, e.g. C3841)"), max_length=5)
    budget = _text(_("Budget (yuan)"), required=False, max_length=20, inputmode="decimal")
    deadline = forms.CharField(label=_("Deadline"), required=False, widget=DATE)
    min_trl = forms.ChoiceField(label=_("Lowest readiness level wanted"), required=False,
                                choices=[("", "—"), *TRL_CHOICES])


class ContractForm(ServiceForm):
    title = _text(_("Contract title"), max_length=200)
    buyer_name = _text(_("Buyer"), max_length=200)
    buyer_country = _text(_("Buyer's country (two letters)"), max_length=2, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=rules.subtype_choices)
    industry_code = _text(_("Industry (GB/T 4754 class, e.g. C3841)"), max_length=5)
    contract_amount = _text(_("Contract amount (yuan)"), max_length=20, inputmode="decimal")
    signed_on = forms.CharField(label=_("Signed on"), widget=DATE)
    valid_until = forms.CharField(label=_("Valid until"), required=False, widget=DATE)
    patent_numbers = _text(_("Patent or application numbers"), required=False, area=True, max_length=2000)
    licence_years = _text(_("Licence term (years)"), required=False, max_length=3, inputmode="numeric")
    claims_tax_relief = forms.BooleanField(label=_("Claimed for tax relief (a second review follows)"),
                                           required=False)
    outcome_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    buyer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RegisterForm(ServiceForm):
    category = forms.ChoiceField(label=_("Classification"), choices=rules.subtype_choices)
    tech_amount = _text(_("Technology-transaction amount (yuan)"), max_length=20, inputmode="decimal",
                        help_text=_("The technical part of the price: the contract amount less equipment, materials "
                                    "and other non-technical costs."))
    expert_opinion = _text(_("Expert review opinion (large contracts)"), required=False, area=True,
                           max_length=4000)


class ChallengeForm(ServiceForm):
    title = _text(_("Title"), max_length=200)
    problem = _text(_("Problem"), area=True)
    milestones = _text(_("Milestones"), area=True, max_length=4000)
    criteria = _text(_("Judging criteria"), area=True, max_length=4000)
    industry_code = _text(_("Industry (GB/T 4754 class, e.g. C3841)"), max_length=5)
    prize = _text(_("Prize or contract value (yuan)"), max_length=20, inputmode="decimal",
                  help_text=_("Held in escrow from now on; paid to the winner on acceptance, returned if nobody "
                              "wins."))
    deadline = forms.CharField(label=_("Deadline for solutions"), widget=DATE)


class ProductForm(ServiceForm):
    name = _text(_("Product name"), max_length=200)
    description = _text(_("Description"), area=True, max_length=4000)
    industry_code = _text(_("Industry (GB/T 4754 class, e.g. C3841)"), max_length=5)
    price = _text(_("Reference price (yuan)"), max_length=20, inputmode="decimal")
    patent_numbers = _text(_("Patent or application numbers"), required=False, area=True, max_length=2000)


def service_data(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned values as the services take them (``category`` splits into category and subtype)."""
    data = dict(form.cleaned_data)
    if isinstance(data.get("category"), str) and ":" in data["category"]:
        data["category"], data["subtype"] = data["category"].split(":", 1)
    return data
