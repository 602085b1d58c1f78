from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = _("Sign-in")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from deelbaar.panels import SHELL
        from signin import panels
        from signin.middleware import remember_state

        user_logged_in.connect(remember_state, dispatch_uid="signin.remember_state")
        # The identity provider's button on the login page (deelbaar/panels.py).
        SHELL.register("login", panels.identity_provider_button)
