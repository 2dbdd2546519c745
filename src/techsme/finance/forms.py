"""Forms of the finance pages; they only shape input — every rule is checked by ``finance.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from techsme.finance.models import Collateral, DocumentKind


class LoanForm(forms.Form):
    enterprise_uscc = forms.CharField(label=_("Borrower's unified social credit code"), max_length=18, min_length=18)
    contract_number = forms.CharField(label=_("Loan contract number"), max_length=60)
    amount = forms.CharField(label=_("Loan amount (yuan)"), max_length=30)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=360)
    rate_pct = forms.CharField(label=_("Interest rate (% a year)"), max_length=10)
    collateral = forms.ChoiceField(label=_("Collateral"), choices=[("", "—"), *Collateral.choices])
    granted_on = forms.DateField(label=_("Granted on"), widget=forms.DateInput(attrs={"type": "date"}))
    pledged_asset_ids = forms.CharField(label=_("Pledged patents (numbers of the IP records, comma-separated)"),
                                        required=False, max_length=500)
    pledge_registration_number = forms.CharField(label=_("Pledge registration number"), required=False,
                                                 max_length=60)
    valuation_amount = forms.CharField(label=_("Appraised value of the pledge (yuan)"), required=False, max_length=30)
    appraiser = forms.CharField(label=_("Appraiser"), required=False, max_length=200)
    save_only = forms.BooleanField(label=_("Save without filing (file later)"), required=False)


class ClaimForm(forms.Form):
    loss = forms.CharField(label=_("Principal lost (yuan)"), max_length=30)
    recovered_before = forms.CharField(label=_("Recovered so far (yuan)"), max_length=30, required=False, initial="0")
    explanation = forms.CharField(label=_("What happened and what the bank did to recover"), max_length=5000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 4}))
    document_kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices, required=False)
    document = forms.FileField(label=_("Document (PDF, JPEG or PNG, at most 10 MB)"), required=False)
    submit_now = forms.BooleanField(label=_("Submit to the agency now"), required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("Document (PDF, JPEG or PNG, at most 10 MB)"))
