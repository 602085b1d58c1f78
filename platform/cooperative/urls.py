"""The cooperative pages, included under /cooperatives/."""

from django.urls import path

from cooperative import views

app_name = "cooperative"

urlpatterns = [
    path("", views.cooperative_list, name="list"),
    path("<slug:slug>/", views.cooperative_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/memberships/", views.membership_queue, name="queue"),
    path("<slug:slug>/memberships/<int:pk>/approve/", views.approve, name="approve"),
    path("<slug:slug>/memberships/<int:pk>/reject/", views.reject, name="reject"),
    path("<slug:slug>/memberships/<int:pk>/payment/", views.record_payment, name="record_payment"),
    path("<slug:slug>/audit/", views.audit_trail, name="audit"),
    path(
        "<slug:slug>/organisations/new/",
        views.register_organisation,
        name="register_organisation",
    ),
]
