"""Routes of the printable directory."""

urlpatterns: list = []
