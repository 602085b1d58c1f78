from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from deelbaar.events import event_published
        from integrations import dispatch, panels
        from integrations.selectors import repositories
        from integrations.services import releases
        from sprints import hooks

        # Outgoing webhooks follow the platform's own events (see integrations/dispatch.py).
        event_published.connect(dispatch.on_event_published, dispatch_uid="integrations.webhooks")
        # A git tag and changelog for each published release (integrations/services/releases.py).
        event_published.connect(
            releases.on_event_published, dispatch_uid="integrations.release_tags"
        )
        # What sprints and solutions ask of the repositories (sprints/hooks.py). Looked up at
        # each call, so a test that replaces the selector replaces what sprints calls too.
        hooks.register(
            git_ref_problem=lambda product, ref: repositories.git_ref_problem(product, ref),
            repository_url=lambda product: repositories.repository_url(product),
            git_refs=lambda product: repositories.git_refs_for_product(product),
        )
        # The commits on an item's page, the increment list and the acceptance page.
        hooks.register_panel("item", panels.item_commits)
        hooks.register_panel("increment", panels.increment_commits)
        hooks.register_panel("acceptance", panels.acceptance_commits)
