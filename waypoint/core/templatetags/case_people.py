"""`{% person_label person %}`: a case member as the members panel shows them, "Name (P-0000042)" to a reader who
may see the person's record, the registry number alone to anyone else. Programme panels use it so that staff read
the same names everywhere on the case page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from waypoint.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def person_label(context: template.Context, person) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if person is None:
        return ""
    # One policy question per person and request: a family's members recur across the panels of one page.
    cache = getattr(request, "_person_label_cache", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._person_label_cache = cache
    if person.pk not in cache:
        cache[person.pk] = bool(user is not None and policy.can(user, "view", person))
    if cache[person.pk] and person.full_name:
        return _("%(name)s (%(reference)s)") % {"name": person.full_name, "reference": person.reference}
    return person.reference
