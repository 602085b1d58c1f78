"""Labels and epics of a product's backlog, and which of them an item carries.

Whoever may edit the backlog manages them (`sprints.manage_labels`). Each change is one
transaction, goes into the cooperative's audit trail, and is announced to the product's
viewers after the commit, as the other backlog changes are.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperative import audit
from deelbaar.errors import DomainError
from deelbaar.events import publish_on_commit
from deelbaar.permissions import require
from deelbaar.typing import User
from sprints import events
from sprints.models import BacklogItem, Epic, Label, LabelColour, Product


def _max_length(model: type[models.Model], name: str) -> int:
    """The max_length of a CharField: always set, though a field in general may lack one."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.CharField) or field.max_length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} is not a CharField with a max_length")
    return field.max_length


LABEL_NAME_MAX = _max_length(Label, "name")
EPIC_TITLE_MAX = _max_length(Epic, "title")


def _label_event(product_id: int, event: str, label_id: int) -> None:
    publish_on_commit(events.product_group(product_id), event, {"id": label_id})


def _clean_label(
    product: Product, *, name: str, colour: str, label: Label | None = None
) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the label a name."), field="name", code="required")
    if len(name) > LABEL_NAME_MAX:
        raise DomainError(
            _("A label's name is at most %(max)s characters.") % {"max": LABEL_NAME_MAX},
            field="name",
            code="max_length",
        )
    if colour not in LabelColour.values:
        raise DomainError(_("Choose one of the colours offered."), field="colour")
    # Names differ by more than their capitals: "Burger" and "burger" would be one label.
    same = Label.objects.filter(product=product, name__iexact=name)
    if label is not None:
        same = same.exclude(pk=label.pk)
    if same.exists():
        raise DomainError(
            _("This product already has a label %(name)s.") % {"name": name},
            field="name",
            code="unique",
        )
    return name, colour


