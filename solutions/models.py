"""The cooperative library: solutions, their releases, publication requests, adoptions and
reviews.

A solution's fields are those publiccode.yml (v0.2 to v0.7) needs, so a valid file can be
written from them (`solutions.publiccode`). Descriptions exist per language, Dutch and English,
because publiccode.yml keeps them per language.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solutions.vocabularies import CATEGORIES, CATEGORY_LABELS

SHORT_DESCRIPTION_MAX = 150
# The column holds 150 user-perceived characters however they are written: an accented letter
# may be two code points (a letter and a combining mark), an emoji up to seven.
SHORT_DESCRIPTION_STORED_MAX = 4 * SHORT_DESCRIPTION_MAX
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10_000
DEFAULT_LICENCE = "EUPL-1.2"
# Paths of the library beside /solutions/<slug>/: a solution's slug must not take them.
RESERVED_SLUGS = frozenset(
    {"publication-requests", "publish", "releases", "similar", "import", "new", "search"}
)


class DevelopmentStatus(models.TextChoices):
    CONCEPT = "concept", _("concept")
    DEVELOPMENT = "development", _("in development")
    BETA = "beta", _("beta")
    STABLE = "stable", _("stable")
    OBSOLETE = "obsolete", _("obsolete")


class SoftwareType(models.TextChoices):
    WEB = "standalone/web", _("web application")
    BACKEND = "standalone/backend", _("back-end service")
    DESKTOP = "standalone/desktop", _("desktop application")
    MOBILE = "standalone/mobile", _("mobile app")
    IOT = "standalone/iot", _("Internet of Things")
    OTHER = "standalone/other", _("other stand-alone software")
    ADDON = "addon", _("add-on")
    LIBRARY = "library", _("library")
    CONFIGURATION = "configurationFiles", _("configuration files")


class MaintenanceType(models.TextChoices):
    INTERNAL = "internal", _("internal")
    CONTRACT = "contract", _("under contract")
    COMMUNITY = "community", _("community")
    NONE = "none", _("not maintained")


# publiccode.yml's categories, from the standard's list (`solutions/publiccode/data/
# categories.json`, which names its version and source) with the library's words for them.
# Django's functional API with (value, label) pairs: the stubs know only the class syntax.
Category = models.TextChoices(  # type: ignore[call-overload]
    "Category",
    [(code.upper().replace("-", "_"), (code, CATEGORY_LABELS[code])) for code in CATEGORIES],
)


class Solution(models.Model):
    cooperative = models.ForeignKey(
        "cooperative.Cooperative",
        on_delete=models.PROTECT,
        related_name="solutions",
        verbose_name=_("cooperative"),
    )
    source_product = models.ForeignKey(
        "sprints.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("source product"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    short_description_nl = models.CharField(
        _("short description (Dutch)"), max_length=SHORT_DESCRIPTION_STORED_MAX, blank=True
    )
    short_description_en = models.CharField(
        _("short description (English)"), max_length=SHORT_DESCRIPTION_STORED_MAX, blank=True
    )
    long_description_nl = models.TextField(_("long description (Dutch)"), blank=True)
    long_description_en = models.TextField(_("long description (English)"), blank=True)
    # Lists of short strings, in order.
    features_nl = models.JSONField(_("features (Dutch)"), default=list, blank=True)
    features_en = models.JSONField(_("features (English)"), default=list, blank=True)
    developed_by = models.ForeignKey(
        "cooperative.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solutions_developed",
        verbose_name=_("developed by"),
    )
    licence = models.CharField(
        _("licence (SPDX expression)"), max_length=200, default=DEFAULT_LICENCE
    )
    development_status = models.CharField(
        _("development status"),
        max_length=20,
        choices=DevelopmentStatus.choices,
        default=DevelopmentStatus.DEVELOPMENT,
    )
    software_type = models.CharField(
        _("software type"), max_length=30, choices=SoftwareType.choices, default=SoftwareType.WEB
    )
    # publiccode.yml's platforms: "web", "windows", "mac", "linux", "ios", "android", ...
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    maintenance_type = models.CharField(
        _("maintenance"),
        max_length=20,
        choices=MaintenanceType.choices,
        default=MaintenanceType.INTERNAL,
    )
    # Contract: [{"name", "until" (ISO date), "email", "website"}]; the earliest "until" is
    # also kept in maintenance_until, so "maintenance ends within 90 days" is one query.
    maintenance_contractors = models.JSONField(
        _("maintenance contractors"), default=list, blank=True
    )
    # Internal and community: [{"name", "email", "phone", "affiliation"}].
    maintenance_contacts = models.JSONField(_("maintenance contacts"), default=list, blank=True)
    maintenance_until = models.DateField(_("maintained until"), null=True, blank=True)
    repository_url = models.URLField(_("repository URL"), max_length=500, blank=True)
    documentation_url = models.URLField(_("documentation URL"), max_length=500, blank=True)
    landing_url = models.URLField(_("landing page URL"), max_length=500, blank=True)
    # Open standards it follows, such as "ZGW API's" or "StUF".
    standards = models.JSONField(_("standards"), default=list, blank=True)
    # [{"name", "kind" ("open", "proprietary" or "hardware"), "version_min", "version_max"}]
    dependencies = models.JSONField(_("dependencies"), default=list, blank=True)
    # URLs or paths of images, in order.
    screenshots = models.JSONField(_("screenshots"), default=list, blank=True)
    estimated_cost = models.DecimalField(
        _("estimated development cost (euros)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Organisations with the solution in use now; kept by the adoption services (with F()) so
    # "most adopted" sorts ten thousand solutions without counting.
    adoption_count = models.PositiveIntegerField(_("adoptions in use"), default=0)
    # Kept by solutions.search on PostgreSQL (Dutch and English, weighted); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic concurrency for metadata edits: a stale write is refused.
    version = models.PositiveIntegerField(default=1)
    # Set by solutions.services.metadata on a solution read from a publiccode.yml: what the
    # older file said otherwise, for the page or the API to show; never stored.
    publiccode_upgrades: list[str]
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        indexes = [
            models.Index(fields=["cooperative", "development_status"]),
            models.Index(fields=["-created_at"], name="solution_newest"),
            models.Index(fields=["-adoption_count"], name="solution_most_adopted"),
        ]
        constraints = [
            models.CheckConstraint(
                name="solution_status_known",
                condition=Q(development_status__in=DevelopmentStatus.values),
            ),
            models.CheckConstraint(
                name="solution_maintenance_known",
                condition=Q(maintenance_type__in=MaintenanceType.values),
            ),
        ]

    def __str__(self):
        return self.name

    def short_description(self, language: str = "nl") -> str:
        if language.startswith("en"):
            return self.short_description_en or self.short_description_nl
        return self.short_description_nl or self.short_description_en


class SolutionCategory(models.Model):
    """A row per category, so facet counts are one GROUP BY on every database."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(_("category"), max_length=50, choices=Category.choices)

    class Meta:
        ordering = ["category"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "category"], name="solution_category_unique"
            ),
        ]

    def __str__(self):
        return self.get_category_display()


