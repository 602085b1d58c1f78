"""Password reset by e-mail, under /accounts/ beside the login page. Django's own views under
their own URL names (which they reverse without a namespace), with the platform's templates."""

from django.urls import path

from people.views import passwords as views

urlpatterns = [
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
