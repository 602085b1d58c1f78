"""Increments and acceptance: submitting an increment, testers' drafts and verdicts."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperative import audit
from deelbaar.errors import Conflict, DomainError, NotAllowed
from deelbaar.permissions import require
from deelbaar.typing import User
from sprints import events, hooks, rules, selectors
from sprints.models import (
    BacklogItem,
    CriterionVerdict,
    DraftAnswer,
    Increment,
    IncrementItem,
    IncrementState,
    ItemKind,
    ItemOutcome,
    ItemStatus,
    Product,
    Sprint,
    SprintState,
    Verdict,
)
from sprints.services._common import _change
from sprints.services.backlog import create_item


def _sprint_of_acceptance(item: BacklogItem) -> Sprint | None:
    """The sprint an item's acceptance counts toward: its own until that sprint is closed
    (whose velocity is then fixed), afterwards the product's sprint running now (the active
    one, else the one in review), or none."""
    if item.sprint_id is not None:
        own = Sprint.objects.get(pk=item.sprint_id)
        if own.state != SprintState.CLOSED:
            return own
    return (
        Sprint.objects.filter(
            product_id=item.product_id, state__in=[SprintState.ACTIVE, SprintState.REVIEW]
        )
        .order_by("-number")
        .first()
    )


def create_increment(
    *,
    actor: User,
    product: Product,
    version: str,
    items: Any,
    release_notes: str = "",
    git_ref: str = "",
    sprint: Sprint | None = None,
) -> Increment:
    require(actor, "sprints.prepare_increment", product)
    # Checked before the transaction: it runs git in every mirror of the product, which must
    # not keep a database transaction (and its locks) open.
    if problem := hooks.git_ref_problem(product, git_ref):
        raise DomainError(problem, field="git_ref")
    return _create_increment(
        actor=actor,
        product=product,
        version=version,
        items=items,
        release_notes=release_notes,
        git_ref=git_ref,
        sprint=sprint,
    )


@transaction.atomic
def _create_increment(
    *,
    actor: User,
    product: Product,
    version: str,
    items: Any,
    release_notes: Any,
    git_ref: Any,
    sprint: Sprint | None,
) -> Increment:
    version = (version or "").strip()
    if not version:
        raise DomainError(_("Give the increment a version, such as 1.4.0."), field="version")
    ids = [getattr(item, "pk", item) for item in items]
    chosen = list(BacklogItem.objects.filter(pk__in=ids).select_related("product"))
    if not ids or len(chosen) != len(set(ids)):
        raise DomainError(_("Choose the done items this increment delivers."), field="items")
    for item in chosen:
        if item.product_id != product.pk:
            raise DomainError(
                _("%(reference)s belongs to another product.") % {"reference": item.reference},
                field="items",
            )
        if item.status != ItemStatus.DONE:
            raise DomainError(
                _("%(reference)s is not done, so it cannot be delivered.")
                % {"reference": item.reference},
                field="items",
            )
    if sprint is not None and sprint.product_id != product.pk:
        raise DomainError(_("That sprint belongs to another product."), field="sprint")
    try:
        with transaction.atomic():
            increment = Increment.objects.create(
                product=product,
                version=version,
                release_notes=release_notes,
                git_ref=(git_ref or "").strip(),
                sprint=sprint,
            )
    except IntegrityError as error:
        raise Conflict(
            _("This product already has an increment %(version)s.") % {"version": version},
            field="version",
        ) from error
    IncrementItem.objects.bulk_create(
        [IncrementItem(increment=increment, item=item) for item in chosen]
    )
    audit.record(
        actor=actor,
        action="increment.created",
        obj=increment,
        cooperative=product.cooperative,
        changes={"version": [None, version], "items": [None, sorted(i.reference for i in chosen)]},
    )
    return increment


@transaction.atomic
def submit_increment(
    *, actor: User, increment: Increment, deadline: date, testers: Any = None
) -> Increment:
    """Ask the product's testers (or the chosen ones) for a verdict on every item."""
    require(actor, "sprints.prepare_increment", increment.product)
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=increment.pk)
    )
    if increment.state != IncrementState.DRAFT:
        raise Conflict(_("This increment was already submitted."), field="state")
    if not isinstance(deadline, date):
        raise DomainError(_("Give the deadline for the verdicts."), field="deadline")
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."), field="deadline")
    # The whole team's roles in one query: checking each tester must not cost one per person.
    product = rules.remember_whole_team(increment.product)
    eligible = {user.pk: user for user in selectors.eligible_testers(product)}
    if testers is None:
        chosen = list(eligible.values())
    else:
        chosen = []
        for tester in testers:
            pk = getattr(tester, "pk", tester)
            if pk not in eligible:
                raise DomainError(
                    _(
                        "Only the product's testers who do not build or own it can "
                        "be asked for verdicts."
                    ),
                    field="testers",
                )
            chosen.append(eligible[pk])
    if not chosen:
        raise DomainError(_("This product has no tester who may give verdicts."), field="testers")
    increment.state = IncrementState.SUBMITTED
    increment.deadline = deadline
    increment.submitted_at = timezone.now()
    increment.save(update_fields=["state", "deadline", "submitted_at"])
    increment.testers.set(chosen)
    audit.record(
        actor=actor,
        action="increment.submitted",
        obj=increment,
        cooperative=product.cooperative,
        changes={
            "state": [IncrementState.DRAFT, increment.state],
            "testers": [None, sorted(t.get_username() for t in chosen)],
            "deadline": [None, deadline],
        },
    )
    events.increment_submitted(increment, [t.pk for t in chosen], actor=actor)
    return increment


