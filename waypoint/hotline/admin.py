"""The hotline's lists in the back office: topics, campaign materials and knowledge base articles.

A topic or material that consultations use is never deleted (the statistics count it): it is retired,
"in use" off, and disappears from the consultation form while past counts keep it. The policy refuses
deleting a used one; the bulk actions here retire instead of deleting.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.core.admin_site import AuditedModelAdmin, site

from .models import CampaignMaterial, KnowledgeArticle, Topic


def _set_field(modeladmin, request, queryset, field: str, value: bool) -> int:
    """Change one flag on each chosen row the user may change, auditing each change."""
    changed = 0
    for obj in policy.scope(request.user, queryset, "change"):
        if getattr(obj, field) == value:
            continue
        before = model_to_dict(obj)
        setattr(obj, field, value)
        obj.save(update_fields=[field])
        record(Action.UPDATE, obj, actor=request.user, request=request,
               changes=changed_fields(before, model_to_dict(obj)))
        changed += 1
    return changed


@admin.action(description=_("Retire (no longer offered; past counts keep it)"))
def retire(modeladmin, request, queryset):
    count = _set_field(modeladmin, request, queryset, "is_active", False)
    modeladmin.message_user(request, ngettext("%(n)d entry retired.", "%(n)d entries retired.", count) % {"n": count},
                            messages.SUCCESS)


@admin.action(description=_("Put back in use"))
def restore(modeladmin, request, queryset):
    count = _set_field(modeladmin, request, queryset, "is_active", True)
    modeladmin.message_user(
        request, ngettext("%(n)d entry back in use.", "%(n)d entries back in use.", count) % {"n": count},
        messages.SUCCESS)


class ListEntryAdmin(AuditedModelAdmin):
    """Topics and campaign materials: bilingual names, an order, a stable code."""

    list_display = ("name_en", "name_ru", "code", "position", "is_active", "used")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_ru", "code")
    ordering = ("position", "name_en")
    actions = [retire, restore]
    fields = ("code", "name_en", "name_ru", "position", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(consultation_count=Count("consultations"))

    @admin.display(description=_("consultations"), ordering="consultation_count")
    def used(self, obj) -> int:
        return obj.consultation_count

    def get_readonly_fields(self, request, obj=None):
        # Exports and other systems refer to the code: it is chosen once.
        return ("code",) if obj is not None else ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a used entry is retired, never deleted in bulk
        return actions


@admin.register(Topic, site=site)
class TopicAdmin(ListEntryAdmin):
    pass


@admin.register(CampaignMaterial, site=site)
class CampaignMaterialAdmin(ListEntryAdmin):
    pass


@admin.action(description=_("Withdraw from operators (unpublish)"))
def unpublish(modeladmin, request, queryset):
    count = _set_field(modeladmin, request, queryset, "is_published", False)
    modeladmin.message_user(
        request, ngettext("%(n)d article withdrawn.", "%(n)d articles withdrawn.", count) % {"n": count},
        messages.SUCCESS)


@admin.register(KnowledgeArticle, site=site)
class KnowledgeArticleAdmin(AuditedModelAdmin):
    """The same articles as the knowledge base's own editing pages, for bulk work."""

    list_display = ("title_en", "title_ru", "kind", "is_published", "updated_at")
    list_filter = ("kind", "is_published", "topics")
    search_fields = ("title_en", "title_ru")
    fields = ("kind", "title_en", "title_ru", "body_en", "body_ru", "topics", "is_published")
    actions = [unpublish]
    sensitive_fields = ("body_en", "body_ru")  # long texts: the trail says they changed, not what they say

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
