"""Routes of the people review pages."""

urlpatterns: list = []