def _clean_answers(answers: Any, criteria: Any) -> list[dict]:
    """A tester's answers on an item's criteria, in the criteria's order: every criterion
    answered once, met or not met, with remarks when not met."""
    if isinstance(answers, dict):
        answers = [{"criterion": pk, **answer} for pk, answer in answers.items()]
    by_id = {}
    for answer in answers:
        pk = answer.get("criterion")
        pk = getattr(pk, "pk", pk)
        if pk not in {c.pk for c in criteria}:
            raise DomainError(
                _("Criterion %(id)s is not one of this item's.") % {"id": pk}, field="criteria"
            )
        if pk in by_id:
            raise DomainError(
                _("Criterion %(id)s is answered twice.") % {"id": pk}, field="criteria"
            )
        by_id[pk] = answer
    missing = [c for c in criteria if c.pk not in by_id]
    if missing:
        raise DomainError(
            _("Say for every criterion whether it is met; not yet answered: %(criteria)s.")
            % {"criteria": "; ".join(c.text for c in missing)},
            field="criteria",
            code="required",
        )
    cleaned = []
    for criterion in criteria:
        answer = by_id[criterion.pk]
        met = answer.get("met")
        if not isinstance(met, bool):
            raise DomainError(
                _("Say whether “%(criterion)s” is met.") % {"criterion": criterion.text},
                field="criteria",
                code="required",
            )
        remarks = (answer.get("remarks") or "").strip()
        if not met and not remarks:
            raise DomainError(
                _("Say what is wrong with “%(criterion)s”: a criterion not met needs remarks.")
                % {"criterion": criterion.text},
                field="criteria",
                code="required",
            )
        cleaned.append(
            {
                "criterion": criterion,
                "met": met,
                "remarks": remarks,
                "screenshot": answer.get("screenshot") or "",
            }
        )
    return cleaned


@transaction.atomic
def give_verdict(
    *,
    actor: User,
    increment: Increment,
    item: BacklogItem,
    accepted: bool | None = None,
    remarks: str = "",
    screenshot: Any = None,
    criteria: Any = None,
) -> Verdict:
    """A tester judges an item: criterion by criterion (`criteria`: for each of the item's
    criteria its id, met or not, remarks when not met and maybe a screenshot), or as a whole
    (`accepted`, for old clients and items without criteria). The item is rejected when any
    criterion is not met; each rejection puts follow-up work at the top of the backlog, with
    the criteria not met copied in as its acceptance criteria and linked back: one follow-up
    per rejected item, or one per criterion not met when the product owner chose so on the
    product. Verdicts are never edited."""
    increment = _tester_increment(actor, increment)
    entry = _increment_entry(increment, item)
    accepted, remarks, answers = _judgement(
        entry, accepted=accepted, remarks=(remarks or "").strip(), criteria=criteria
    )
    if entry.verdicts.filter(tester=actor).exists():
        raise Conflict(
            _("You already gave a verdict on %(reference)s; verdicts are never edited.")
            % {"reference": entry.item.reference},
            field="item",
        )
    verdict = Verdict.objects.create(
        increment_item=entry,
        tester=actor,
        accepted=accepted,
        remarks=remarks,
        screenshot=screenshot or "",
    )
    answered = _record_answers(verdict, answers)
    _audit_verdict(actor, verdict, entry, increment, answered)
    if not accepted:
        entry.outcome = ItemOutcome.REJECTED
        entry.save(update_fields=["outcome"])
        _follow_up(
            actor=actor, product=increment.product, entry=entry, verdict=verdict, answered=answered
        )
    elif entry.outcome == ItemOutcome.PENDING:
        _accept_if_all_approved(entry, increment, actor)
    _decide_increment(increment, actor)
    events.verdict_given(verdict, entry, increment.testers.values_list("pk", flat=True))
    return verdict


