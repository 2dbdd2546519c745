"""Innovative-product pages: proposing a product and the agency's decision (the catalogue is public)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techsme.core.errors import InvalidInput
from techsme.transfer import selectors, services
from techsme.transfer.forms import ProductForm, service_data
from techsme.transfer.views.common import acting_enterprise
from techsme.transfer.views.workspace import _act, _problems


@login_required
def product_form(request: HttpRequest) -> HttpResponse:
    enterprise = acting_enterprise(request.user)
    form = ProductForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.do_submit_product(actor=request.user, enterprise=enterprise, data=service_data(form))
            except InvalidInput as exc:
                form.show_errors(exc)
            else:
                messages.success(request, _("The product was sent to the agency for admission to the catalogue."))
                return redirect("transfer:products")
        status = 422
    return render(request, "transfer/product_form.html", {"form": form, "enterprise": enterprise}, status=status)


@login_required
@require_POST
def product_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.products_in_scope(request.user, "transfer.product.decide").filter(pk=pk).exists():
        raise Http404
    approve = request.POST.get("decision") == "approve"
    _problems(request, _act(request, lambda: services.do_decide_product(
        actor=request.user, product_id=pk, approve=approve, note=request.POST.get("note", "")[:2000]),
        _("Decision recorded.")))
    return redirect("transfer:products")
