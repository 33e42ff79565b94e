"""Routes of the hotline statistics."""

urlpatterns: list = []
