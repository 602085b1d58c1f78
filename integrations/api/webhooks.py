"""Placeholder until this capability is built."""

urlpatterns = []
