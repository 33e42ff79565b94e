# ruff: noqa: RUF001
"""The knowledge base: search in either language and any case, reading an article in the other language,
editing by administrators only (errors naming the fields, conflicts detected, audited), texts shown
escaped, and topics and materials in the back office."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from waypoint.audit.models import Action, AuditEvent
from waypoint.hotline import knowledge
from waypoint.hotline.models import ArticleKind, CallerType, Consultation, KnowledgeArticle, Outcome, Topic

READERS = ["administrator", "programme_manager", "case_worker", "hotline_operator", "case_worker_b"]
NON_READERS = ["me_officer", "data_protection_officer", "partner_user", "trainer", "learner", "partner_user_y"]


@pytest.fixture
def topics(db):
    return {
        "registration": Topic.objects.create(code="registration", name_en="Migration registration",
                                             name_ru="Миграционный учёт"),
        "work-permits": Topic.objects.create(code="work-permits", name_en="Work permits", name_ru="Патенты"),
    }


@pytest.fixture
def articles(topics):
    registration = KnowledgeArticle.objects.create(
        kind=ArticleKind.ANSWER, title_en="Migration registration at the place of stay",
        title_ru="Миграционный учёт по месту пребывания",
        body_en="The receiving party notifies the authorities within seven working days.",
        body_ru="Принимающая сторона уведомляет органы в течение семи рабочих дней. ПАТЕНТ не нужен.",
    )
    registration.topics.set([topics["registration"]])
    guide = KnowledgeArticle.objects.create(
        kind=ArticleKind.GUIDE, title_en="A guide for employers", title_ru="Памятка для работодателей",
        body_en="Check the Patent before hiring.", body_ru="Проверьте патент до приёма на работу.",
    )
    guide.topics.set([topics["work-permits"]])
    draft = KnowledgeArticle.objects.create(
        kind=ArticleKind.ANSWER, title_en="Draft on patents", title_ru="Черновик о патентах",
        body_en="Not checked yet.", body_ru="Ещё не проверено.", is_published=False,
    )
    return {"registration": registration, "guide": guide, "draft": draft}


def titles(user, query="", **filters):
    return {article.title_en for article in knowledge.search(user, query, **filters)}


# --- Searching ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("патент", {"Migration registration at the place of stay", "A guide for employers"}),
        ("ПАТЕНТ", {"Migration registration at the place of stay", "A guide for employers"}),
        ("Патент", {"Migration registration at the place of stay", "A guide for employers"}),
        ("patent", {"A guide for employers"}),
        ("PATENT", {"A guide for employers"}),
    ],
)
def test_search_ignores_case_in_cyrillic_and_latin(articles, users, query, expected):
    assert titles(users["hotline_operator"], query) == expected


@pytest.mark.parametrize("query", ["учет", "учёт", "УЧЕТ", "Миграционный УЧЁТ"])
def test_search_finds_yo_whether_typed_as_ye_or_yo(articles, users, query):
    assert titles(users["hotline_operator"], query) == {"Migration registration at the place of stay"}


def test_every_word_must_be_found_in_either_language(articles, users):
    operator = users["hotline_operator"]

    assert titles(operator, "seven работодателей") == set()
    assert titles(operator, "семи working") == {"Migration registration at the place of stay"}
    assert titles(operator, "visa") == set()


def test_search_filters_by_topic_and_kind(articles, users, topics):
    operator = users["hotline_operator"]

    assert titles(operator, topic=topics["work-permits"]) == {"A guide for employers"}
    assert titles(operator, kind=ArticleKind.ANSWER) == {"Migration registration at the place of stay"}
    assert titles(operator, "патент", kind=ArticleKind.GUIDE) == {"A guide for employers"}


def test_drafts_are_seen_by_administrators_only(articles, users, client_for):
    assert "Draft on patents" not in titles(users["hotline_operator"], "patents")
    assert "Draft on patents" in titles(users["administrator"], "patents")

    content = client_for(users["administrator"]).get("/hotline/knowledge/", {"q": "draft"}).content.decode()
    assert "Draft on patents" in content
    assert "Not published" in content
    response = client_for(users["hotline_operator"]).get(reverse("hotline:article", args=[articles["draft"].pk]))
    assert response.status_code == 404


def test_the_search_page_shows_results_in_the_users_language(articles, users, client_for):
    operator = users["hotline_operator"]
    english = client_for(operator).get("/hotline/knowledge/", {"q": "ПАТЕНТ"}).content.decode()
    operator.language = "ru"
    operator.save()
    russian = client_for(operator).get("/hotline/knowledge/", {"q": "ПАТЕНТ"}).content.decode()

    assert "2 articles" in english
    assert "A guide for employers" in english
    assert "Памятка для работодателей" in russian
    assert "A guide for employers" not in russian


def test_the_knowledge_base_links_to_the_directory(articles, users, client_for):
    content = client_for(users["hotline_operator"]).get("/hotline/knowledge/").content.decode()

    assert f'href="{reverse("partners:list")}"' in content
    assert ">Directory</a>" in content
    assert "New article" not in content


def test_a_wrong_filter_is_named(articles, users, client_for):
    response = client_for(users["hotline_operator"]).get("/hotline/knowledge/", {"topic": "999999", "kind": "poem"})
    content = response.content.decode()

    assert response.status_code == 400
    assert "Topic: Choose a topic from the list." in content
    assert "Kind: Choose a kind from the list." in content


# --- Reading an article ---------------------------------------------------------------------------
def test_an_article_switches_to_the_other_language(articles, users, client_for):
    client = client_for(users["hotline_operator"])
    url = reverse("hotline:article", args=[articles["registration"].pk])

    english = client.get(url).content.decode()
    russian = client.get(url, {"lang": "ru"}).content.decode()

    assert '<h1 lang="en">Migration registration at the place of stay</h1>' in english
    assert 'href="?lang=ru"' in english
    assert "Show the Russian text" in english
    assert '<h1 lang="ru">Миграционный учёт по месту пребывания</h1>' in russian
    assert '<div class="article-body card" lang="ru">' in russian
    assert "Принимающая сторона уведомляет органы" in russian
    assert "Show the English text" in russian  # the interface stays in English


def test_a_russian_speaking_user_reads_russian_first(articles, users, client_for):
    operator = users["hotline_operator"]
    operator.language = "ru"
    operator.save()

    content = client_for(operator).get(reverse("hotline:article", args=[articles["guide"].pk])).content.decode()

    assert '<h1 lang="ru">Памятка для работодателей</h1>' in content
    assert 'href="?lang=en"' in content


@pytest.mark.parametrize("persona", NON_READERS)
def test_an_article_is_not_found_for_those_who_do_not_read_the_knowledge_base(articles, users, client_for, persona):
    response = client_for(users[persona]).get(reverse("hotline:article", args=[articles["guide"].pk]))

    assert response.status_code == 404
    assert "Памятка" not in response.content.decode()


def test_a_missing_article_is_not_found_and_audited(articles, users, client_for):
    response = client_for(users["hotline_operator"]).get(reverse("hotline:article", args=[987654]))

    assert response.status_code == 404
    [denial] = AuditEvent.objects.filter(action=Action.DENY)
    assert (denial.object_type, denial.object_id) == ("hotline.knowledgearticle", "987654")


def test_texts_are_escaped_and_keep_paragraphs_lists_and_headings(users, client_for):
    article = KnowledgeArticle.objects.create(
        kind=ArticleKind.ANSWER, title_en="<b>Bold</b> title", title_ru="Заголовок",
        body_en="First line\nsecond line\n\n<script>alert(1)</script>\n\n## What to do\n- ask <i>where</i>\n"
                "- call 112\n\n1. one\n2. two\n\nSee https://example.org/page?a=1&b=2",
        body_ru="Текст",
    )

    content = client_for(users["hotline_operator"]).get(reverse("hotline:article", args=[article.pk])).content.decode()

    assert '<h1 lang="en">&lt;b&gt;Bold&lt;/b&gt; title</h1>' in content
    assert "<p>First line<br>second line</p>" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<h2>What to do</h2><ul><li>ask &lt;i&gt;where&lt;/i&gt;</li><li>call 112</li></ul>" in content
    assert "<ol><li>one</li><li>two</li></ol>" in content
    assert '<a href="https://example.org/page?a=1&amp;b=2" rel="nofollow">' in content


def test_an_indented_line_continues_a_list_item():
    html = knowledge.render_body("- first\n  continued\n- second")

    assert html == "<ul><li>first continued</li><li>second</li></ul>"


# --- Editing ---------------------------------------------------------------------------------------
VALID = {
    "kind": "answer", "title_en": "Patent payments", "title_ru": "Платежи по патенту",
    "body_en": "Pay the advance every month.", "body_ru": "Вносите аванс каждый месяц.", "is_published": "on",
}


def test_an_administrator_writes_an_article_in_both_languages(topics, users, client_for):
    admin = users["administrator"]

    response = client_for(admin).post(reverse("hotline:article_new"), {**VALID, "topics": [topics["work-permits"].pk]})

    article = KnowledgeArticle.objects.get(title_en="Patent payments")
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:article", args=[article.pk])
    assert list(article.topics.all()) == [topics["work-permits"]]
    assert article.updated_by == admin
    assert "платежи по патенту" in article.search_text
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="hotline.knowledgearticle").get()
    assert event.object_id == str(article.pk)
    assert event.changes["title_ru"] == [None, "Платежи по патенту"]
    assert event.changes["body_ru"] is None  # long texts: recorded as changed, not copied into the trail


def test_missing_fields_are_named_and_nothing_is_saved(users, client_for):
    response = client_for(users["administrator"]).post(
        reverse("hotline:article_new"), {**VALID, "kind": "", "title_ru": "  ", "body_en": ""})
    content = response.content.decode()

    assert response.status_code == 400
    assert "Choose whether this is a short answer or a guide." in content
    assert "Enter the title in Russian." in content
    assert "Enter the text in English." in content
    assert not KnowledgeArticle.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_an_administrator_edits_and_unpublishes_an_article(articles, users, client_for):
    article = articles["registration"]
    client = client_for(users["administrator"])
    form = client.get(reverse("hotline:article_edit", args=[article.pk])).context["form"]
    data = {**{name: form[name].value() for name in ("kind", "title_en", "title_ru", "body_en", "body_ru")},
            "version": form["version"].value(), "title_en": "Registration"}

    response = client.post(reverse("hotline:article_edit", args=[article.pk]), data)

    article.refresh_from_db()
    assert response.status_code == 302
    assert (article.title_en, article.is_published) == ("Registration", False)
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(article.pk)).get()
    assert event.changes["title_en"] == ["Migration registration at the place of stay", "Registration"]
    assert event.changes["is_published"] == ["True", "False"]
    assert "Registration" not in titles(users["hotline_operator"], "registration")


def test_a_save_made_meanwhile_by_someone_else_is_not_overwritten(articles, users, client_for):
    article = articles["guide"]
    client = client_for(users["administrator"])
    stale = client.get(reverse("hotline:article_edit", args=[article.pk])).context["form"]["version"].value()
    knowledge.save_article(users["administrator"], {"title_en": "Their title"}, [], article=article,
                           version=stale)

    response = client.post(reverse("hotline:article_edit", args=[article.pk]),
                           {**VALID, "title_en": "My title", "version": stale})

    article.refresh_from_db()
    assert response.status_code == 409
    assert "Someone else saved this article" in response.content.decode()
    assert article.title_en == "Their title"


@pytest.mark.parametrize("persona", [p for p in READERS + NON_READERS if p != "administrator"])
def test_only_administrators_edit(articles, users, client_for, persona):
    client = client_for(users[persona])
    article = articles["guide"]
    before = KnowledgeArticle.objects.count()

    created = client.post(reverse("hotline:article_new"), VALID)
    changed = client.post(reverse("hotline:article_edit", args=[article.pk]), {**VALID, "title_en": "Hacked"})

    assert (created.status_code, changed.status_code) == (404, 404)
    assert KnowledgeArticle.objects.count() == before
    article.refresh_from_db()
    assert article.title_en == "A guide for employers"
    assert AuditEvent.objects.filter(action=Action.DENY, object_id="change_knowledge_base").count() == 2


def test_the_service_refuses_a_non_administrator(users):
    with pytest.raises(PermissionDenied) as refused:
        knowledge.save_article(users["hotline_operator"], VALID, [])

    assert "Only administrators" in str(refused.value)
    assert not KnowledgeArticle.objects.exists()


# --- Topics and materials in the back office -----------------------------------------------------
@pytest.fixture
def used_topic(topics, users, office):
    consultation = Consultation.objects.create(
        site=office, operator=users["hotline_operator"], started_at="2026-03-02T10:00:00+03:00", duration_minutes=5,
        caller_type=CallerType.OTHER, outcome=Outcome.INFORMED)
    consultation.topics.set([topics["registration"]])
    return topics["registration"]


def test_an_administrator_lists_and_adds_topics_in_the_back_office(used_topic, users, client_for):
    client = client_for(users["administrator"])

    listing = client.get("/admin/hotline/topic/").content.decode()
    added = client.post("/admin/hotline/topic/add/", {
        "code": "police", "name_en": "Relations with the police", "name_ru": "Полиция", "position": 5,
        "is_active": "on"})

    assert "Migration registration" in listing
    assert added.status_code == 302
    topic = Topic.objects.get(code="police")
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="hotline.topic", object_id=str(topic.pk))


def test_a_topic_in_use_is_retired_not_deleted(used_topic, topics, users, client_for):
    client = client_for(users["administrator"])

    delete_page = client.get(f"/admin/hotline/topic/{used_topic.pk}/delete/")
    retired = client.post("/admin/hotline/topic/", {"action": "retire", "_selected_action": [used_topic.pk]})
    bulk_delete = client.post("/admin/hotline/topic/", {"action": "delete_selected",
                                                        "_selected_action": [used_topic.pk]})
    unused = client.post(f"/admin/hotline/topic/{topics['work-permits'].pk}/delete/", {"post": "yes"})

    assert delete_page.status_code == 403
    assert retired.status_code == 302
    used_topic.refresh_from_db()
    assert used_topic.is_active is False
    assert Topic.objects.filter(pk=used_topic.pk).exists()
    assert bulk_delete.status_code in (200, 302)
    assert Topic.objects.filter(pk=used_topic.pk).exists()
    assert unused.status_code == 302
    assert not Topic.objects.filter(code="work-permits").exists()
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="hotline.topic").get()
    assert event.changes == {"is_active": ["True", "False"]}


def test_a_retired_topic_leaves_the_choices_but_stays_on_its_articles(articles, topics, users, client_for):
    Topic.objects.filter(pk=topics["registration"].pk).update(is_active=False)
    client = client_for(users["administrator"])

    new_form = client.get(reverse("hotline:article_new")).context["form"]
    edit_form = client.get(reverse("hotline:article_edit", args=[articles["registration"].pk])).context["form"]

    assert topics["registration"] not in new_form.fields["topics"].queryset
    assert topics["registration"] in edit_form.fields["topics"].queryset
