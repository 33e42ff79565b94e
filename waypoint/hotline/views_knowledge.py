"""Pages of the knowledge base: search, an article in either language, and the editing pages of
administrators. Articles come through the policy (drafts are seen by administrators only); every write
goes through `knowledge.save_article`, which validates and audits in one transaction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.accounts import policy

from . import knowledge
from .forms_knowledge import ArticleForm, KnowledgeSearchForm
from .models import KnowledgeArticle


def _ui_language() -> str:
    return "ru" if (get_language() or "").startswith("ru") else "en"


@login_required
@require_GET
def knowledge_list(request: HttpRequest) -> HttpResponse:
    """Search box, topic and kind; everything published when nothing is asked."""
    policy.require(request.user, policy.VIEW_KNOWLEDGE_BASE, request=request)
    form = KnowledgeSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    query = (data.get("q") or "").strip()
    articles = (
        knowledge.search(request.user, query, topic=data.get("topic"), kind=data.get("kind") or "") if valid else []
    )
    language = _ui_language()
    results = [
        {"article": article, "title": knowledge.text_in(article, language)[0],
         "excerpt": knowledge.excerpt(knowledge.text_in(article, language)[1])}
        for article in articles
    ]
    results.sort(key=lambda result: result["title"].casefold())  # in the reader's language
    return render(request, "hotline/knowledge/list.html", {
        "form": form, "results": results, "searched": bool(query or data.get("topic") or data.get("kind")),
        "may_edit": policy.may(request.user, policy.CHANGE_KNOWLEDGE_BASE),
        "may_see_directory": policy.may(request.user, policy.VIEW_DIRECTORY),
    }, status=200 if valid else 400)


@login_required
@require_GET
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """The article in the reader's language, or in the other one (`?lang=ru`) for a caller who needs it."""
    policy.require(request.user, policy.VIEW_KNOWLEDGE_BASE, request=request)
    found = policy.get_for(request.user, KnowledgeArticle.objects.prefetch_related("topics"), pk=pk, request=request)
    language = request.GET.get("lang")
    if language not in knowledge.LANGUAGES:
        language = _ui_language()
    other = "en" if language == "ru" else "ru"
    title, body = knowledge.text_in(found, language)
    return render(request, "hotline/knowledge/article.html", {
        "article": found, "title": title, "body": knowledge.render_body(body), "language": language,
        "other_language": other,
        "other_title": knowledge.text_in(found, other)[0],
        "may_edit": policy.may(request.user, policy.CHANGE_KNOWLEDGE_BASE),
    })


def _put_errors_on_fields(form: ArticleForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)


def _edit(request: HttpRequest, found: KnowledgeArticle | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ArticleForm(data, instance=found, initial={"version": knowledge.version_of(found) if found else ""})
    conflict = False
    if data is not None and form.is_valid():
        try:
            saved = knowledge.save_article(
                request.user, form.cleaned_data, form.cleaned_data["topics"], article=found,
                version=form.cleaned_data.get("version") or "", request=request,
            )
        except knowledge.ConflictError:
            conflict = True
        except ValidationError as error:
            _put_errors_on_fields(form, error)
        else:
            messages.success(request, _("The article is saved.") if saved.is_published else _(
                "The article is saved. It is not published: operators do not see it."))
            return redirect("hotline:article", pk=saved.pk)
    return render(request, "hotline/knowledge/form.html", {
        "form": form, "article": found, "conflict": conflict,
    }, status=409 if conflict else 200 if data is None else 400)


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.CHANGE_KNOWLEDGE_BASE, request=request)
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.CHANGE_KNOWLEDGE_BASE, request=request)
    found = policy.get_for(request.user, KnowledgeArticle, "change", pk=pk, request=request)
    return _edit(request, found)
