"""Routes of the people registry pages."""

urlpatterns: list = []