def _clean_epic(*, title: str, description: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the epic a title."), field="title", code="required")
    if len(title) > EPIC_TITLE_MAX:
        raise DomainError(
            _("An epic's title is at most %(max)s characters.") % {"max": EPIC_TITLE_MAX},
            field="title",
            code="max_length",
        )
    return title, (description or "").strip()


def _audit(
    actor: User, action: str, obj: models.Model, product: Product, changes: dict[str, Any]
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        cooperative=product.cooperative,
        organisation=product.owner,
        changes=changes,
    )


# --- Labels ----------------------------------------------------------------------------------
@transaction.atomic
def create_label(
    *, actor: User, product: Product, name: str, colour: str = LabelColour.GREY
) -> Label:
    require(actor, "sprints.manage_labels", product)
    name, colour = _clean_label(product, name=name, colour=colour)
    label = Label.objects.create(product=product, name=name, colour=colour)
    _audit(actor, "label.created", label, product, {"name": [None, name], "colour": [None, colour]})
    _label_event(product.pk, "label.created", label.pk)
    return label


@transaction.atomic
def change_label(
    *, actor: User, label: Label, name: str | None = None, colour: str | None = None
) -> Label:
    """Rename a label or give it another colour; its items keep it."""
    product = label.product
    require(actor, "sprints.manage_labels", product)
    current = Label.objects.select_for_update().get(pk=label.pk)
    before = audit.snapshot(current, ["name", "colour"])
    current.name, current.colour = _clean_label(
        product,
        name=current.name if name is None else name,
        colour=current.colour if colour is None else colour,
        label=current,
    )
    current.save(update_fields=["name", "colour"])
    changes = audit.diff(before, audit.snapshot(current, ["name", "colour"]))
    if changes:
        _audit(actor, "label.changed", current, product, changes)
        _label_event(product.pk, "label.changed", current.pk)
    return current


@transaction.atomic
def delete_label(*, actor: User, label: Label) -> None:
    """Remove a label from the product and from every item that carried it."""
    product = label.product
    require(actor, "sprints.manage_labels", product)
    _audit(actor, "label.deleted", label, product, {"name": [label.name, None]})
    label_id = label.pk
    label.delete()
    _label_event(product.pk, "label.deleted", label_id)


# --- Epics -----------------------------------------------------------------------------------
@transaction.atomic
def create_epic(*, actor: User, product: Product, title: str, description: str = "") -> Epic:
    require(actor, "sprints.manage_labels", product)
    title, description = _clean_epic(title=title, description=description)
    epic = Epic.objects.create(product=product, title=title, description=description)
    _audit(actor, "epic.created", epic, product, {"title": [None, title]})
    _label_event(product.pk, "epic.created", epic.pk)
    return epic


@transaction.atomic
def change_epic(
    *, actor: User, epic: Epic, title: str | None = None, description: str | None = None
) -> Epic:
    product = epic.product
    require(actor, "sprints.manage_labels", product)
    current = Epic.objects.select_for_update().get(pk=epic.pk)
    before = audit.snapshot(current, ["title", "description"])
    current.title, current.description = _clean_epic(
        title=current.title if title is None else title,
        description=current.description if description is None else description,
    )
    current.save(update_fields=["title", "description"])
    changes = audit.diff(before, audit.snapshot(current, ["title", "description"]))
    if changes:
        _audit(actor, "epic.changed", current, product, changes)
        _label_event(product.pk, "epic.changed", current.pk)
    return current


@transaction.atomic
def delete_epic(*, actor: User, epic: Epic) -> None:
    """Remove an epic; its items stay in the backlog, without an epic."""
    product = epic.product
    require(actor, "sprints.manage_labels", product)
    _audit(actor, "epic.deleted", epic, product, {"title": [epic.title, None]})
    epic_id = epic.pk
    epic.delete()
    _label_event(product.pk, "epic.deleted", epic_id)


# --- An item's labels and epic ---------------------------------------------------------------
def _locked_item(item: BacklogItem) -> BacklogItem:
    return (
        BacklogItem.objects.select_for_update(of=("self",))
        .select_related("product__cooperative", "product__owner")
        .get(pk=item.pk)
    )


def _touch(item: BacklogItem) -> None:
    # Another version, so whoever edits the item from an older copy learns of this change.
    item.version += 1
    item.updated_at = timezone.now()
    item.save(update_fields=["version", "updated_at"])


@transaction.atomic
def set_item_labels(*, actor: User, item: BacklogItem, labels: Iterable[Label]) -> BacklogItem:
    """Give an item exactly these labels (an empty list removes them all)."""
    require(actor, "sprints.manage_labels", item.product)
    current = _locked_item(item)
    wanted = {label.pk: label for label in labels}
    foreign = [label for label in wanted.values() if label.product_id != current.product_id]
    if foreign:
        raise DomainError(
            _("The label %(name)s belongs to another product.") % {"name": foreign[0].name},
            field="labels",
        )
    before = set(current.labels.values_list("pk", flat=True))
    if before != set(wanted):
        current.labels.set(list(wanted))
        _touch(current)
        names = sorted(label.name for label in wanted.values())
        _audit(
            actor,
            "item.labels_set",
            current,
            current.product,
            {"labels": [sorted(before), sorted(wanted)], "names": [None, names]},
        )
        events.item_event(current, "item.changed")
    return current


@transaction.atomic
def set_item_epic(*, actor: User, item: BacklogItem, epic: Epic | None) -> BacklogItem:
    """Put an item in an epic, or (None) take it out of its epic."""
    require(actor, "sprints.manage_labels", item.product)
    current = _locked_item(item)
    if epic is not None and epic.product_id != current.product_id:
        raise DomainError(
            _("The epic %(title)s belongs to another product.") % {"title": epic.title},
            field="epic",
        )
    new = epic.pk if epic is not None else None
    if current.epic_id != new:
        old = current.epic_id
        current.epic = epic
        current.save(update_fields=["epic"])
        _touch(current)
        _audit(actor, "item.epic_set", current, current.product, {"epic": [old, new]})
        events.item_event(current, "item.changed")
    return current
