"""The audit trail in words: one registry of action → sentence, and `describe()` that turns a page
of records into entries a coordinator reads ("Tester Henk Verhoeven wees SUB-14 af: …").

Every action code a service writes has a sentence here; tests/cooperative/test_trail.py reads the
services' source and fails for a new action without one. The records themselves stay as they are
(append-only): everything here is worked out when the trail is read, for a whole page at once, so
a page of 50 records costs the same few queries as a page of 5.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Roles named before the actor ("Tester Henk Verhoeven ..."); lower case, capitalised in the
# sentence. They follow the README's glossary.
TESTER = pgettext_lazy("actor role", "tester")
COORDINATOR = pgettext_lazy("actor role", "coordinator")
ADMINISTRATOR = pgettext_lazy("actor role", "administrator")
TEAM_ROLES = {
    "product_owner": pgettext_lazy("actor role", "product owner"),
    "developer": pgettext_lazy("actor role", "developer"),
    "tester": TESTER,
}


@dataclass(frozen=True)
class Sentence:
    """`text` has %(who)s (role and name) and %(object)s; `kind` names the action in filters."""

    text: Promise
    kind: Promise
    # A role fixed by the action itself (only testers give verdicts); otherwise the actor's role
    # in the product's team, or coordinator of the cooperative, is looked up.
    role: Promise | None = None
    # Where the sentence finds its object's name: a change's new value, else the record's repr.
    object_from: str | None = None


S = Sentence
ACTIONS: dict[str, Sentence] = {
    # The cooperative and its memberships.
    "cooperative.created": S(
        _("%(who)s founded the cooperative %(object)s"), _("Cooperative founded")
    ),
    "cooperative.policy_changed": S(
        _("%(who)s changed the joining contribution of %(object)s"),
        _("Joining contribution changed"),
    ),
    "cooperative.coordinator_appointed": S(
        _("%(who)s appointed a coordinator of %(object)s"), _("Coordinator appointed")
    ),
    "membership.applied": S(
        _("%(who)s applied for membership: %(object)s"), _("Applied for membership")
    ),
    "membership.approved": S(
        _("%(who)s approved the membership %(object)s"), _("Membership approved")
    ),
    "membership.rejected": S(
        _("%(who)s turned down the membership %(object)s"), _("Membership turned down")
    ),
    "membership.activated": S(
        _("%(who)s recorded the payment; the membership %(object)s is active"),
        _("Payment recorded, membership active"),
    ),
    "membership.left": S(_("%(who)s ended the membership %(object)s"), _("Membership ended")),
    # Organisations and their people.
    "organisation.registered": S(
        _("%(who)s put %(object)s on Deelbaar"), _("Organisation registered")
    ),
    "organisation.changed": S(
        _("%(who)s changed the details of %(object)s"), _("Organisation changed")
    ),
    "organisation.person_added": S(
        _("%(who)s added %(object)s to the organisation"), _("Person added")
    ),
    "organisation.role_changed": S(
        _("%(who)s changed the role of %(object)s"), _("Person's role changed")
    ),
    "organisation.person_removed": S(
        _("%(who)s removed %(object)s from the organisation"), _("Person removed")
    ),
    "access.requested": S(_("%(who)s asked for access: %(object)s"), _("Access requested")),
    "access.approved": S(_("%(who)s gave access: %(object)s"), _("Access given")),
    "access.declined": S(
        _("%(who)s declined the request for access %(object)s"), _("Access declined")
    ),
    "invitation.sent": S(_("%(who)s invited %(object)s"), _("Invitation sent")),
    "invitation.resent": S(
        _("%(who)s sent the invitation to %(object)s again"), _("Invitation sent again")
    ),
    "invitation.revoked": S(
        _("%(who)s withdrew the invitation to %(object)s"), _("Invitation withdrawn")
    ),
    "invitation.accepted": S(
        _("%(who)s accepted the invitation %(object)s"), _("Invitation accepted")
    ),
    "people.token_issued": S(_("%(who)s made the access key %(object)s"), _("Access key made")),
    "people.token_revoked": S(
        _("%(who)s revoked the access key %(object)s"), _("Access key revoked")
    ),
    # Products, their teams, sprints and deliveries.
    "product.created": S(_("%(who)s started the product %(object)s"), _("Product started")),
    "product.changed": S(_("%(who)s changed the product %(object)s"), _("Product changed")),
    "product.owner_changed": S(
        _("%(who)s handed over %(object)s to another product owner"), _("Product owner changed")
    ),
    "product.team_member_added": S(
        _("%(who)s added a member to the team of %(object)s"), _("Team member added")
    ),
    "product.team_role_changed": S(
        _("%(who)s changed a role in the team of %(object)s"), _("Team role changed")
    ),
    "product.team_member_removed": S(
        _("%(who)s removed a member from the team of %(object)s"), _("Team member removed")
    ),
    "item.assigned": S(_("%(who)s changed who works on %(object)s"), _("Item assigned")),
    "sprint.planned": S(_("%(who)s planned %(object)s"), _("Sprint planned")),
    "sprint.started": S(_("%(who)s started %(object)s"), _("Sprint started")),
    "sprint.review": S(_("%(who)s finished %(object)s: on to the review"), _("Sprint to review")),
    "sprint.closed": S(_("%(who)s closed %(object)s"), _("Sprint closed")),
    "increment.created": S(
        _("%(who)s put together the delivery %(object)s"), _("Delivery put together")
    ),
    "increment.submitted": S(
        _("%(who)s asked the testers to judge the delivery %(object)s"),
        _("Delivery sent to testers"),
    ),
    "increment.tester_withdrawn": S(
        _("%(who)s took a tester off the delivery %(object)s"), _("Tester taken off a delivery")
    ),
    "increment.accepted": S(_("The delivery %(object)s was accepted"), _("Delivery accepted")),
    "increment.rejected": S(
        _("The delivery %(object)s was not accepted"), _("Delivery not accepted")
    ),
    "verdict.accepted": S(_("%(who)s accepted %(object)s"), _("Item accepted"), TESTER, "item"),
    "verdict.rejected": S(_("%(who)s rejected %(object)s"), _("Item rejected"), TESTER, "item"),
    # The library.
    "publication.requested": S(
        _("%(who)s asked to publish %(object)s"), _("Publication requested")
    ),
    "publication.approved": S(
        _("%(who)s approved the publication %(object)s"), _("Publication approved")
    ),
    "publication.rejected": S(
        _("%(who)s turned down the publication %(object)s"), _("Publication turned down")
    ),
    "publication.withdrawn": S(
        _("%(who)s withdrew the publication %(object)s"), _("Publication withdrawn")
    ),
    "solution.created": S(_("%(who)s added %(object)s to the library"), _("Solution added")),
    "solution.updated": S(
        _("%(who)s changed the description of %(object)s"), _("Solution changed")
    ),
    "solution.imported": S(
        _("%(who)s read in the publiccode.yml of %(object)s"), _("publiccode.yml read in")
    ),
    "release.published": S(_("%(who)s published version %(object)s"), _("Version published")),
    "release.recorded": S(_("%(who)s recorded version %(object)s"), _("Version recorded")),
    "adoption.requested": S(_("%(who)s announced the use of %(object)s"), _("Use announced")),
    "adoption.in_use": S(_("%(who)s put %(object)s into use"), _("In use")),
    "adoption.upgraded": S(
        _("%(who)s moved %(object)s to a newer version"), _("Moved to a newer version")
    ),
    "adoption.stopped": S(_("%(who)s stopped using %(object)s"), _("Use stopped")),
    "review.created": S(_("%(who)s wrote a review of %(object)s"), _("Review written")),
    "review.revised": S(_("%(who)s revised a review of %(object)s"), _("Review revised")),
    # Source code and webhooks.
    "repository.linked": S(_("%(who)s linked the source code %(object)s"), _("Source code linked")),
    "repository.access_token_changed": S(
        _("%(who)s changed the access key of the source code %(object)s"),
        _("Source code key changed"),
    ),
    "repository.unlinked": S(
        _("%(who)s unlinked the source code %(object)s"), _("Source code unlinked")
    ),
    "integrations.webhook_created": S(
        _("%(who)s added the webhook %(object)s"), _("Webhook added")
    ),
    "integrations.webhook_changed": S(
        _("%(who)s changed the webhook %(object)s"), _("Webhook changed")
    ),
    "integrations.webhook_secret_rotated": S(
        _("%(who)s gave the webhook %(object)s a new secret"), _("Webhook secret renewed")
    ),
    "integrations.webhook_deleted": S(
        _("%(who)s removed the webhook %(object)s"), _("Webhook removed")
    ),
    "integrations.webhook_redelivered": S(
        _("%(who)s sent a message of the webhook %(object)s again"), _("Webhook message sent again")
    ),
}
del S

# An action this registry does not know yet (an old record, a test's own) still reads as a sentence.
UNKNOWN = Sentence(_("%(who)s: %(action)s on %(object)s"), _("Other change"))


def sentence_of(action: str) -> Sentence:
    return ACTIONS.get(action, UNKNOWN)


def kind_label(action: str) -> str:
    known = ACTIONS.get(action)
    return str(known.kind) if known else action


# --- Readable values -------------------------------------------------------------------------
def _field(model, name):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _date_text(value) -> str | None:
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    moment = parse_datetime(value) if len(value) > 10 else None
    if moment is not None:
        from deelbaar.templatetags.deelbaar_dates import long_datetime

        return long_datetime(moment)
    try:
        day = parse_date(value)
    except ValueError:
        return None
    return formats.date_format(day, "j F Y") if day else None


def readable(value, model_field=None) -> str:
    """A stored value as people read it: ja/nee, a choice's label, a Dutch long date."""
    if value is None or value == "" or value == []:
        return _g("(none)")
    if isinstance(value, bool):
        return _g("yes") if value else _g("no")
    if isinstance(value, list):
        return ", ".join(readable(item, model_field) for item in value)
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    if isinstance(model_field, models.DecimalField):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = model_field.decimal_places or 0
        return formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    dated = _date_text(value)
    if dated:
        return dated
    if isinstance(model_field, models.ForeignKey) and isinstance(value, int):
        return f"#{value}"
    return str(value)


