"""Region changes: the enterprise asks to move into another region, the receiving agency accepts or rejects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import Conflict, InvalidInput
from techsme.core.permissions import can
from techsme.refdata import region_name
from techsme.registry import region_changes
from techsme.registry.selectors import enterprise_for
from techsme.web.forms import RegionChangeForm, RegionDecisionForm, add_field_errors


def _labelled(changes: list) -> list:
    for change in changes:
        change.from_label, change.to_label = region_name(change.from_region), region_name(change.to_region)
    return changes


@login_required
def enterprise_region_change(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    may_request = can(request.user, "region_change.request", enterprise)
    form = RegionChangeForm(request.POST or None) if may_request else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                region_changes.do_request_region_change(actor=request.user, enterprise_id=enterprise.pk,
                                                        **form.cleaned_data)
            except InvalidInput as exc:
                add_field_errors(form, exc.errors)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The request was sent to the receiving agency."))
                return redirect("web:region_change", pk=enterprise.pk)
    history = _labelled(list(region_changes.changes_of(enterprise)))
    pending = next((c for c in history if c.state == c.State.PENDING), None)
    return render(request, "web/region_change.html", {
        "enterprise": enterprise, "region_label": region_name(enterprise.region_code), "form": form,
        "history": history, "pending": pending, "may_request": may_request,
    }, status=422 if form is not None and form.errors else 200)


@login_required
@require_POST
def region_change_withdraw(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    if not enterprise.region_changes.filter(pk=change_id).exists():
        raise Http404
    try:
        region_changes.do_withdraw_region_change(actor=request.user, change_id=change_id)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("web:region_change", pk=enterprise.pk)


@login_required
def incoming_region_changes(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "region_change.decide"):
        raise PermissionDenied
    return render(request, "web/region_changes.html",
                  {"changes": _labelled(list(region_changes.incoming(request.user)[:500]))})


@login_required
def region_change_decide(request: HttpRequest, change_id: int) -> HttpResponse:
    change = region_changes.incoming_change(request.user, change_id)
    form = RegionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == "accept":
                region_changes.do_accept_region_change(actor=request.user, change_id=change.pk, note=note)
            else:
                region_changes.do_reject_region_change(actor=request.user, change_id=change.pk, note=note)
        except InvalidInput as exc:
            add_field_errors(form, exc.errors)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The request was accepted: the enterprise is now in your region.")
                             if decision == "accept" else _("The request was rejected."))
            return redirect("web:region_changes")
    return render(request, "web/region_change_decide.html", {"change": _labelled([change])[0], "form": form},
                  status=422 if form.errors else 200)
