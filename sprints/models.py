"""Products, their ordered backlog, sprints, increments and user acceptance."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperative.models import Cooperative, Organisation

ESTIMATES = (0, 1, 2, 3, 5, 8, 13, 20, 40, 100)
KEY_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"


class Product(models.Model):
    """An app under development by a pilot organisation, in sprints."""

    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("cooperative"),
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_products",
        verbose_name=_("owning pilot organisation"),
    )
    participants = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="participating_products",
        verbose_name=_("participating organisations"),
    )
    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(
        _("key"),
        max_length=10,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                _(
                    "A key is 2 to 10 capital letters or digits, "
                    "starting with a letter, such as SUB."
                ),
            )
        ],
        help_text=_("Prefix of the item references, such as SUB in SUB-42."),
    )
    vision = models.TextField(_("vision"), blank=True)
    # The product owner's choice, read when a tester rejects an item: one follow-up item per
    # criterion not met, or (the default) one per rejected item listing all of them.
    follow_up_per_criterion = models.BooleanField(
        _("one follow-up per criterion not met"),
        default=False,
        help_text=_(
            "When a tester finds criteria not met, make a follow-up item for each criterion "
            "instead of one for the whole item."
        ),
    )
    sprint_length_days = models.PositiveSmallIntegerField(
        _("sprint length (days)"),
        default=14,
        validators=[MinValueValidator(7), MaxValueValidator(28)],
    )
    # The last item number handed out; incremented under a row lock so references are
    # gapless and unique.
    last_item_number = models.PositiveIntegerField(default=0, editable=False)
    # How many items are in the backlog (not in a sprint, not accepted): the backlog's pages
    # count with it instead of scanning the backlog. Kept by the database's triggers on the
    # items (migration 0002), whoever writes them.
    backlog_size = models.PositiveIntegerField(default=0, editable=False)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TeamMember",
        related_name="products",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Raised by every edit of the product's own fields: the API's ETag, so two people editing
    # the product at once cannot overwrite each other unseen (If-Match, 412).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "key"], name="product_key_unique"),
            models.CheckConstraint(name="product_key_format", condition=Q(key__regex=KEY_PATTERN)),
            models.CheckConstraint(
                name="sprint_length_one_to_four_weeks",
                condition=Q(sprint_length_days__gte=7, sprint_length_days__lte=28),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key})"


class TeamRole(models.TextChoices):
    PRODUCT_OWNER = "product_owner", _("product owner")
    DEVELOPER = "developer", _("developer")
    TESTER = "tester", _("tester")


class TeamMember(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["product", "user", "role"], name="one_role_once"),
            models.CheckConstraint(name="team_role_known", condition=Q(role__in=TeamRole.values)),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}, {self.product}"


class ItemKind(models.TextChoices):
    STORY = "story", _("story")
    BUG = "bug", _("bug")
    CHORE = "chore", _("chore")
    SPIKE = "spike", _("spike")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("open")
    TODO = "todo", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    ACCEPTED = "accepted", _("accepted")


class SprintState(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("active")
    REVIEW = "review", _("in review")
    CLOSED = "closed", _("closed")


class Sprint(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sprints")
    number = models.PositiveIntegerField(_("number"))
    goal = models.TextField(_("goal"), blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    state = models.CharField(
        _("state"), max_length=10, choices=SprintState.choices, default=SprintState.PLANNED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The points accepted in the sprint, fixed when it closes: an item accepted later counts
    # toward the sprint running when it is accepted, never changing a closed sprint's figure.
    velocity = models.PositiveIntegerField(_("velocity"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["product", "number"]
        verbose_name = _("sprint")
        verbose_name_plural = _("sprints")
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="sprint_number_unique"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(state="active"),
                name="one_active_sprint",
                violation_error_message=_("This product already has an active sprint."),
            ),
            models.CheckConstraint(
                name="sprint_ends_after_start", condition=Q(end__gt=models.F("start"))
            ),
            models.CheckConstraint(
                name="sprint_state_known", condition=Q(state__in=SprintState.values)
            ),
        ]

    def __str__(self):
        return f"{self.product.key} sprint {self.number}"


class LabelColour(models.TextChoices):
    """A fixed palette: light backgrounds that all carry the same dark text at well above
    the AA contrast (4.5:1), so no colour a product owner picks makes a label unreadable."""

    GREY = "grey", _("grey")
    BLUE = "blue", _("blue")
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")
    PURPLE = "purple", _("purple")
    TEAL = "teal", _("blue-green")


# Background of each colour; the text on all of them is LABEL_TEXT (contrast 11:1 or more).
LABEL_BACKGROUNDS = {
    LabelColour.GREY: "#e6e6e6",
    LabelColour.BLUE: "#cfe3f7",
    LabelColour.GREEN: "#d3ecd5",
    LabelColour.YELLOW: "#fbefb6",
    LabelColour.ORANGE: "#fddcc0",
    LabelColour.RED: "#f9d0d0",
    LabelColour.PURPLE: "#e5d6f2",
    LabelColour.TEAL: "#c9ecea",
}
LABEL_TEXT = "#1a1a1a"


class Label(models.Model):
    """A word a product's team puts on items to find them again (an item may have several)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("name"), max_length=50)
    colour = models.CharField(
        _("colour"), max_length=10, choices=LabelColour.choices, default=LabelColour.GREY
    )

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="label_name_unique"),
            models.CheckConstraint(
                name="label_colour_known", condition=Q(colour__in=LabelColour.values)
            ),
            models.CheckConstraint(name="label_has_name", condition=~Q(name="")),
        ]

    def __str__(self):
        return self.name


