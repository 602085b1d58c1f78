"""The sign-in backend that refuses locked-out accounts and addresses (django-axes).

axes' own backend refuses to work without a request. Every way in from outside (the login page,
the admin's, `/api/v1/auth/token/`) passes one; what calls `authenticate()` without a request
(the test client's `login()`, a management command) is not a guessing attacker, so there is
nothing to count and the next backend decides.
"""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