def _increment_entry(increment: Increment, item: BacklogItem) -> IncrementItem:
    """The item's entry in the increment, locked; DomainError when it is not part of it."""
    entry = (
        IncrementItem.objects.select_for_update(of=("self",))
        .select_related("item__product")
        .filter(increment=increment, item_id=getattr(item, "pk", item))
        .first()
    )
    if entry is None:
        raise DomainError(_("That item is not part of this increment."), field="item")
    return entry


def _judgement(
    entry: IncrementItem, *, accepted: Any, remarks: str, criteria: Any
) -> tuple[bool, str, list | None]:
    """(accepted, remarks, answers): the verdict as given, criterion by criterion or as a
    whole; a rejection always has remarks (those of the criteria not met when it has none of
    its own). DomainError when the answers contradict each other or say too little."""
    answers = None
    if criteria is not None:
        answers = _clean_answers(criteria, list(entry.item.criteria.all()))
        if not answers:
            raise DomainError(
                _("This item has no acceptance criteria: accept or reject it as a whole."),
                field="criteria",
            )
        met = all(answer["met"] for answer in answers)
        if accepted is not None and bool(accepted) != met:
            raise DomainError(
                _("An item is accepted exactly when every criterion is met."), field="accepted"
            )
        accepted = met
        if not accepted and not remarks:
            # The verdict's own remarks sum up the criteria not met, for whoever reads only
            # the verdict (the history, the audit trail, older clients).
            remarks = "\n".join(
                f"{answer['criterion'].text}: {answer['remarks']}"
                for answer in answers
                if not answer["met"]
            )
    elif accepted is None:
        raise DomainError(
            _("Say whether you accept the item, or answer each of its criteria."),
            field="accepted",
            code="required",
        )
    if not accepted and not remarks:
        raise DomainError(
            _("Say what is wrong: a rejection needs remarks."), field="remarks", code="required"
        )
    return bool(accepted), remarks, answers


def _record_answers(verdict: Verdict, answers: Any) -> list:
    """The verdict's answer per criterion, each with a copy of the criterion as it read."""
    if not answers:
        return []
    return CriterionVerdict.objects.bulk_create(
        [
            CriterionVerdict(
                verdict=verdict,
                criterion=answer["criterion"],
                position=answer["criterion"].position,
                text=answer["criterion"].text,
                met=answer["met"],
                remarks=answer["remarks"],
                screenshot=answer["screenshot"],
            )
            for answer in answers
        ]
    )


def _audit_verdict(
    actor: User, verdict: Verdict, entry: IncrementItem, increment: Increment, answered: Any
) -> None:
    audit.record(
        actor=actor,
        action="verdict.accepted" if verdict.accepted else "verdict.rejected",
        obj=verdict,
        cooperative=increment.product.cooperative,
        reason=verdict.remarks,
        changes={
            "item": [None, entry.item.reference],
            "increment": [None, increment.version],
            "accepted": [None, verdict.accepted],
            **(
                {"criteria_not_met": [None, [a.text for a in answered if not a.met]]}
                if answered
                else {}
            ),
        },
    )


def _accept_if_all_approved(entry: IncrementItem, increment: Increment, actor: User) -> None:
    """Accept the pending item once every tester still asked has accepted it."""
    asked = set(increment.testers.values_list("pk", flat=True))
    approving = set(entry.verdicts.filter(accepted=True).values_list("tester_id", flat=True))
    if not asked or not asked <= approving:
        return
    entry.outcome = ItemOutcome.ACCEPTED
    entry.save(update_fields=["outcome"])
    backlog_item = BacklogItem.objects.select_for_update(of=("self",)).get(pk=entry.item_id)
    if backlog_item.status != ItemStatus.ACCEPTED:
        old = backlog_item.status
        backlog_item.status = ItemStatus.ACCEPTED
        backlog_item.version += 1
        backlog_item.save(update_fields=["status", "version"])
        _change(
            backlog_item,
            "status",
            old,
            ItemStatus.ACCEPTED,
            actor=actor,
            sprint=_sprint_of_acceptance(backlog_item),
        )
        events.item_event(backlog_item, "item.changed")


