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
