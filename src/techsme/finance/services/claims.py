"""Compensation claims: the bank files (loss, recovery so far, documents), the agency reviews within working-day
deadlines, approves within the caps and the pool's balance, pays; later recoveries flow back in the agreed share.

Money: approval is one ledger transaction ``source −X, riskpool:P:bank:B:payable +X`` together with ``−X`` on the
headroom accounts of the caps per loan, per enterprise and per year (``finance.accounts``); payment moves payable →
``compensated``; a recovery moves the pool's share of it from ``compensated`` back to the source. The ledger locks all
accounts of a movement in id order and refuses any that would go below zero, so concurrent approvals never pass a
cap or the pool's balance.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from techsme.core.errors import Conflict, InvalidInput, PermissionDenied
from techsme.core.ledger import do_post_transaction
from techsme.core.models import LedgerAccount
from techsme.core.permissions import can
from techsme.core.uploads import sniff_type
from techsme.core.workdays import add_workdays
from techsme.finance import accounts
from techsme.finance.models import (
    Claim,
    ClaimDocument,
    ClaimState,
    DocumentKind,
    Loan,
    LoanState,
    Recovery,
)
from techsme.finance.services.common import (
    ZERO,
    Problem,
    authorize,
    enforce,
    event,
    invalid,
    local_today,
    now,
    parse_amount,
    required_text,
    retrying,
    share_of,
    user_of,
    yuan,
)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 20


def _claim(pk: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=pk).first()
    if claim is None:
        raise PermissionDenied(_("This claim does not exist or is not yours to change."))
    return claim


def _scope(claim: Claim) -> tuple[str, int]:
    agreement = claim.loan.agreement
    return agreement.pool.region_code, agreement.bank_id


def _amounts(loan: Loan, loss: Any, recovered_before: Any) -> tuple[Decimal, Decimal]:
    errors = []
    try:
        loss_value = parse_amount(loss, "loss")
    except InvalidInput as exc:
        errors.extend(exc.errors)
        loss_value = None
    recovered = ZERO
    if recovered_before not in (None, "", 0, "0"):
        try:
            recovered = parse_amount(recovered_before, "recovered_before")
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if loss_value is not None and loss_value > loan.outstanding:
        errors.append(invalid("loss", _("The loss cannot exceed the principal outstanding at the default, %(left)s.")
                              % {"left": yuan(loan.outstanding)}).errors[0])
    if loss_value is not None and recovered > loss_value:
        errors.append(invalid("recovered_before", _("The recovery cannot exceed the loss.")).errors[0])
    if errors:
        raise InvalidInput(errors)
    return loss_value, recovered  # type: ignore[return-value]


def _requested(claim: Claim) -> Decimal:
    return max(share_of(claim.loss - claim.recovered_before, claim.loan.agreement.loss_share_pct), ZERO)


def do_create_claim(*, actor: Any, loan_id: int, loss: Any, recovered_before: Any = 0, explanation: str = "",
                    submit: bool = False) -> Claim:
    with transaction.atomic():
        loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
        if loan is None or not can(actor, "finance.claim.create", loan):
            raise PermissionDenied(_("You may not claim compensation for this loan."))
        if loan.state != LoanState.DEFAULTED:
            raise Conflict(_("Compensation is claimed for a loan in default; loan %(loan)s is %(state)s.")
                           % {"loan": loan.contract_number, "state": loan.get_state_display()})
        if loan.claims.exclude(state__in=[ClaimState.REJECTED, ClaimState.WITHDRAWN]).exists():
            raise Conflict(_("Loan %(loan)s already has a claim.") % {"loan": loan.contract_number})
        loss_value, recovered = _amounts(loan, loss, recovered_before)
        claim = Claim(loan=loan, loss=loss_value, recovered_before=recovered, created_by=user_of(actor),
                      explanation=str(explanation or "").strip()[:5000])
        claim.requested_amount = _requested(claim)
        claim.save()
        event(actor, "create_claim", claim, *_scope(claim), loan=loan.pk, loss=loss_value, recovered=recovered)
        if submit:
            _submit(actor, claim)
    return claim


def do_update_claim(*, actor: Any, claim_id: int, loss: Any, recovered_before: Any = 0,
                    explanation: str = "") -> Claim:
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "edit", claim, claim.state)
        claim.loss, claim.recovered_before = _amounts(claim.loan, loss, recovered_before)
        claim.explanation = str(explanation or "").strip()[:5000]
        claim.requested_amount = _requested(claim)
        claim.save()
        event(actor, "update_claim", claim, *_scope(claim), loss=claim.loss, recovered=claim.recovered_before)
    return claim


def do_add_claim_document(*, actor: Any, claim_id: int, kind: str, upload: Any) -> ClaimDocument:
    """A PDF, JPEG or PNG (recognised by its first bytes, not its name), at most 10 MB."""
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "edit", claim, claim.state)
        if kind not in DocumentKind.values:
            raise invalid("kind", _("Choose the kind of document."))
        if upload is None:
            raise invalid("file", _("Choose a file."))
        if getattr(upload, "size", 0) > MAX_DOCUMENT_BYTES:
            raise invalid("file", _("The document is larger than 10 MB."))
        content_type = sniff_type(upload)
        if content_type is None:
            raise invalid("file", _("The document must be a PDF, JPEG or PNG file."))
        if claim.documents.count() >= MAX_DOCUMENTS:
            raise Conflict(_("A claim holds at most %(n)d documents.") % {"n": MAX_DOCUMENTS})
        document = ClaimDocument.objects.create(claim=claim, kind=kind, file=upload, content_type=content_type,
                                                size=getattr(upload, "size", 0), uploaded_by=user_of(actor))
        event(actor, "add_claim_document", claim, *_scope(claim), document=document.pk, kind=kind,
              content_type=content_type)
    return document


def _submit(actor: Any, claim: Claim) -> None:
    authorize(actor, "claim", "submit", claim, claim.state)
    before = claim.state
    claim.state, claim.submitted_at, claim.returned_note = ClaimState.SUBMITTED, now(), ""
    claim.first_review_due = add_workdays(local_today(), claim.loan.agreement.pool.first_review_workdays)
    claim.save()
    event(actor, "submit_claim", claim, *_scope(claim), state=[before, claim.state],
          first_review_due=claim.first_review_due)


def do_submit_claim(*, actor: Any, claim_id: int) -> Claim:
    with transaction.atomic():
        claim = _claim(claim_id)
        _submit(actor, claim)
    return claim


def do_withdraw_claim(*, actor: Any, claim_id: int) -> Claim:
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "withdraw", claim, claim.state)
        before, claim.state = claim.state, ClaimState.WITHDRAWN
        claim.save()
        event(actor, "withdraw_claim", claim, *_scope(claim), state=[before, claim.state])
    return claim


def do_first_review(*, actor: Any, claim_id: int, note: str = "") -> Claim:
    """The claim is complete enough to decide: the decision deadline starts."""
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "first_review", claim, claim.state)
        claim.state, claim.first_reviewed_at, claim.first_reviewed_by = ClaimState.UNDER_REVIEW, now(), user_of(actor)
        claim.decision_due = add_workdays(local_today(), claim.loan.agreement.pool.approval_workdays)
        claim.decision_note = (note or "").strip()[:2000]
        claim.save()
        event(actor, "first_review", claim, *_scope(claim), state=[ClaimState.SUBMITTED, claim.state],
              decision_due=claim.decision_due)
    return claim


def do_return_claim(*, actor: Any, claim_id: int, note: str) -> Claim:
    note = required_text(note, "note", _("Say what the bank should complete."))
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "return", claim, claim.state)
        before, claim.state, claim.returned_note = claim.state, ClaimState.RETURNED, note
        claim.first_review_due = claim.decision_due = None
        claim.save()
        event(actor, "return_claim", claim, *_scope(claim), state=[before, claim.state], note=note)
    return claim


def do_reject_claim(*, actor: Any, claim_id: int, note: str) -> Claim:
    note = required_text(note, "note", _("Say why the claim is rejected."))
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "reject", claim, claim.state)
        before, claim.state = claim.state, ClaimState.REJECTED
        claim.decided_by, claim.decided_at, claim.decision_note = user_of(actor), now(), note
        claim.save()
        event(actor, "reject_claim", claim, *_scope(claim), state=[before, claim.state], note=note)
    return claim


# ---------------------------------------------------------------------------------------------------------------------
# approval and payment


def review_problems(claim: Claim, has_documents: bool | None = None) -> list[Problem]:
    """What an approval would rest on, apart from the money (caps and pool, checked on the locked accounts)."""
    loan = claim.loan
    problems = []
    if loan.state != LoanState.DEFAULTED:
        problems.append(Problem("loan_not_in_default", _(
            "Loan %(loan)s is no longer in default (%(state)s); there is no loss to compensate.")
            % {"loan": loan.contract_number, "state": loan.get_state_display()}, False))
    if claim.requested_amount <= 0:
        problems.append(Problem("nothing_to_compensate", _(
            "After the recovery there is nothing left to compensate."), False))
    window = loan.agreement.pool.claim_window_days
    filed = (claim.submitted_at or now()).date()
    if loan.defaulted_on and (filed - loan.defaulted_on).days > window:
        problems.append(Problem("late_claim", _(
            "The claim was submitted %(days)d days after the default; the pool's window is %(window)d days.")
            % {"days": (filed - loan.defaulted_on).days, "window": window}, True))
    if not (claim.documents.exists() if has_documents is None else has_documents):
        problems.append(Problem("no_documents", _(
            "No documents support the claim (notice of default, collection record)."), True))
    return problems


def _lock_accounts(accounts_: list[LedgerAccount]) -> dict[int, Decimal]:
    rows = LedgerAccount.objects.select_for_update().filter(pk__in=[a.pk for a in accounts_]).order_by("pk")
    return {row.pk: row.balance for row in rows}


def compensation(claim: Claim, year: int) -> tuple[Decimal, list[str], Decimal, list[Any]]:
    """What the caps and the pool allow now: (amount, what limited it, source balance, the accounts involved).

    Must run inside the caller's transaction: the accounts are locked (id order) before they are read."""
    agreement = claim.loan.agreement
    pool = agreement.pool
    caps = accounts.caps_for(agreement, claim.loan, year)
    cap_accounts = [accounts.open_cap(pool, cap) for cap in caps]
    source = accounts.compensation_source(agreement)
    balances = _lock_accounts([source, *cap_accounts])
    amount, limited_by = claim.requested_amount, []
    for cap, account in zip(caps, cap_accounts, strict=True):
        if balances[account.pk] < amount:
            amount, limited_by = balances[account.pk], [*limited_by, cap.key]
    return max(amount, ZERO), limited_by, balances[source.pk], [source, *cap_accounts]


