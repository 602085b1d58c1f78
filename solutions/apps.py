from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "solutions"
    verbose_name = _("Solutions")

    def ready(self):
        from solutions import panels
        from solutions.selectors import similar_to
        from sprints import hooks

        # The new-product form shows solutions like the one being proposed (sprints/hooks.py).
        hooks.register(similar_solutions=similar_to)
        # On the increment list, the way to request an increment's publication.
        hooks.register_panel("increment_actions", panels.publication_link)
