"""The hotline demo: a year at four sites shaped on the seeds, loaded fast and only once."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from waypoint.accounts import demo as accounts_demo
from waypoint.accounts.models import Office, Role, User
from waypoint.hotline import demo
from waypoint.hotline import statistics as stats
from waypoint.hotline.models import (
    CampaignMaterial,
    Consultation,
    FollowUp,
    FollowUpStatus,
    KnowledgeArticle,
    Topic,
)
from waypoint.partners import demo as partners_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load once for the module (a year of four sites), in a transaction rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            partners_demo.load(io.StringIO())
            accounts_demo.load(io.StringIO())
            started = time.perf_counter()
            out = io.StringIO()
            demo.load(out)
            seconds = time.perf_counter() - started
            yield {"seconds": seconds, "output": out.getvalue()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def last_12_months():
    return stats.period_dates(stats.PeriodChoice.LAST_12_MONTHS, timezone.localdate())


def test_st_petersburg_has_the_seeds_888_consultations_and_their_split(loaded):
    spb = Office.objects.get(code="icc-spb")

    result = stats.compute(*last_12_months(), spb, protect=False)

    assert (result.total.count, result.russian.count, result.foreign.count) == (888, 596, 292)
    assert (result.russian.percent, result.foreign.percent) == (Decimal("67.12"), Decimal("32.88"))


def test_the_four_sites_are_on_the_seeds_scale(loaded):
    result = stats.compute(*last_12_months(), protect=False)
    by_site = {row.label: row.cells[0].count for row in result.table("site").rows}

    assert by_site == {"ICC Astrakhan": 1560, "ICC Moscow": 2640, "ICC Petrozavodsk": 1150, "ICC St Petersburg": 888}
    # "over 13,400 consultations" in Moscow, Astrakhan and Petrozavodsk in some 30 months: about 5,400 a year.
    assert 5000 < by_site["ICC Astrakhan"] + by_site["ICC Moscow"] + by_site["ICC Petrozavodsk"] < 5800
    assert loaded["seconds"] < 20


def test_foreigners_and_russians_ask_what_the_seeds_say(loaded):
    result = stats.compute(*last_12_months(), protect=False)

    assert {label for label, _cell in result.top_topics["foreign"]} == {
        "Work permits and patents", "Citizenship", "Employers' violations of workers' rights",
        "Relations with the police"}
    assert {label for label, _cell in result.top_topics["russian"]} == {
        "About the project and the hotline", "Human trafficking", "Migration law", "Working abroad"}


def test_foreigners_come_from_the_region(loaded):
    nationalities = stats.compute(*last_12_months(), protect=False).table("nationality")
    top = [row.key for row in nationalities.rows[1:6]]

    assert top[:2] == ["UZ", "TJ"]
    assert set(top) <= {"UZ", "TJ", "KG", "KZ", "AZ", "UA", "MD", "BY", "AM"}


def test_calls_come_in_working_hours_on_working_days(loaded):
    zones = {"icc-astrakhan": "Europe/Astrakhan"}
    for consultation in Consultation.objects.select_related("site").only("started_at", "site__code").iterator():
        local = timezone.localtime(consultation.started_at, timezone=datetime.timezone(
            datetime.timedelta(hours=4 if zones.get(consultation.site.code) else 3)))
        assert local.weekday() != 6, consultation.started_at
        assert 9 <= local.hour < 18, consultation.started_at
        assert consultation.started_at <= timezone.now()


def test_every_site_has_its_operator_and_a_queue_with_overdue_call_backs(loaded):
    for code in ("icc-moscow", "icc-astrakhan", "icc-petrozavodsk", "icc-spb"):
        operators = set(Consultation.objects.filter(site__code=code).values_list("operator__username", flat=True))
        [username] = operators
        user = User.objects.get(username=username)
        assert (user.role, user.office.code) == (Role.HOTLINE_OPERATOR, code)
    overdue = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=timezone.now())
    assert overdue.exists()
    assert FollowUp.objects.filter(status=FollowUpStatus.DONE).count() > overdue.count()
    assert not FollowUp.objects.filter(status=FollowUpStatus.DONE, done_at__isnull=True).exists()


def test_lists_and_articles_are_bilingual(loaded):
    assert Topic.objects.count() == len(demo.TOPICS)
    assert {"leaflet-ru", "leaflet-tg", "leaflet-uz", "poster-transport", "tv", "website", "ngo",
            "migration-service", "friends"} <= set(CampaignMaterial.objects.values_list("code", flat=True))
    articles = KnowledgeArticle.objects.all()
    assert 8 <= articles.count() <= 15
    assert {a.kind for a in articles} == {"answer", "guide"}
    for article in articles:
        assert all([article.title_ru, article.body_ru, article.title_en, article.body_en]), article.pk
        assert article.topics.exists(), article.title_en
    assert {"Migration law: a guide for operators", "A guide for employers of foreign workers",
            "Social, medical and legal help: a guide"} <= {a.title_en for a in articles}


def test_loading_again_changes_nothing(loaded):
    before = (Consultation.objects.count(), FollowUp.objects.count(), Topic.objects.count(),
              CampaignMaterial.objects.count(), KnowledgeArticle.objects.count(), User.objects.count())
    out = io.StringIO()

    demo.load(out)

    after = (Consultation.objects.count(), FollowUp.objects.count(), Topic.objects.count(),
             CampaignMaterial.objects.count(), KnowledgeArticle.objects.count(), User.objects.count())
    assert after == before
    assert "already loaded" in out.getvalue()