class Epic(models.Model):
    """A larger piece of work split into items; an item belongs to at most one epic."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="epics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["product", "title", "id"]
        verbose_name = _("epic")
        verbose_name_plural = _("epics")
        constraints = [
            models.CheckConstraint(name="epic_has_title", condition=~Q(title="")),
        ]

    def __str__(self):
        return self.title


class BacklogItem(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.STORY
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    estimate = models.PositiveSmallIntegerField(
        _("estimate (points)"), null=True, blank=True, choices=[(e, str(e)) for e in ESTIMATES]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    # The item's place in the product's one ordered list; lower comes first. Moves happen
    # under a lock on the product, so positions stay a strict order.
    position = models.BigIntegerField(_("position"))
    sprint = models.ForeignKey(
        Sprint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("sprint"),
    )
    # Who works on the item now: one member of the product's team (developer or product
    # owner), or nobody. Set through `assign_item`, which checks the team.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_items",
        verbose_name=_("assignee"),
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="items", verbose_name=_("labels")
    )
    # Deleting an epic leaves its items in the backlog, without an epic.
    epic = models.ForeignKey(
        Epic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("epic"),
    )
    follow_up_of = models.ForeignKey(
        "Verdict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["product", "position"]
        verbose_name = _("backlog item")
        verbose_name_plural = _("backlog items")
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="item_reference_unique"),
            models.UniqueConstraint(fields=["product", "position"], name="item_position_unique"),
            models.CheckConstraint(name="item_kind_known", condition=Q(kind__in=ItemKind.values)),
            models.CheckConstraint(
                name="item_status_known", condition=Q(status__in=ItemStatus.values)
            ),
            models.CheckConstraint(
                name="item_estimate_allowed",
                condition=Q(estimate__isnull=True) | Q(estimate__in=ESTIMATES),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.product.key}-{self.number}"

    @property
    def acceptance_criteria(self) -> list[str]:
        """The criteria's texts in order. Read once and kept with the item (as a prefetch
        would), so the events, the checks and the answer of one request share one query."""
        if "criteria" not in getattr(self, "_prefetched_objects_cache", {}):
            models.prefetch_related_objects([self], "criteria")
        return [criterion.text for criterion in self.criteria.all()]

    @property
    def is_ready(self) -> bool:
        return bool(self.acceptance_criteria) and self.estimate is not None


class AcceptanceCriterion(models.Model):
    """One acceptance criterion of an item: its own row, so a verdict can name it and a
    follow-up can point back at the criterion that was not met. Edited in place: its id
    stays while its text or place changes."""

    item = models.ForeignKey(BacklogItem, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("criterion"))
    # On a follow-up item: the verdict on the criterion that was not met, which this one
    # copies. A re-test shows what was said then.
    follows_up = models.ForeignKey(
        "CriterionVerdict",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_criteria",
        verbose_name=_("follows up"),
    )

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")
        constraints = [
            models.CheckConstraint(name="criterion_has_text", condition=~Q(text="")),
        ]

    def __str__(self):
        return self.text


class ItemChange(models.Model):
    """One recorded change of an item's status, estimate or sprint: the source of the charts."""

    item = models.ForeignKey(BacklogItem, on_delete=models.CASCADE, related_name="changes")
    sprint = models.ForeignKey(
        Sprint, on_delete=models.CASCADE, null=True, blank=True, related_name="item_changes"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    field = models.CharField(max_length=20)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    # The item's estimate just after the change, so charts need nothing but this history.
    points = models.PositiveSmallIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item_id} {self.field}: {self.old} -> {self.new}"


