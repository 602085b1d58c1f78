"""The people pages: an organisation's people, invitations and accepting one."""

from django.urls import path

from people.views import people as views

app_name = "people"

urlpatterns = [
    path(
        "organisations/<int:organisation_id>/people/",
        views.organisation_people,
        name="organisation_people",
    ),
    path(
        "organisations/<int:organisation_id>/people/<int:user_id>/role",
        views.change_role,
        name="change_role",
    ),
    path(
        "organisations/<int:organisation_id>/people/<int:user_id>/remove",
        views.remove_person,
        name="remove_person",
    ),
    path("products/<int:product_id>/invite/", views.invite_to_team, name="invite_to_team"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/resend", views.resend_invitation, name="resend"),
    path("invitations/<int:invitation_id>/revoke", views.revoke_invitation, name="revoke"),
    # The link in the mail: the token, nothing else (no id to guess with).
    path("invitations/accept/<str:token>/", views.accept, name="accept"),
    path(
        "invitations/accept/<str:token>/identity-provider",
        views.accept_with_identity_provider,
        name="accept_with_identity_provider",
    ),
]
