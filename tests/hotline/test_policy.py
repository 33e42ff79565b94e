"""Hotline rules the persona matrix of tests/accounts/test_policy.py cannot show: programme managers with and
without the ICC programme, an operator without a site, topics in use, drafts of the knowledge base."""

import pytest

from tests.hotline.log_world import call_data, make_world
from waypoint.accounts import policy
from waypoint.hotline import services
from waypoint.hotline.models import CampaignMaterial, Consultation, FollowUp, KnowledgeArticle, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, make_user, office):
    world = make_world(users, make_user, office)
    world["calls"] = [
        services.record_consultation(world["operator"], call_data(world, outcome="call_back"), follow_up={
            "due_at": call_data(world)["started_at"], "action": "Call back",
        }),
        services.record_consultation(world["other_site"], call_data(world, site=world["moscow"])),
    ]
    return world


def visible(user, model, action="view") -> set:
    return set(policy.scope(user, model.objects.all(), action))


def test_a_programme_manager_of_the_icc_programme_sees_and_corrects_every_site_but_deletes_nothing(world):
    manager = world["manager"]

    assert policy.may(manager, policy.RECORD_CONSULTATIONS)
    assert visible(manager, Consultation) == set(world["calls"])
    assert visible(manager, Consultation, "change") == set(world["calls"])
    assert visible(manager, Consultation, "delete") == set()
    assert visible(manager, FollowUp, "change") == set(FollowUp.objects.all())
    assert visible(manager, FollowUp, "delete") == set()


def test_a_programme_manager_loses_the_consultations_with_the_icc_programme(world):
    manager = world["manager"]
    manager.programmes = ["CT"]
    manager.save()

    assert not policy.may(manager, policy.RECORD_CONSULTATIONS)
    assert visible(manager, Consultation) == set()
    assert visible(manager, FollowUp) == set()
    assert policy.may(manager, policy.VIEW_KNOWLEDGE_BASE)  # the knowledge base is not tied to the programme


def test_an_operator_sees_the_site_and_changes_only_their_own_calls(world):
    operator, colleague = world["operator"], world["colleague"]
    spb_call, moscow_call = world["calls"]

    assert visible(colleague, Consultation) == {spb_call}
    assert visible(colleague, Consultation, "change") == set()
    assert visible(operator, Consultation, "change") == {spb_call}
    assert moscow_call not in visible(operator, Consultation)
    assert visible(colleague, FollowUp, "change") == set(spb_call.follow_ups.all())


def test_an_operator_who_moves_to_another_site_takes_no_calls_along(world):
    operator = world["operator"]
    operator.office = world["moscow"]
    operator.save()

    assert visible(operator, Consultation) == {world["calls"][1]}
    assert visible(operator, Consultation, "change") == set()


def test_an_operator_without_a_site_sees_nothing(world):
    operator = world["operator"]
    operator.office = None
    operator.save()

    assert policy.may(operator, policy.RECORD_CONSULTATIONS)
    assert visible(operator, Consultation) == set()
    assert visible(operator, FollowUp) == set()
    assert not services.sites_for(operator).exists()


def test_m_and_e_officers_get_no_individual_consultation(world, users):
    officer = users["me_officer"]

    assert not policy.may(officer, policy.RECORD_CONSULTATIONS)
    assert visible(officer, Consultation) == set()
    assert visible(officer, FollowUp) == set()
    assert visible(officer, Topic) == set(Topic.objects.all())  # the statistics name the topics


def test_an_administrator_deletes_only_topics_and_materials_no_call_uses(world, users):
    administrator = users["administrator"]

    deletable_topics = {t.code for t in visible(administrator, Topic, "delete")}
    deletable_materials = {m.code for m in visible(administrator, CampaignMaterial, "delete")}

    assert "work-permits" not in deletable_topics
    assert "police" in deletable_topics
    assert "leaflet-uz" not in deletable_materials
    assert "poster" in deletable_materials


def test_drafts_of_the_knowledge_base_are_for_administrators(world, users):
    published = KnowledgeArticle.objects.create(kind="answer", title_en="Patent", title_ru="Патент",
                                                body_en="How", body_ru="Как")
    draft = KnowledgeArticle.objects.create(kind="guide", title_en="Draft", title_ru="Черновик", body_en="-",
                                            body_ru="-", is_published=False)

    assert visible(world["operator"], KnowledgeArticle) == {published}
    assert visible(users["case_worker"], KnowledgeArticle) == {published}
    assert visible(users["administrator"], KnowledgeArticle) == {published, draft}
    assert visible(world["operator"], KnowledgeArticle, "change") == set()
    assert visible(users["me_officer"], KnowledgeArticle) == set()
