"""Helpers shared by the evaluation pages: error handling, the readable explanation, labels."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from techsme.core import ratelimit
from techsme.core.errors import Conflict, InvalidInput
from techsme.core.permissions import can
from techsme.evaluation import criteria
from techsme.evaluation.models import OnsiteReason

INDICATORS = (("techsme_staff_score", 20), ("techsme_rd_score", 50), ("techsme_ip_score", 30))
CONDITIONS = ("techsme_condition_resident", "techsme_condition_size", "techsme_condition_industry",
              "techsme_condition_compliance")


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    return "" if value is None else str(value)


def _fact_label(name: str) -> str:
    from techsme.registry.facts_fields import FACT_FIELDS, label

    return str(label(name)) if name in FACT_FIELDS else name


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def fail_reason_texts(codes: str | list[str] | None) -> list[str]:
    return criteria.texts(codes)


def readable(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A rules-engine result (with its ``techsme.explanation/v1`` explanation) shaped for the templates."""
    if not result:
        return None
    if result.get("errors"):
        lang = "zh" if (get_language() or "").startswith("zh") else "en"
        return {"errors": [e.get(f"message_{lang}") or e.get("message_en") or str(e) for e in result["errors"]]}
    explanation = result.get("explanation") or {}
    items = explanation.get("results") or {}
    lang = "zh" if (get_language() or "").startswith("zh") else "en"

    def entry(name: str) -> dict[str, Any] | None:
        item = items.get(name)
        if not item:
            return None
        return {
            "name": name,
            "label": _text(item.get("label"), lang),
            "value": item.get("value"),
            "shown": _shown(item.get("value")),
            "rule": _text(item.get("rule"), lang),
            "citation": item.get("formula_citation", ""),
            "inputs": [{"label": _text(i.get("label"), lang), "value": _shown(i.get("value"))}
                       for i in item.get("inputs", [])],
            "intermediate": [{"label": _text(i.get("label"), lang), "value": _shown(i.get("value"))}
                             for i in item.get("intermediate", [])],
            "improvements": [_text(i.get("text"), lang) for i in item.get("improvements", [])],
            "missing": [_fact_label(m) for m in item.get("missing_facts", [])],
        }

    indicators = []
    for name, maximum in INDICATORS:
        found = entry(name)
        if found:
            found["max"] = maximum
            found["pct"] = int(100 * float(found["value"] or 0) / maximum)
            indicators.append(found)
    total = entry("techsme_score")
    eligible = entry("techsme_eligible")
    return {
        "indicators": indicators,
        "total": total,
        "conditions": [c for c in (entry(n) for n in CONDITIONS) if c],
        "direct": entry("techsme_direct_route"),
        "eligible": eligible,
        "score": result.get("techsme_score"),
        "is_eligible": result.get("techsme_eligible"),
        "route": result.get("techsme_route"),
        "fail_reasons": fail_reason_texts(result.get("techsme_fail_reasons")),
        "missing": (eligible or {}).get("missing", []),
        "unconfirmed": bool(explanation.get("unconfirmed")),
    }


def onsite_reason_labels(codes: list[str]) -> list[str]:
    labels = dict(OnsiteReason.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def require(user: Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def refusal_text(exc: Exception) -> str:
    """The message of a refused verb (409, 422, or a 403 that names what only another role may do)."""
    if isinstance(exc, InvalidInput):
        return " ".join(str(e.message) for e in exc.errors)
    return str(exc)


def run_verb(request: HttpRequest, action: Callable[[], Any], success: str, back: str) -> HttpResponse:
    """Call a service verb; show its success or its refusal (409/422 as a message) and go to ``back``."""
    try:
        action()
    except (Conflict, InvalidInput) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, success)
    return redirect(back)


OBJECTIONS_PER_IP = 5  # per hour; the setting EVALUATION_OBJECTIONS_PER_IP overrides it
OBJECTION_WINDOW_SECONDS = 3600


def objection_limited(ip: str) -> bool:
    """Has this address lodged its allowance of objections in the current hour? (Shared by the page and API.)"""
    from django.conf import settings

    limit = int(getattr(settings, "EVALUATION_OBJECTIONS_PER_IP", OBJECTIONS_PER_IP))
    return ratelimit.count("objections", ip) >= limit


def count_objection(ip: str) -> None:
    ratelimit.hit("objections", ip, window_seconds=OBJECTION_WINDOW_SECONDS)


# The steps of the status history, in words.
STEP_LABELS = {
    "submit": gettext_lazy("Submitted by the enterprise"),
    "route_imported": gettext_lazy("Received offline and routed into the review queue"),
    "onsite_check": gettext_lazy("On-site check recorded"),
    "accept": gettext_lazy("Accepted by the agency"),
    "return": gettext_lazy("Returned for correction"),
    "reject": gettext_lazy("Rejected"),
    "publish": gettext_lazy("Published for publicity"),
    "register": gettext_lazy("Registered"),
    "hold": gettext_lazy("Registration held at the close of publicity"),
    "release": gettext_lazy("Registered after being held"),
    "uphold_objection": gettext_lazy("Refused after an upheld objection"),
    "annual_update": gettext_lazy("Annual update made"),
    "lapse": gettext_lazy("Lapsed"),
    "revoke": gettext_lazy("Revoked"),
}
