"""Where the current request comes from, so that services can audit without a request argument."""

from contextvars import ContextVar

client_address: ContextVar[str] = ContextVar("client_address", default="")


def address_of(request) -> str:
    """The client address as the web server saw it (REMOTE_ADDR; a proxy must set it right)."""
    if request is None:
        return client_address.get()
    return (request.META.get("REMOTE_ADDR") or "")[:45]
