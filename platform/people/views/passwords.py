"""Password reset by e-mail: Django's own views, with the platform's templates and mail queue."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from people.forms.passwords import PasswordResetForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "people/password_reset_form.html"
    email_template_name = "people/mail/password_reset.txt"
    html_email_template_name = "people/mail/password_reset.html"
    subject_template_name = "people/mail/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"
