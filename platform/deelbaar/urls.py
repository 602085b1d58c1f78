from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from deelbaar import health, views, work

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("my-work/", work.my_work, name="my_work"),
    path("my-work/count/", work.my_work_count, name="my_work_count"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor's pages, and sign-in with the organisation's identity provider.
    path("accounts/two-factor/", include("signin.urls")),
    path("accounts/oidc/", include("signin.oidc_urls")),
    # Password reset by e-mail (Django's views, the platform's pages and mail queue).
    path("accounts/", include("people.account_urls")),
    # An organisation's people, invitations and the page an invitation's link opens.
    path("", include("people.urls")),
    path("products/", include("sprints.urls")),
    # Before the cooperatives: it adds /cooperatives/<slug>/reuse/ beside the library.
    path("", include("solutions.urls")),
    path("", include("integrations.urls")),
    # Joining costs and requests for access (/cooperatives/<slug>/joining/, the coordinators'
    # queue) and a person's API tokens (/accounts/tokens/).
    path("", include("people.page_urls")),
    path("cooperatives/", include("cooperative.urls")),
    path("notifications/", include("notifications.urls")),
    # E-mail preferences and the unsubscribe link of every mail (notifications/mail_urls.py).
    path("notifications/", include("notifications.mail_urls")),
    # The browsable API's sign-in, outside the "api" namespace: its templates reverse
    # "rest_framework:login", which fails (a 500) under another namespace.
    path("api/v1/auth/", include("rest_framework.urls")),
    path("api/v1/", include(("deelbaar.api.urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

handler404 = "deelbaar.api.exceptions.handler404"
handler500 = "deelbaar.api.exceptions.handler500"
