class NoStoreMiddleware:
    """Pages may show personal data: no browser or proxy keeps a copy (static files excepted,
    which WhiteNoise serves before this runs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than `WAYPOINT_MAX_REQUEST_BYTES` before Django reads it.

    Django writes every upload to a temporary file before any form checks its size, so without this a
    signed-in user could fill the disk with one request. The web server in front should have the same
    limit (`client_max_body_size` in nginx); this one holds when it does not."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.limit = int(getattr(settings, "WAYPOINT_MAX_REQUEST_BYTES", 50 * 1024 * 1024))

    def __call__(self, request):
        from django.http import HttpResponse
        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            message = _("The upload is too large: at most %(megabytes)d MB can be sent at once.") % {
                "megabytes": self.limit // (1024 * 1024)}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