def _follow_up(
    *, actor: User, product: Product, entry: IncrementItem, verdict: Verdict, answered: Any
) -> None:
    """The follow-up work of a rejection, at the top of the backlog."""
    original = entry.item
    failed = [answer for answer in answered if not answer.met]
    if not failed:
        # Judged as a whole: the remarks say what is wrong, and no criterion can be named.
        groups: list[tuple[list, str]] = [([], original.title)]
    elif product.follow_up_per_criterion:
        groups = [([answer], answer.text) for answer in reversed(failed)]
    else:
        groups = [(failed, original.title)]
    # At the top one after the other: the last made is on top, so per criterion they are
    # made in reverse and end up in the criteria's order.
    for answers, subject in groups:
        create_item(
            actor=actor,
            product=product,
            kind=ItemKind.BUG,
            at_top=True,
            title=(
                _("Follow-up of %(reference)s: %(title)s")
                % {"reference": original.reference, "title": subject}
            )[:200],
            description=verdict.remarks,
            acceptance_criteria=[answer.text for answer in answers],
            follows_up=answers,
            follow_up_of=verdict,
        )


def _decide_increment(increment: Increment, actor: User) -> None:
    outcomes = set(increment.increment_items.values_list("outcome", flat=True))
    if ItemOutcome.PENDING in outcomes:
        return
    increment.state = (
        IncrementState.ACCEPTED if outcomes == {ItemOutcome.ACCEPTED} else IncrementState.REJECTED
    )
    increment.decided_at = timezone.now()
    increment.save(update_fields=["state", "decided_at"])
    audit.record(
        actor=actor,
        action=f"increment.{increment.state}",
        obj=increment,
        cooperative=increment.product.cooperative,
        changes={"state": [IncrementState.SUBMITTED, increment.state]},
    )
    events.increment_decided(increment, actor=actor)


# --- a tester's draft: answers kept until they send their verdict ----------------------------
def _tester_increment(actor: User, increment: Increment) -> Increment:
    """The increment, locked, if `actor` is a tester asked to judge it and it awaits them."""
    increment = (
        Increment.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=increment.pk)
    )
    require(
        actor,
        "sprints.give_verdict",
        increment.product,
        _("Only the product's testers give verdicts, and not on a product they build or own."),
    )
    if not increment.testers.filter(pk=actor.pk).exists():
        raise NotAllowed(_("You were not asked for verdicts on this increment."))
    if increment.state != IncrementState.SUBMITTED:
        raise Conflict(
            _("This increment is not awaiting acceptance (it is %(state)s).")
            % {"state": increment.get_state_display()},
            field="increment",
        )
    return increment


def _tester_entry(
    actor: User, increment: Increment, item: BacklogItem
) -> tuple[Increment, IncrementItem]:
    """The increment (locked) and the item's entry in it, if `actor` may judge it now."""
    increment = _tester_increment(actor, increment)
    entry = (
        IncrementItem.objects.select_related("item__product")
        .filter(increment=increment, item_id=getattr(item, "pk", item))
        .first()
    )
    if entry is None:
        raise DomainError(_("That item is not part of this increment."), field="item")
    return increment, entry


@transaction.atomic
def save_answer(
    *,
    actor: User,
    increment: Increment,
    item: BacklogItem,
    criterion: Any = None,
    met: bool | None = None,
    remarks: str | None = None,
    screenshot: Any = None,
) -> DraftAnswer:
    """Keep one answer of a tester as given: on a criterion (met or not, remarks, a
    screenshot), or without a criterion on the item itself (its remarks; for an item without
    criteria also accepted or not). Nothing counts until `send_verdicts`; what is left out
    stays as it was saved before."""
    increment, entry = _tester_entry(actor, increment, item)
    if entry.verdicts.filter(tester=actor).exists():
        raise Conflict(
            _("You already gave a verdict on %(reference)s; verdicts are never edited.")
            % {"reference": entry.item.reference},
            field="item",
        )
    criterion_id = getattr(criterion, "pk", criterion)
    if criterion_id is not None and not entry.item.criteria.filter(pk=criterion_id).exists():
        raise DomainError(
            _("Criterion %(id)s is not one of this item's.") % {"id": criterion_id},
            field="criterion",
        )
    answer, _created = DraftAnswer.objects.get_or_create(
        increment_item=entry, tester=actor, criterion_id=criterion_id
    )
    if met is not None:
        answer.met = bool(met)
    if remarks is not None:
        answer.remarks = remarks.strip()
    if screenshot:
        answer.screenshot = screenshot
    answer.saved_at = timezone.now()
    answer.save()
    return answer


