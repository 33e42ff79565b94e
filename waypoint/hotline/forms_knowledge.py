"""Forms of the knowledge base: the search box and the article form (both languages required)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ArticleKind, KnowledgeArticle, Topic

TEXT_HELP = _(
    "Plain text. A blank line starts a new paragraph; lines starting with “- ” or “1. ” make a list, "
    "“## ” a heading. Web addresses become links. HTML is shown as typed, never run."
)


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
                        error_messages={"max_length": _("Search with at most 200 characters.")})
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.none(),
                                   empty_label=_("All topics"),
                                   error_messages={"invalid_choice": _("Choose a topic from the list.")})
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Short answers and guides")),
                                                                         *ArticleKind.choices],
                             error_messages={"invalid_choice": _("Choose a kind from the list.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)


class ArticleForm(forms.ModelForm):
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), required=False, queryset=Topic.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The topics an operator would look under."),
        error_messages={"invalid_choice": _("Choose topics from the list."),
                        "invalid_pk_value": _("Choose topics from the list.")},
    )

    class Meta:
        model = KnowledgeArticle
        fields = ("kind", "title_en", "title_ru", "body_en", "body_ru", "topics", "is_published")
        widgets = {
            "kind": forms.RadioSelect,
            "body_en": forms.Textarea(attrs={"rows": 14}),
            "body_ru": forms.Textarea(attrs={"rows": 14}),
        }
        help_texts = {
            "body_en": TEXT_HELP,
            "body_ru": TEXT_HELP,
            "is_published": _("Operators see only published articles. Untick to withdraw an article."),
        }
        error_messages = {
            "kind": {"required": _("Choose whether this is a short answer or a guide."),
                     "invalid_choice": _("Choose whether this is a short answer or a guide.")},
            "title_en": {"required": _("Enter the title in English."),
                         "max_length": _("The English title can have at most %(limit_value)d characters.")},
            "title_ru": {"required": _("Enter the title in Russian."),
                         "max_length": _("The Russian title can have at most %(limit_value)d characters.")},
            "body_en": {"required": _("Enter the text in English.")},
            "body_ru": {"required": _("Enter the text in Russian.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(ArticleKind.choices)
        linked = self.instance.topics.values_list("pk", flat=True) if self.instance.pk else []
        # Retired topics stay listed on the articles that still have them.
        self.fields["topics"].queryset = Topic.objects.filter(Q(is_active=True) | Q(pk__in=list(linked)))
        self.fields["title_en"].widget.attrs.update(lang="en")
        self.fields["body_en"].widget.attrs.update(lang="en")
        self.fields["title_ru"].widget.attrs.update(lang="ru")
        self.fields["body_ru"].widget.attrs.update(lang="ru")
