"""The password reset form."""

from django.contrib.auth import forms as auth_forms
from django.template import loader

from deelbaar.mail import queue_mail


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending its mail through the platform's mail queue (a background
    job), so the request never waits for the mail server."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        queue_mail(to=[to_email], subject=subject, text=text, html=html)
