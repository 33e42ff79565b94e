"""The knowledge base: short answers and guides operators read during a call.

Searching, showing an article's text safely, and the writes (administrators only), each write one
transaction, audited, refusing to overwrite someone else's newer save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.html import format_html, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.audit.models import Action
from waypoint.audit.services import changed_fields, record

from .models import ArticleKind, KnowledgeArticle, Topic

ARTICLE_FIELDS = ("kind", "title_en", "title_ru", "body_en", "body_ru", "is_published")
LANGUAGES = ("en", "ru")
# Long texts are recorded in the audit trail as "changed", not copied into it.
LONG_FIELDS = ("body_en", "body_ru")


class ConflictError(Exception):
    """Someone else saved the article after it was opened: nothing was written."""


# --- Searching ----------------------------------------------------------------------------------
CYRILLIC_IE, CYRILLIC_IO = "\u0435", "\u0451"  # Russian is often typed with the first for the second


def _term_filter(term: str) -> Q:
    """A folded term matches the folded text; either of the two letters matches both."""
    if CYRILLIC_IE in term or CYRILLIC_IO in term:
        both = f"[{CYRILLIC_IE}{CYRILLIC_IO}]"
        pattern = "".join(both if ch in (CYRILLIC_IE, CYRILLIC_IO) else re.escape(ch) for ch in term)
        return Q(search_text__regex=pattern)
    return Q(search_text__contains=term)


def search(
    user: User, query: str = "", *, topic: Topic | None = None, kind: str = "",
) -> QuerySet[KnowledgeArticle]:
    """Articles the user may read that hold every word of `query` (any case, any script, either language)."""
    articles = policy.scope(user, KnowledgeArticle.objects.all(), "view")
    for term in query.casefold().split():
        articles = articles.filter(_term_filter(term))
    if topic is not None:
        articles = articles.filter(topics=topic)
    if kind in ArticleKind.values:
        articles = articles.filter(kind=kind)
    return articles.prefetch_related("topics").distinct()


def text_in(article: KnowledgeArticle, language: str) -> tuple[str, str]:
    """The title and text in `language` ("en" or "ru")."""
    if language == "ru":
        return article.title_ru, article.body_ru
    return article.title_en, article.body_en


# --- Showing a text -----------------------------------------------------------------------------
_HEADING = re.compile(r"^(#{2,3})\s+(.+)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.+)$")
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+(.+)$")


def _inline(text: str) -> str:
    """Escaped text with web addresses made into links (urlize escapes everything else)."""
    return urlize(text, nofollow=True, autoescape=True)


def render_body(text: str) -> SafeString:
    """Plain text as HTML, nothing of it taken as markup: paragraphs, line breaks, "## " headings and
    "- " or "1. " lists. Every piece is escaped before it is wrapped."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def end_paragraph() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def end_list() -> None:
        nonlocal list_tag
        if items:
            html.append(f"<{list_tag}>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            end_paragraph()
            end_list()
        elif heading:
            end_paragraph()
            end_list()
            level = len(heading.group(1))
            html.append(format_html("<h{}>{}</h{}>", level, heading.group(2).strip(), level))
        elif bullet or numbered:
            end_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                end_list()
                list_tag = tag
            items.append((bullet or numbered).group(1).strip())
        elif items and raw[:1].isspace():
            items[-1] += " " + line.strip()  # an indented line continues the list item
        else:
            end_list()
            paragraph.append(line.strip())
    end_paragraph()
    end_list()
    return mark_safe("".join(html))  # noqa: S308 - every text above went through escape (urlize, format_html)


def excerpt(text: str, length: int = 220) -> str:
    """The start of a text without its headings and markup signs, for the list of results."""
    lines = []
    for line in text.splitlines():
        if not line.strip() or _HEADING.match(line):
            continue
        item = _BULLET.match(line) or _NUMBERED.match(line)
        lines.append((item.group(1) if item else line).strip())
    plain = " ".join(lines)
    if len(plain) <= length:
        return plain
    return plain[: length - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


# --- Writing ------------------------------------------------------------------------------------
def _require_editor(user: User) -> None:
    if not policy.may(user, policy.CHANGE_KNOWLEDGE_BASE):
        raise PermissionDenied(_("Only administrators edit the knowledge base."))


def _snapshot(article: KnowledgeArticle) -> dict[str, Any]:
    values = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    values["topics"] = sorted(str(pk) for pk in article.topics.values_list("pk", flat=True)) if article.pk else []
    return values


def version_of(article: KnowledgeArticle) -> str:
    """What the edit form carries to detect a save made by someone else in the meantime."""
    return article.updated_at.isoformat() if article.updated_at else ""


@transaction.atomic
def save_article(
    user: User, data: Mapping[str, Any], topics: Iterable[Topic], *, article: KnowledgeArticle | None = None,
    version: str = "", request=None,
) -> KnowledgeArticle:
    """Create an article, or change one if nobody saved it since `version`. Both languages are required."""
    _require_editor(user)
    if article is not None:
        article = policy.get_for(user, KnowledgeArticle.objects.select_for_update(), "change", pk=article.pk,
                                 request=request)
        if version and version_of(article) != version:
            raise ConflictError
    creating = article is None
    article = article or KnowledgeArticle()
    before = {} if creating else _snapshot(article)
    for name in ARTICLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(article, name, value.strip() if isinstance(value, str) else value)
    validate_language_pair({name: getattr(article, name) for name in ARTICLE_FIELDS})
    article.updated_by = user
    article.full_clean(exclude=["updated_by"])
    article.save()
    article.topics.set(list(topics))
    record(
        Action.CREATE if creating else Action.UPDATE, article, actor=user, request=request,
        changes=changed_fields(before, _snapshot(article), LONG_FIELDS),
    )
    return article


def validate_language_pair(data: Mapping[str, Any]) -> None:
    """Both languages or nothing: an operator switching language must always find the text."""
    errors = {}
    for name, message in (
        ("title_en", _("Enter the title in English.")), ("title_ru", _("Enter the title in Russian.")),
        ("body_en", _("Enter the text in English.")), ("body_ru", _("Enter the text in Russian.")),
    ):
        if not str(data.get(name) or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)

