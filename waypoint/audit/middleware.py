from .context import address_of, client_address


class AuditContextMiddleware:
    """Remember the client address for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