class Release(models.Model):
    """A published version of a solution. Versions are semantic and strictly increasing; the
    parts are kept as numbers so the newest sorts in the database (1.10.0 after 1.9.0)."""

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="releases")
    version = models.CharField(_("version"), max_length=100)
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    patch = models.PositiveIntegerField()
    # Empty for a final release, which sorts after its pre-releases.
    prerelease = models.CharField(_("pre-release"), max_length=100, blank=True)
    notes = models.TextField(_("release notes"), blank=True)
    increment = models.OneToOneField(
        "sprints.Increment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="release",
        verbose_name=_("source increment"),
    )
    # Set by the integrations app once the tag exists in the repository.
    git_tag = models.CharField(_("git tag"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["solution", "-major", "-minor", "-patch", "-published_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(fields=["solution", "version"], name="release_version_unique"),
        ]

    def __str__(self):
        return f"{self.solution.name} {self.version}"


class PublicationState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PublicationRequest(models.Model):
    """A product owner asks to publish an accepted increment; a coordinator decides. Approval
    makes the release (and, the first time, the solution)."""

    increment = models.ForeignKey(
        "sprints.Increment",
        on_delete=models.PROTECT,
        related_name="publication_requests",
        verbose_name=_("increment"),
    )
    # The solution to release into; empty when approval is to create it.
    solution = models.ForeignKey(
        Solution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publication_requests",
        verbose_name=_("solution"),
    )
    version = models.CharField(_("version"), max_length=100)
    # For a new solution: its name and short description.
    name = models.CharField(_("name"), max_length=200, blank=True)
    short_description = models.CharField(
        _("short description"), max_length=SHORT_DESCRIPTION_MAX, blank=True
    )
    # What the solution's publiccode.yml needs, named as the metadata API names it
    # (long_description_nl, categories, repository_url, licence, maintenance_*): set on the
    # solution when the request is approved, so it exports at once.
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    release = models.OneToOneField(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publication_request",
        verbose_name=_("release"),
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("publication request")
        verbose_name_plural = _("publication requests")
        constraints = [
            models.UniqueConstraint(
                fields=["increment"],
                condition=Q(state="requested"),
                name="publication_one_open_request_per_increment",
            ),
            models.CheckConstraint(
                name="publication_state_known", condition=Q(state__in=PublicationState.values)
            ),
        ]

    def __str__(self):
        return f"{self.increment} → {self.version}"


class AdoptionState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    IN_USE = "in_use", _("in use")
    STOPPED = "stopped", _("stopped")


class Adoption(models.Model):
    """An organisation reuses a solution. Made by a person of that organisation, never on
    another's behalf; only under an active membership of the solution's cooperative."""

    # Set by solutions.selectors.reuse on the adoptions it answers, never stored: inhabitants by
    # where_in_use; the newest release and the upgrade facts by own_adoptions and upgrades_for.
    inhabitants: int
    newest_release: "Release | None"
    newer_release_exists: bool
    maintenance_ends_soon: bool
    maintenance_ended: bool

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="adoptions")
    organisation = models.ForeignKey(
        "cooperative.Organisation",
        on_delete=models.PROTECT,
        related_name="adoptions",
        verbose_name=_("organisation"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AdoptionState.choices, default=AdoptionState.REQUESTED
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("release in use"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    in_use_since = models.DateField(_("in use since"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["solution", "organisation__name"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            # Stopped adoptions stay as history; one current one per organisation.
            models.UniqueConstraint(
                fields=["solution", "organisation"],
                condition=Q(state__in=["requested", "in_use"]),
                name="adoption_one_current_per_organisation",
            ),
            models.CheckConstraint(
                name="adoption_state_known", condition=Q(state__in=AdoptionState.values)
            ),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.solution}"


class Review(models.Model):
    """An organisation's review of a solution it has in use; one per organisation, which the
    organisation may revise."""

    # Set by solutions.services.adoption.review_solution on the review it returns: True for a
    # new one, False for a revision; never stored.
    was_created: bool

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="reviews")
    organisation = models.ForeignKey(
        "cooperative.Organisation",
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    pros = models.TextField(_("pros"), blank=True)
    cons = models.TextField(_("cons"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "organisation"], name="review_one_per_organisation"
            ),
            models.CheckConstraint(
                name="review_score_1_to_5", condition=Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.score}/5 — {self.solution}"


class CatalogueRow(models.Model):
    """A solution's narrow copy that the catalogue's search reads on PostgreSQL: the facet and
    sort columns, what the rank looks at (lowercased), and the distinct words (`search_text`,
    with its trigram index; not listed, as on Solution). Kept by database triggers (migration
    0012); nothing writes it. A search reads about a quarter of the blocks it read from the
    solutions' own rows, nearly 2 KB wide. Unmanaged: SQLite has no such table
    (solutions.search)."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=200)
    # lower(name), lower(short_description_nl || ' ' || short_description_en): what the rank
    # reads, lowercased once by the trigger rather than for every match of every search.
    name_lower = models.TextField()
    short_lower = models.TextField()
    development_status = models.CharField(max_length=20)
    licence = models.CharField(max_length=200)
    cooperative_id = models.BigIntegerField()
    developed_by_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    adoption_count = models.IntegerField()

    class Meta:
        managed = False
        db_table = "solutions_catalogue_row"

    def __str__(self):
        return self.name