# Changes whose key names no model field, with the words they stand for.
EXTRA_LABELS = {
    "item": _("item"),
    "increment": _("delivery"),
    "criteria_not_met": _("criteria not met"),
    "delivery": _("message"),
    "first_admin": _("first administrator"),
}


# Changes whose values are people, stored by their login name (a user name does not change
# its meaning later): read as the person's full name, looked up for a whole page at once.
PEOPLE_FIELDS = {"assignee", "product_owner", "testers", "coordinator", "person"}


def _usernames(value) -> set[str]:
    """The login names in a stored value: one, a list, or several joined with ", "."""
    if isinstance(value, list):
        return {name for item in value for name in _usernames(item)}
    if isinstance(value, str) and value:
        return set(value.split(", "))
    return set()


def _people(records) -> dict[str, str]:
    """{login name: full name} for every person a change on these records names (one query)."""
    wanted = set()
    for record in records:
        for name, pair in (record.changes or {}).items():
            if name in PEOPLE_FIELDS:
                wanted |= _usernames(pair)
    if not wanted:
        return {}
    people = {}
    for username, first, last in (
        get_user_model()
        .objects.filter(username__in=wanted)
        .values_list("username", "first_name", "last_name")
    ):
        people[username] = f"{first} {last}".strip() or username
    return people


