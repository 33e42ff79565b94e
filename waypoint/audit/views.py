from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from waypoint.accounts import policy

from .forms import TrailFilterForm
from .models import Action, AuditEvent
from .services import record


@login_required
def trail(request):
    """The data protection officer's view of the trail, filtered by user, object and date."""
    policy.require(request.user, policy.VIEW_AUDIT_TRAIL, request=request)
    events = policy.scope(request.user, AuditEvent.objects.all())
    form = TrailFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events.order_by("-id"), 50).get_page(request.GET.get("page"))
    # Read the page now: evaluated while rendering, it would already hold the event recorded
    # below and, being sliced to the count taken before it, lose the oldest row of the page.
    page.object_list = list(page.object_list)
    record(Action.VIEW, actor=request.user, object_type="audit.trail", request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/trail.html", {"form": form, "page": page, "query": query.urlencode()}
    )