@retrying
def do_approve_claim(*, actor: Any, claim_id: int, note: str = "", override_reason: str = "") -> Claim:
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "approve", claim, claim.state)
        agreement = claim.loan.agreement
        pool = agreement.pool
        year = local_today().year
        problems = review_problems(claim)
        amount, limited_by, involved = ZERO, [], []
        if not any(p.code in ("loan_not_in_default", "nothing_to_compensate") for p in problems):
            amount, limited_by, available, involved = compensation(claim, year)
            if amount <= 0:
                problems.append(Problem("caps_exhausted", _(
                    "The caps of the agreement (per loan, per enterprise, per year) leave nothing for this claim."),
                    False))
            elif available < amount:
                problems.append(Problem("pool_short", _(
                    "The pool holds %(available)s, less than the %(amount)s this claim is due; fund the pool first.")
                    % {"available": yuan(available), "amount": yuan(amount)}, False))
        codes, reason = enforce(problems, actor=actor, override_reason=override_reason, scope_obj=claim)
        source, *caps = involved
        legs: list[tuple[Any, Decimal]] = [(source, -amount), (accounts.payable(pool, agreement.bank), amount)]
        legs += [(cap, -amount) for cap in caps]
        legs.append((accounts.caps_used(pool), amount * len(caps)))
        claim.approve_txn = do_post_transaction(actor=actor, idempotency_key=f"riskpool:claim:{claim.pk}:approve",
                                                legs=legs, kind="compensation_approved", reference=claim,
                                                memo=f"claim {claim.pk} approved")
        claim.state, claim.approved_amount, claim.capped_by = ClaimState.APPROVED, amount, limited_by
        claim.decided_by, claim.decided_at = user_of(actor), now()
        claim.decision_note = (note or "").strip()[:2000] or claim.decision_note
        claim.overridden, claim.override_reason = codes, reason
        claim.save()
        event(actor, "approve_claim", claim, *_scope(claim), state=[ClaimState.UNDER_REVIEW, claim.state],
              requested=claim.requested_amount, approved=amount, limited_by=limited_by, overridden=codes,
              override_reason=reason)
    return claim


