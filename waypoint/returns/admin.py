"""The return programme's configuration in the back office: return projects with their eligibility rules, and the
profiling questionnaire's questions and options (administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record
from waypoint.core.admin_site import AuditedModelAdmin, site
from waypoint.people.codes import COUNTRY_CODES

from .eligibility import GROUP_LABELS, GROUPS
from .models import MigrationStatus, Question, QuestionKind, QuestionOption, ReturnProject


class ReturnProjectForm(forms.ModelForm):
    excluded_groups = forms.MultipleChoiceField(
        label=_("Excluded groups of countries"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, GROUP_LABELS[code]) for code in GROUPS])
    excluded_countries = forms.CharField(
        label=_("Other excluded countries"), required=False,
        help_text=_("ISO 3166 two-letter codes separated by spaces or commas, e.g. CN IN."))
    accepted_statuses = forms.MultipleChoiceField(
        label=_("Accepted migration statuses"), required=True, widget=forms.CheckboxSelectMultiple,
        choices=MigrationStatus.choices)

    class Meta:
        model = ReturnProject
        fields = ("name", "excluded_groups", "excluded_countries", "accepted_statuses", "requires_vulnerability",
                  "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["excluded_countries"] = " ".join(self.instance.excluded_countries or [])

    def clean_excluded_countries(self) -> list[str]:
        codes = [code.strip().upper() for code in (self.cleaned_data.get("excluded_countries") or "")
                 .replace(",", " ").split() if code.strip()]
        unknown = [code for code in codes if code not in COUNTRY_CODES]
        if unknown:
            raise forms.ValidationError(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return list(dict.fromkeys(codes))


@admin.register(ReturnProject, site=site)
class ReturnProjectAdmin(AuditedModelAdmin):
    form = ReturnProjectForm
    list_display = ("name", "groups", "requires_vulnerability", "active")
    list_filter = ("active",)

    @admin.display(description=_("excluded groups"))
    def groups(self, obj: ReturnProject) -> str:
        return ", ".join(obj.excluded_groups or []) or "—"

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.screenings.exists():
            return False  # screenings name it: take it out of use instead
        return super().has_delete_permission(request, obj)


class OptionInline(admin.TabularInline):
    """Options follow the policy like their question (administrators); each row is audited on its own."""

    model = QuestionOption
    extra = 1
    fields = ("code", "text_en", "text_ru", "category", "order")

    def _allowed(self, request, action: str, obj=None) -> bool:
        return site.has_permission(request) and (obj is None or policy.can(request.user, action, obj))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "change", obj) and (obj is None or not QuestionOption.objects.filter(
            question=obj, answers__isnull=False).exists())


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ("code", "text_en", "text_ru", "kind", "required", "order", "active")


@admin.register(Question, site=site)
class QuestionAdmin(AuditedModelAdmin):
    form = QuestionForm
    inlines = [OptionInline]
    list_display = ("order", "code", "text_en", "kind", "required", "active")
    list_display_links = ("code",)
    list_filter = ("active", "kind")
    ordering = ("order", "id")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for option in formset.deleted_objects:
            record(Action.DELETE, option, actor=request.user, request=request, changes={"code": [option.code, None]})
            option.delete()
        for option in instances:
            adding = option._state.adding
            before = {} if adding else model_to_dict(QuestionOption.objects.get(pk=option.pk))
            option.save()
            record(Action.CREATE if adding else Action.UPDATE, option, actor=request.user, request=request,
                   changes=changed_fields(before, model_to_dict(option)))
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return False  # answered: take it out of use instead
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        if question.kind != QuestionKind.CHOICE and question.options.exists():
            # Only single-choice questions offer options; those typed for another kind are not kept.
            question.options.filter(answers__isnull=True).delete()
