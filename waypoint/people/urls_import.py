"""Routes of the people import pages."""

urlpatterns: list = []