def _named(value, people):
    if isinstance(value, list):
        return [_named(item, people) for item in value]
    if isinstance(value, str) and value:
        return ", ".join(people.get(name, name) for name in value.split(", "))
    return value


def changes_of(record, model, people=None) -> list[dict]:
    changes = []
    for name, pair in (record.changes or {}).items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if name in PEOPLE_FIELDS and people:
            before, after = _named(before, people), _named(after, people)
        model_field = _field(model, name)
        label = getattr(model_field, "verbose_name", None) or EXTRA_LABELS.get(name) or name
        changes.append(
            {
                "field": name,
                "label": str(label),
                "before": readable(before, model_field),
                "after": readable(after, model_field),
                "added": before is None or before == "" or before == [],
            }
        )
    return changes


# --- Objects: their product (for the actor's team role) and their page ----------------------
def _product_of(model_name, obj):
    if model_name in {"product"}:
        return obj.pk
    if model_name == "verdict":
        return obj.increment_item.increment.product_id
    return getattr(obj, "product_id", None)


def _url(model_name, obj, visible_products):
    """The object's page, when the reader may open it; None otherwise."""
    try:
        product_id = _product_of(model_name, obj)
        if product_id is not None and product_id not in visible_products:
            return None
        if model_name == "product":
            return reverse("sprints:backlog", kwargs={"product_id": obj.pk})
        if model_name == "backlogitem":
            return reverse(
                "sprints:item_detail", kwargs={"product_id": obj.product_id, "item_id": obj.pk}
            )
        if model_name == "sprint":
            return reverse(
                "sprints:sprint_board", kwargs={"product_id": obj.product_id, "number": obj.number}
            )
        if model_name == "increment":
            return reverse(
                "sprints:acceptance", kwargs={"product_id": obj.product_id, "increment_id": obj.pk}
            )
        if model_name == "verdict":
            increment = obj.increment_item.increment
            return reverse(
                "sprints:acceptance",
                kwargs={"product_id": increment.product_id, "increment_id": increment.pk},
            )
        if model_name in {"cooperative"}:
            return reverse("cooperative:detail", kwargs={"slug": obj.slug})
        if model_name == "membership":
            return reverse("cooperative:queue", kwargs={"slug": obj.cooperative.slug})
        if model_name == "solution":
            return reverse("solutions:detail", kwargs={"slug": obj.slug})
        if model_name in {"release", "adoption", "review"}:
            return reverse("solutions:detail", kwargs={"slug": obj.solution.slug})
    except (NoReverseMatch, AttributeError):
        return None
    return None


