"""Forms of the voucher pages. They only shape the input; every rule is checked by ``vouchers.services``."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techsme.vouchers.models import ServiceCategory


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class KeyedForm(Form):
    """A form that carries a one-time token: submitting the same page twice applies once."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)


def money_field(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=30, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class ProgrammeForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int, choices=())
    year = forms.IntegerField(label=_("Year of issue"), min_value=2000, max_value=2100)
    budget = money_field(_("Budget (yuan)"))
    cap_per_enterprise_year = money_field(_("Cap per enterprise per year (yuan)"))
    cap_per_application = money_field(_("Cap per application (yuan)"))
    max_contract_share = forms.CharField(label=_("Maximum share of a contract the voucher pays"), max_length=10,
                                         initial="0.5", help_text=_("For example 0.5 for 50%."))
    categories = forms.MultipleChoiceField(label=_("Eligible service categories"), choices=ServiceCategory.choices,
                                           widget=forms.CheckboxSelectMultiple)
    valid_until = forms.DateField(label=_("Vouchers valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    region_prefix = forms.CharField(label=_("Eligible: enterprises in region (GB/T 2260 prefix)"), max_length=6,
                                    required=False)
    registered_tech_sme = forms.BooleanField(label=_("Eligible: only registered technology-based SMEs"),
                                             required=False)
    incubator_uscc = forms.CharField(
        label=_("Also eligible: incubator start-up teams (USCCs, one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    recognised = forms.TypedMultipleChoiceField(label=_("Accept the vouchers of these programmes"), coerce=int,
                                                choices=(), required=False, widget=forms.CheckboxSelectMultiple)

    def eligibility_rule(self) -> list:
        data = self.cleaned_data
        main: list[dict[str, Any]] = []
        if data.get("region_prefix"):
            main.append({"condition": "region_prefix", "value": data["region_prefix"].strip()})
        if data.get("registered_tech_sme"):
            main.append({"condition": "registered_tech_sme"})
        rule = [main] if main else []
        uscc = [u.strip().upper() for u in (data.get("incubator_uscc") or "").split() if u.strip()]
        if uscc:
            team: list[dict[str, Any]] = [{"condition": "incubator_team", "value": uscc}]
            if data.get("region_prefix"):
                team.append({"condition": "region_prefix", "value": data["region_prefix"].strip()})
            rule.append(team)
        return rule


class FundForm(KeyedForm):
    amount = money_field(_("Add to the budget (yuan)"))


class ApplicationForm(KeyedForm):
    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int, choices=())
    amount = money_field(_("Amount applied for (yuan)"))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Which service you want to buy and why."))


class OverrideFields(Form):
    """An explicit override of failed criteria: unticked by default, and a reason is required when ticked."""

    override = forms.BooleanField(
        label=_("Decide although the criteria listed above fail (agency administrators only; recorded and audited)"),
        required=False)
    override_reason = forms.CharField(label=_("Reason for the override"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Give the reason for the override."))
        if not data.get("override"):
            data["override_reason"] = ""
        return data


class DecisionForm(OverrideFields):
    amount = money_field(_("Approved amount (yuan)"), required=False,
                         help_text=_("Leave empty to approve the full amount."))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["amount", "reason", "override", "override_reason"]


class DeliveryForm(Form):
    report = forms.CharField(label=_("What was delivered"), max_length=5000,
                             help_text=_("Results, report numbers and dates: the agency checks them before payment."),
                             widget=forms.Textarea(attrs={"rows": 3}))


class VerificationForm(OverrideFields):
    pass


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RefundForm(KeyedForm):
    amount = money_field(_("Amount to refund (yuan)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(KeyedForm):
    provider = forms.TypedChoiceField(label=_("Service provider"), coerce=int, choices=())
    category = forms.ChoiceField(label=_("Service category"), choices=())
    amount = money_field(_("Contract amount (yuan)"))
    description = forms.CharField(label=_("Service contracted"), widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label=_("Contract document (PDF, JPEG or PNG, at most 10 MB)"), required=False)


class RedeemForm(Form):
    voucher_code = forms.CharField(label=_("Voucher code (from the enterprise)"), max_length=60)
    amount = money_field(_("Amount (yuan)"), required=False,
                         help_text=_("Leave empty for the most the voucher may pay."))


class ProviderForm(Form):
    institution = forms.CharField(label=_("Institution"), max_length=200)
    accreditation = forms.CharField(label=_("Accreditation"), max_length=300,
                                    help_text=_("For example a CMA or CNAS certificate number."))
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False,
                           help_text=_("Printed on the payment file of reimbursements."))


SERVICE_ROWS = 3


class ServiceRowForm(Form):
    name = forms.CharField(label=_("Service"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *ServiceCategory.choices], required=False)
    price = money_field(_("Price (yuan)"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)


class PeriodForm(Form):
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("A quarter (2026Q3) or a month (2026-07)."))


class VerifyForm(Form):
    code = forms.CharField(label=_("Voucher code"), max_length=60)


class ProgrammeEditForm(Form):
    """The settings of a programme that may change after creation (name, agency, year and budget may not)."""

    cap_per_enterprise_year = money_field(_("Cap per enterprise per year (yuan)"))
    cap_per_application = money_field(_("Cap per application (yuan)"))
    max_contract_share = forms.CharField(label=_("Maximum share of a contract the voucher pays"), max_length=10,
                                         help_text=_("For example 0.5 for 50%."))
    categories = forms.MultipleChoiceField(label=_("Eligible service categories"), choices=ServiceCategory.choices,
                                           widget=forms.CheckboxSelectMultiple)
    valid_until = forms.DateField(label=_("Vouchers valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ServiceForm(Form):
    name = forms.CharField(label=_("Service"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    price = money_field(_("Price (yuan)"))
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