class IncrementState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting acceptance")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not accepted")


class Increment(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="increments")
    sprint = models.ForeignKey(
        Sprint, on_delete=models.PROTECT, null=True, blank=True, related_name="increments"
    )
    version = models.CharField(_("version"), max_length=50)
    release_notes = models.TextField(_("release notes"), blank=True)
    git_ref = models.CharField(_("git reference"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=IncrementState.choices, default=IncrementState.DRAFT
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    testers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="increments_to_test",
        verbose_name=_("testers asked"),
    )
    items = models.ManyToManyField(BacklogItem, through="IncrementItem", related_name="increments")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "-created_at"]
        verbose_name = _("increment")
        verbose_name_plural = _("increments")
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="increment_version_unique"),
            models.CheckConstraint(
                name="increment_state_known", condition=Q(state__in=IncrementState.values)
            ),
        ]

    def __str__(self):
        return f"{self.product.name} {self.version}"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("awaiting verdicts")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class IncrementItem(models.Model):
    increment = models.ForeignKey(
        Increment, on_delete=models.CASCADE, related_name="increment_items"
    )
    item = models.ForeignKey(BacklogItem, on_delete=models.PROTECT, related_name="increment_items")
    outcome = models.CharField(
        max_length=10, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )

    class Meta:
        ordering = ["increment", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["increment", "item"], name="item_once_per_increment"),
        ]

    def __str__(self):
        return f"{self.increment} / {self.item_id}: {self.outcome}"


class Verdict(models.Model):
    """A tester's judgement of one item in one increment. Never edited; a later increment's
    verdict on the same item supersedes it."""

    increment_item = models.ForeignKey(
        IncrementItem, on_delete=models.PROTECT, related_name="verdicts"
    )
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts"
    )
    accepted = models.BooleanField(_("accepted"))
    remarks = models.TextField(_("remarks"), blank=True)
    screenshot = models.FileField(_("screenshot"), upload_to="verdicts/%Y/%m/", blank=True)
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        constraints = [
            models.UniqueConstraint(
                fields=["increment_item", "tester"], name="one_verdict_per_tester"
            ),
            models.CheckConstraint(
                name="rejection_has_remarks", condition=Q(accepted=True) | ~Q(remarks="")
            ),
        ]

    def __str__(self):
        return f"{'✓' if self.accepted else '✗'} {self.tester}"


class CriterionVerdict(models.Model):
    """A tester's answer on one criterion, part of a verdict: met, or not met and why. The
    criterion's text is copied, so the verdict still reads right after the criterion changes."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(
        AcceptanceCriterion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verdicts",
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("criterion"))
    met = models.BooleanField(_("met"))
    remarks = models.TextField(_("remarks"), blank=True)
    screenshot = models.FileField(_("screenshot"), upload_to="verdicts/%Y/%m/", blank=True)

    class Meta:
        ordering = ["verdict", "position", "id"]
        verbose_name = _("verdict on a criterion")
        verbose_name_plural = _("verdicts on criteria")
        constraints = [
            models.CheckConstraint(
                name="unmet_criterion_has_remarks", condition=Q(met=True) | ~Q(remarks="")
            ),
        ]

    def __str__(self):
        return f"{'✓' if self.met else '✗'} {self.text}"


class DraftAnswer(models.Model):
    """A tester's answer kept while they work through an increment, counted only when they
    send their verdict. One row per criterion; the row without a criterion holds the item's
    own remarks (and, for an item without criteria, the answer on the whole item)."""

    increment_item = models.ForeignKey(
        IncrementItem, on_delete=models.CASCADE, related_name="draft_answers"
    )
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draft_answers"
    )
    criterion = models.ForeignKey(
        AcceptanceCriterion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="draft_answers",
    )
    met = models.BooleanField(null=True)
    remarks = models.TextField(blank=True)
    screenshot = models.FileField(upload_to="verdicts/%Y/%m/", blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["increment_item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["increment_item", "tester", "criterion"],
                name="one_draft_answer_per_criterion",
            ),
            models.UniqueConstraint(
                fields=["increment_item", "tester"],
                condition=Q(criterion__isnull=True),
                name="one_draft_answer_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.tester_id} {self.increment_item_id} {self.criterion_id}: {self.met}"