def payment_problems(claim: Claim, actor: Any) -> list[Problem]:
    problems = []
    if claim.loan.state != LoanState.DEFAULTED:
        problems.append(Problem("loan_not_in_default", _(
            "Loan %(loan)s is no longer in default (%(state)s); the compensation cannot be paid.")
            % {"loan": claim.loan.contract_number, "state": claim.loan.get_state_display()}, False))
    if claim.decided_by_id and getattr(actor, "pk", None) == claim.decided_by_id:
        problems.append(Problem("same_officer", _(
            "You approved this claim; a second officer pays it (four eyes)."), True))
    return problems


@retrying
def do_pay_claim(*, actor: Any, claim_id: int, override_reason: str = "") -> Claim:
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "pay", claim, claim.state)
        codes, reason = enforce(payment_problems(claim, actor), actor=actor, override_reason=override_reason,
                                scope_obj=claim)
        agreement = claim.loan.agreement
        amount = claim.approved_amount or ZERO
        claim.pay_txn = do_post_transaction(
            actor=actor, idempotency_key=f"riskpool:claim:{claim.pk}:pay", kind="compensation_paid",
            legs=[(accounts.payable(agreement.pool, agreement.bank), -amount),
                  (accounts.compensated(agreement.pool, agreement.bank), amount)],
            reference=claim, memo=f"claim {claim.pk} paid")
        claim.state, claim.paid_by, claim.paid_at = ClaimState.PAID, user_of(actor), now()
        claim.pay_overridden, claim.pay_override_reason = codes, reason
        claim.save()
        loan = Loan.objects.select_for_update().get(pk=claim.loan_id)
        loan.state, loan.written_off_on = LoanState.WRITTEN_OFF, local_today()
        loan.save(update_fields=["state", "written_off_on"])
        event(actor, "pay_claim", claim, *_scope(claim), state=[ClaimState.APPROVED, claim.state], amount=amount,
              overridden=codes, override_reason=reason)
        event(actor, "write_off_loan", loan, *_scope(claim), state=[LoanState.DEFAULTED, LoanState.WRITTEN_OFF])
    return claim


