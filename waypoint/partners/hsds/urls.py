"""Routes of the HSDS exchange: export and import of datapackages."""

urlpatterns: list = []