def _draft_problem(entry: IncrementItem, criteria: Any, answers: Any) -> str | None:
    """What still misses in a tester's draft for one item, in plain words; None when done."""
    item_answer = answers.get(None)
    if not criteria:
        if item_answer is None or item_answer.met is None:
            return _("say whether it does what it should")
        if not item_answer.met and not item_answer.remarks:
            return _("say what is wrong")
        return None
    given = [answers.get(criterion.pk) for criterion in criteria]
    if any(answer is None or answer.met is None for answer in given):
        return _("not every criterion is answered")
    if any(not answer.met and not answer.remarks for answer in given):
        return _("say what is wrong with each criterion not met")
    return None


def draft_progress(*, tester: Any, increment: Increment) -> dict[int, str | None]:
    """For each item of the increment the tester has not judged yet: what still misses in
    their draft (None when it is complete)."""
    entries = list(
        increment.increment_items.exclude(verdicts__tester=tester)
        .select_related("item")
        .prefetch_related("item__criteria")
    )
    answers: dict[int, dict[int | None, DraftAnswer]] = {}
    for answer in DraftAnswer.objects.filter(increment_item__in=entries, tester=tester):
        answers.setdefault(answer.increment_item_id, {})[answer.criterion_id] = answer
    return {
        entry.item_id: _draft_problem(
            entry, list(entry.item.criteria.all()), answers.get(entry.pk, {})
        )
        for entry in entries
    }


@transaction.atomic
def send_verdicts(*, actor: User, increment: Increment) -> list[Verdict]:
    """The moment a tester's draft counts: a verdict on every item they have not judged yet,
    made of the answers they saved. Refused, naming the items, while any is incomplete."""
    increment = _tester_increment(actor, increment)
    entries = list(
        increment.increment_items.exclude(verdicts__tester=actor)
        .select_related("item__product")
        .prefetch_related("item__criteria")
        .order_by("item__position")
    )
    if not entries:
        raise Conflict(_("You already gave a verdict on every item."), field="increment")
    answers: dict[int, dict[int | None, DraftAnswer]] = {}
    for answer in DraftAnswer.objects.filter(increment_item__in=entries, tester=actor):
        answers.setdefault(answer.increment_item_id, {})[answer.criterion_id] = answer
    unfinished = [
        entry.item
        for entry in entries
        if _draft_problem(entry, list(entry.item.criteria.all()), answers.get(entry.pk, {}))
    ]
    if unfinished:
        raise DomainError(
            ngettext(
                "You have not finished %(items)s yet.",
                "You have not finished these items yet: %(items)s.",
                len(unfinished),
            )
            % {"items": ", ".join(f"{i.reference} {i.title}" for i in unfinished)},
            field="items",
        )
    # Items another tester already rejected first: the last pending item judged decides the
    # increment, after which no verdict can be given on it.
    entries.sort(key=lambda entry: entry.outcome == ItemOutcome.PENDING)
    verdicts = []
    for entry in entries:
        mine = answers.get(entry.pk, {})
        item_answer = mine.get(None)
        criteria = list(entry.item.criteria.all())
        if criteria:
            verdict = give_verdict(
                actor=actor,
                increment=increment,
                item=entry.item,
                remarks=item_answer.remarks if item_answer else "",
                criteria=[
                    {
                        "criterion": c.pk,
                        "met": mine[c.pk].met,
                        "remarks": mine[c.pk].remarks,
                        "screenshot": mine[c.pk].screenshot.name or None,
                    }
                    for c in criteria
                ],
            )
        else:
            assert item_answer is not None  # _draft_problem refused an item without one
            verdict = give_verdict(
                actor=actor,
                increment=increment,
                item=entry.item,
                accepted=item_answer.met,
                remarks=item_answer.remarks,
                screenshot=item_answer.screenshot.name or None,
            )
        verdicts.append(verdict)
    DraftAnswer.objects.filter(increment_item__in=entries, tester=actor).delete()
    return verdicts