# What to read along with each kind of object, so that naming it costs no further query.
RELATED = {
    "verdict": ["increment_item__increment"],
    "membership": ["cooperative"],
    "release": ["solution"],
    "adoption": ["solution"],
    "review": ["solution"],
}


@dataclass
class Entry:
    record: object
    sentence: str
    sentence_html: str
    kind: str
    who: str
    role: str
    actor_name: str
    organisation: str
    url: str | None
    # What the sentence names ("SUB-14", not a verdict's "✓ tester"), and the organisation's id
    # (the record's own, else the actor's, as `organisation` is found).
    subject: str = ""
    organisation_id: int | None = None
    changes: list = field(default_factory=list)


def _objects(records):
    """Per (content type id, object id) the object, read with one query per kind of object."""
    wanted: dict[int, set] = {}
    for record in records:
        wanted.setdefault(record.object_type_id, set()).add(record.object_id)
    objects = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        queryset = model._base_manager.all()
        related = RELATED.get(model._meta.model_name)
        if related:
            queryset = queryset.select_related(*related)
        keys = []
        for value in ids:
            try:
                keys.append(model._meta.pk.to_python(value))
            except ValidationError:
                continue  # an id that cannot be this kind's (a test's own record)
        for obj in queryset.filter(pk__in=keys):
            objects[(type_id, str(obj.pk))] = obj
    return objects


def _no_team_roles(user_ids, product_ids) -> dict:
    return {}


def _no_products(viewer) -> set:
    return set()