@retrying
def do_record_recovery(*, actor: Any, claim_id: int, amount: Any, recovered_on: Any, request_key: str) -> Recovery:
    """Money recovered after compensation: the pool's share (the agreed loss share) flows back to the pool."""
    amount = parse_amount(amount)
    key = (request_key or "").strip()[:60]
    if not key:
        raise invalid("request_key", _("This form has expired; reload the page and submit it again."))
    try:
        day = recovered_on if isinstance(recovered_on, date) else date.fromisoformat(str(recovered_on))
    except ValueError:
        raise invalid("recovered_on", _("Enter a date such as 2026-03-15.")) from None
    with transaction.atomic():
        claim = _claim(claim_id)
        authorize(actor, "claim", "recover", claim, claim.state)
        existing = Recovery.objects.filter(key=f"{claim.pk}:{key}").first()
        if existing is not None:
            raise Conflict(_("This recovery was already recorded; it was not recorded again."))
        if day > local_today() or (claim.loan.defaulted_on and day < claim.loan.defaulted_on):
            raise invalid("recovered_on", _("The date must lie between the default and today."))
        earlier = claim.recoveries.aggregate(total=Sum("amount"))["total"] or ZERO
        if earlier + amount > claim.loss - claim.recovered_before:
            raise invalid("amount", _("Recoveries cannot exceed the loss that was claimed; at most %(left)s is left.")
                          % {"left": yuan(claim.loss - claim.recovered_before - earlier)})
        agreement = claim.loan.agreement
        returned = claim.recoveries.aggregate(total=Sum("pool_share"))["total"] or ZERO
        share = min(share_of(amount, agreement.loss_share_pct), (claim.approved_amount or ZERO) - returned)
        recovery = Recovery(claim=claim, amount=amount, pool_share=share, recovered_on=day,
                            key=f"{claim.pk}:{key}", recorded_by=user_of(actor))
        if share > 0:
            recovery.txn = do_post_transaction(
                actor=actor, idempotency_key=f"riskpool:recovery:{claim.pk}:{key}", kind="recovery_returned",
                legs=[(accounts.compensated(agreement.pool, agreement.bank), -share),
                      (accounts.compensation_source(agreement), share)],
                reference=claim, memo=f"recovery on claim {claim.pk}")
        recovery.save()
        event(actor, "record_recovery", claim, *_scope(claim), amount=amount, pool_share=share)
    return recovery


