"""The testers' pages: their inbox and the one page per increment, a checklist saved as given
and sent once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from deelbaar import pages
from deelbaar.errors import DomainError
from sprints import selectors, services
from sprints.forms import (
    AnswerForm,
)
from sprints.models import (
    DraftAnswer,
    Verdict,
)
from sprints.views._common import _increment, _product


def _inbox_context(request):
    return {"entries": selectors.inbox_for(request.user), "today": timezone.localdate()}


@login_required
@require_GET
def inbox(request):
    return render(request, "sprints/inbox.html", _inbox_context(request))


@login_required
@require_GET
def inbox_list(request):
    return render(request, "sprints/_inbox_list.html", _inbox_context(request))


def _judge_context(request, product, increment, *, problem=None):
    entries = list(
        increment.increment_items.select_related("item__product")
        .prefetch_related(
            Prefetch("item__criteria", queryset=selectors.CRITERIA.queryset),
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.filter(tester=request.user).prefetch_related("criteria"),
                to_attr="mine",
            ),
            Prefetch(
                "draft_answers",
                queryset=DraftAnswer.objects.filter(tester=request.user),
                to_attr="answers",
            ),
        )
        .order_by("item__position")
    )
    for entry in entries:
        entry.item.criteria_list = list(entry.item.criteria.all())
    last_time = selectors.last_time_not_met([e.item for e in entries], increment=increment)
    progress = services.draft_progress(tester=request.user, increment=increment)
    rows = []
    for entry in entries:
        answers = {a.criterion_id: a for a in entry.answers}
        criteria = [
            {
                "criterion": criterion,
                "answer": answers.get(criterion.pk),
                "last_time": last_time.get(criterion.pk),
            }
            for criterion in entry.item.criteria_list
        ]
        rows.append(
            {
                "entry": entry,
                "item": entry.item,
                "mine": entry.mine[0] if entry.mine else None,
                "criteria": criteria,
                "item_answer": answers.get(None),
                "rejected_by_another": entry.outcome == "rejected" and not entry.mine,
                "done": entry.item_id in progress and progress[entry.item_id] is None,
                "missing": progress.get(entry.item_id),
            }
        )
    judged = sum(1 for row in rows if row["mine"] or row["done"])
    return {
        "product": product,
        "section": "increments",
        "increment": increment,
        "rows": rows,
        "judged": judged,
        "total": len(rows),
        "to_send": sum(1 for row in rows if not row["mine"]),
        "problem": problem,
    }


def _tester_increment(request, product_id, increment_id):
    """The product and increment, if the person is a tester asked for verdicts on it."""
    product = _product(request, product_id)
    increment = _increment(product, increment_id)
    pages.require(request.user, "sprints.give_verdict", product)
    if not increment.testers.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    return product, increment


@login_required
@require_GET
def judge(request, product_id, increment_id):
    product, increment = _tester_increment(request, product_id, increment_id)
    return render(request, "sprints/judge.html", _judge_context(request, product, increment))


@login_required
@require_POST
def judge_answer(request, product_id, increment_id):
    """Keep one answer as given; htmx gets the saved mark and the progress back."""
    product, increment = _tester_increment(request, product_id, increment_id)
    form = AnswerForm(request.POST, request.FILES)
    page = reverse("sprints:judge", kwargs={"product_id": product.pk, "increment_id": increment.pk})
    error = None
    answer = None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        data = form.cleaned_data
        try:
            answer = services.save_answer(
                actor=request.user,
                increment=increment,
                item=data["item"],
                criterion=data["criterion"],
                met=data["met"],
                remarks=data["remarks"] if "remarks" in request.POST else None,
                screenshot=data["screenshot"],
            )
        except DomainError as problem:
            error = str(pages.shown(problem))
    target = f"answer-{request.POST.get('item', 'x')}-{request.POST.get('criterion') or 'item'}"
    if pages.is_htmx(request):
        context = _judge_context(request, product, increment)
        context.update({"target": target, "error": error, "answer": answer})
        return render(request, "sprints/_judge_saved.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect(f"{page}#{target}")


@login_required
@require_POST
def judge_send(request, product_id, increment_id):
    """The moment the tester's answers count."""
    product, increment = _tester_increment(request, product_id, increment_id)
    try:
        verdicts = services.send_verdicts(actor=request.user, increment=increment)
    except DomainError as problem:
        context = _judge_context(request, product, increment, problem=str(pages.shown(problem)))
        return render(request, "sprints/judge.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "Thank you: your verdict on %(count)s item is sent.",
            "Thank you: your verdicts on %(count)s items are sent.",
            len(verdicts),
        )
        % {"count": len(verdicts)},
    )
    return redirect(
        reverse("sprints:judge", kwargs={"product_id": product.pk, "increment_id": increment.pk})
    )
