"""The sign-in backend that refuses locked-out accounts and addresses (django-axes).

axes' own backend refuses to work without a request. Every way in from outside (the login page,
the admin's, `/api/v1/auth/token/`) passes one; what calls `authenticate()` without a request
(the test client's `login()`, a management command) is not a guessing attacker, so there is
nothing to count and the next backend decides.
"""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class EmailOrUsernameBackend(ModelBackend):
    """Django's password sign-in, by user name or by e-mail address: accounts made from an
    invitation get a user name of their own (addresses are not shown to others), and their
    people know the address they were invited at. An address shared by several accounts signs
    no one in by address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            User = get_user_model()
            if not User.objects.filter(username__iexact=username).exists():
                matches = list(User.objects.filter(email__iexact=username.strip())[:2])
                if len(matches) == 1:
                    username = matches[0].get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