def approve_many(*, actor: Any, claim_ids: list[int], note: str = "") -> dict[int, str]:
    """Approve a batch of claims one by one (each its own transaction); returns claim id → "" or the refusal."""
    results: dict[int, str] = {}
    for claim_id in claim_ids:
        try:
            do_approve_claim(actor=actor, claim_id=claim_id, note=note)
            results[claim_id] = ""
        except (Conflict, PermissionDenied, InvalidInput) as exc:
            results[claim_id] = str(exc)
    return results


def _batch_refusal(actor: Any, claim: Claim, has_documents: bool) -> str:
    try:
        authorize(actor, "claim", "approve", claim, claim.state)
    except (Conflict, PermissionDenied) as exc:
        return str(exc)
    problems = review_problems(claim, has_documents)
    return " ".join(p.message for p in problems)


@retrying
def do_approve_claims_batch(*, actor: Any, claim_ids: list[int], request_key: str, note: str = "") -> dict[int, str]:
    """Approve many claims at once: the same criteria as ``do_approve_claim`` (no overrides — a claim that fails a
    criterion is held with its reason), the same caps and pool, in *one* ledger movement.

    Every involved account (sources, headroom of every cap, payables) is locked in id order before anything is
    computed; the claims are then taken in id order against running balances, so a claim that would pass a cap or
    the pool is held, never paid in part by accident. Returns claim id → "" (approved) or the reason it was held.
    """
    key = (request_key or "").strip()[:60]
    if not key:
        raise invalid("request_key", _("This form has expired; reload the page and submit it again."))
    ids = sorted({int(i) for i in claim_ids})
    if not 1 <= len(ids) <= 5000:
        raise invalid("claim_ids", _("A batch holds 1 to 5,000 claims."))
    results: dict[int, str] = {}
    year = local_today().year
    with transaction.atomic():
        claims = list(Claim.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                      .select_related("loan__agreement__pool", "loan__agreement__bank"))
        with_documents = set(ClaimDocument.objects.filter(claim_id__in=ids).values_list("claim_id", flat=True))
        results.update({pk: _("This claim does not exist or is not yours to change.") for pk in ids})
        eligible = []
        for claim in claims:
            results[claim.pk] = _batch_refusal(actor, claim, claim.pk in with_documents)
            if not results[claim.pk]:
                eligible.append(claim)
        plan: list[tuple[Claim, list[LedgerAccount], LedgerAccount, LedgerAccount]] = []
        per_agreement: dict[int, tuple[LedgerAccount, LedgerAccount]] = {}
        wanted = {c.code: c for claim in eligible for c in accounts.caps_for(claim.loan.agreement, claim.loan, year)}
        opened = {a.code: a for a in LedgerAccount.objects.filter(code__in=list(wanted))}
        for claim in eligible:
            agreement = claim.loan.agreement
            if agreement.pk not in per_agreement:
                per_agreement[agreement.pk] = (accounts.compensation_source(agreement),
                                               accounts.payable(agreement.pool, agreement.bank))
            caps = []
            for cap in accounts.caps_for(agreement, claim.loan, year):
                if cap.code not in opened:
                    opened[cap.code] = accounts.open_cap(agreement.pool, cap)
                caps.append(opened[cap.code])
            plan.append((claim, caps, *per_agreement[agreement.pk]))
        involved = {a.pk: a for _c, caps, source, payable in plan for a in (*caps, source, payable)}
        balances = _lock_accounts(list(involved.values()))
        deltas: dict[int, Decimal] = {}
        used: dict[int, Decimal] = {}
        approved: list[Claim] = []
        for claim, caps, source, payable in plan:
            amount, limited_by = claim.requested_amount, []
            for cap, account in zip(accounts.caps_for(claim.loan.agreement, claim.loan, year), caps, strict=True):
                if balances[account.pk] < amount:
                    amount, limited_by = balances[account.pk], [*limited_by, cap.key]
            if amount <= 0:
                results[claim.pk] = str(_("The caps of the agreement (per loan, per enterprise, per year) leave "
                                          "nothing for this claim."))
                continue
            if balances[source.pk] < amount:
                results[claim.pk] = _("The pool holds %(available)s, less than the %(amount)s this claim is due; "
                                      "fund the pool first.") % {"available": yuan(balances[source.pk]),
                                                                 "amount": yuan(amount)}
                continue
            for account, sign in [(source, -1), (payable, 1), *[(c, -1) for c in caps]]:
                balances[account.pk] += sign * amount
                deltas[account.pk] = deltas.get(account.pk, ZERO) + sign * amount
            pool = claim.loan.agreement.pool
            used[pool.pk] = used.get(pool.pk, ZERO) + amount * len(caps)
            claim.approved_amount, claim.capped_by = amount, limited_by
            approved.append(claim)
        if not approved:
            return results
        pools = {c.loan.agreement.pool_id: c.loan.agreement.pool for c in approved}
        for pool_id, amount in used.items():
            account = accounts.caps_used(pools[pool_id])
            deltas[account.pk] = deltas.get(account.pk, ZERO) + amount
        legs = [(pk, amount) for pk, amount in sorted(deltas.items()) if amount != 0]
        txn = do_post_transaction(actor=actor, idempotency_key=f"riskpool:approve-batch:{key}", legs=legs,
                                  kind="compensation_approved", memo=f"{len(approved)} claims approved")
        moment, text = now(), (note or "").strip()[:2000]
        common = {"state": ClaimState.APPROVED, "approve_txn": txn, "decided_by": user_of(actor),
                  "decided_at": moment, "overridden": [], "override_reason": ""}
        Claim.objects.filter(pk__in=[c.pk for c in approved]).update(**common, **({"decision_note": text} if text
                                                                                   else {}))
        Claim.objects.bulk_update(approved, ["approved_amount", "capped_by"], batch_size=500)
        for claim in approved:
            for field, value in common.items():
                setattr(claim, field, value)
        for claim in approved:
            event(actor, "approve_claim", claim, *_scope(claim), state=[ClaimState.UNDER_REVIEW, claim.state],
                  requested=claim.requested_amount, approved=claim.approved_amount, limited_by=claim.capped_by,
                  batch=txn.pk)
    return results
