"""Rules-engine endpoints (assess, parameters, variables); filled in by the rules-engine work."""

from ninja import Router

router = Router(tags=["rules"])