# What the trail knows of products: nothing, until the sprints app (a layer above this one)
# hands in its readers from its `AppConfig.ready()` with `register_products`.
_products = {"team_roles": _no_team_roles, "visible_to": _no_products}


def register_products(*, team_roles, visible_to) -> None:
    """`team_roles(user_ids, product_ids)` answers {(user_id, product_id): role};
    `visible_to(viewer)` the ids of the products `viewer` may open."""
    _products.update(team_roles=team_roles, visible_to=visible_to)


def describe(records, viewer) -> list[Entry]:
    """The records as entries in words, for `viewer` (whose rights decide the links)."""
    from cooperative.models import Affiliation, Coordinator

    records = list(records)
    if not records:
        return []
    objects = _objects(records)
    actor_ids = {r.actor_id for r in records if r.actor_id}
    # An actor's organisation fills in what the record left empty (most product work does).
    organisations = {}
    for user_id, organisation_id, name in (
        Affiliation.objects.filter(user_id__in=actor_ids)
        .order_by("pk")
        .values_list("user_id", "organisation_id", "organisation__name")
    ):
        organisations.setdefault(user_id, (organisation_id, name))
    people = _people(records)
    coordinators = set(
        Coordinator.objects.filter(
            user_id__in=actor_ids, cooperative_id__in={r.cooperative_id for r in records}
        ).values_list("user_id", "cooperative_id")
    )
    products = {}
    for record in records:
        obj = objects.get((record.object_type_id, record.object_id))
        if obj is not None:
            products[record.pk] = _product_of(record.object_type.model, obj)
    team = _products["team_roles"](actor_ids, {p for p in products.values() if p})
    visible_products = _products["visible_to"](viewer)
    administrators = set(
        get_user_model()
        .objects.filter(pk__in=actor_ids, is_superuser=True)
        .values_list("pk", flat=True)
    )

    entries = []
    for record in records:
        model_name = record.object_type.model
        sentence = sentence_of(record.action)
        obj = objects.get((record.object_type_id, record.object_id))
        actor_name = record.actor_name
        role = ""
        if record.actor_id:
            role = sentence.role or TEAM_ROLES.get(
                team.get((record.actor_id, products.get(record.pk)))
            )
            if not role and (record.actor_id, record.cooperative_id) in coordinators:
                role = COORDINATOR
            if not role and record.actor_id in administrators:
                role = ADMINISTRATOR
            role = str(role or "")
        if actor_name:
            who = f"{role.capitalize()} {actor_name}" if role else actor_name
        else:
            who = _g("Deelbaar")
        subject = record.object_repr
        if sentence.object_from and isinstance(record.changes.get(sentence.object_from), list):
            subject = str(record.changes[sentence.object_from][1] or subject)
        text = str(sentence.text) % {"who": who, "object": subject, "action": record.action}
        url = _url(model_name, obj, visible_products) if obj is not None else None
        # On the page the object's name in the sentence is its link (everything else escaped).
        linked = format_html('<a class="utrecht-link" href="{}">{}</a>', url, subject)
        html = escape(str(sentence.text)) % {
            "who": escape(who),
            "object": linked if url else escape(subject),
            "action": escape(record.action),
        }
        if record.reason:
            text = f"{text}: {record.reason}"
            html = f"{html}: {escape(record.reason)}"
        organisation_id, organisation = (
            (record.organisation_id, record.organisation.name)
            if record.organisation_id
            else organisations.get(record.actor_id, (None, ""))
        )
        entries.append(
            Entry(
                record=record,
                sentence=text,
                sentence_html=mark_safe(html),  # noqa: S308  (its parts are escaped above)
                kind=kind_label(record.action),
                who=who,
                role=role,
                actor_name=actor_name,
                organisation=organisation or "",
                url=url,
                changes=changes_of(record, record.object_type.model_class(), people),
                subject=subject,
                organisation_id=organisation_id,
            )
        )
    return entries
