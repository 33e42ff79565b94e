"""The HSDA API's routes (namespace `hsda`), mounted at /api/hsda/ by the project's URLs."""

from .hsda import hsda

urlpatterns, _ninja_app, _namespace = hsda.urls
app_name = "hsda"
