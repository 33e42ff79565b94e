"""The CTDC down-coder: HTCDS profile codes to the categories of CTDC's synthetic dataset."""

import datetime

import pytest

from waypoint.accounts.models import Programme
from waypoint.cases.casework import open_case
from waypoint.cases.models import Channel
from waypoint.people import services as people_services
from waypoint.protection import ctdc, services

REGISTERED = datetime.date(2025, 6, 1)


def row(**facts):
    return ctdc.down_code(ctdc.Facts(registered_on=REGISTERED, **facts))


def test_columns_come_in_a_fixed_order():
    assert list(row()) == list(ctdc.COLUMNS)
    assert ctdc.COLUMNS[:5] == ("yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation")


def test_nothing_known_is_none_everywhere_but_the_year():
    coded = row()

    assert coded["yearOfRegistration"] == 2025
    assert {value for name, value in coded.items() if name != "yearOfRegistration"} == {None}


@pytest.mark.parametrize(("sex", "gender"), [("F", "Woman"), ("M", "Man"), ("X", "Trans/Transgender/NonConforming"),
                                             ("", None)])
def test_gender(sex, gender):
    assert row(sex=sex)["gender"] == gender


@pytest.mark.parametrize(("age", "band"), [
    (0, "0--8"), (8, "0--8"), (9, "9--17"), (17, "9--17"), (18, "18--20"), (20, "18--20"), (21, "21--23"),
    (24, "24--26"), (27, "27--29"), (29, "27--29"), (30, "30--38"), (38, "30--38"), (39, "39--47"),
    (47, "39--47"), (48, "48+"), (90, "48+"), (None, None), (-1, None),
])
def test_age_bands(age, band):
    assert ctdc.age_band(age) == band


def test_age_is_taken_at_registration_and_counts_the_birthday():
    assert row(birth_date=datetime.date(2007, 6, 2), birth_date_exact=True)["ageBroad"] == "9--17"  # 17 the day before
    assert row(birth_date=datetime.date(2007, 6, 1), birth_date_exact=True)["ageBroad"] == "18--20"
    assert row(birth_date=datetime.date(2007, 1, 1), birth_date_exact=False)["ageBroad"] == "18--20"


def test_countries_become_iso_alpha_3():
    coded = row(citizenships=("UZ", "RU"), exploitation_countries=("TR", "AE"))

    assert (coded["citizenship"], coded["CountryOfExploitation"]) == ("UZB", "TUR")


@pytest.mark.parametrize(("types", "flags"), [
    (("ForcedLabour",), (1, 0, 0)),
    (("ChildLabour",), (1, 0, 0)),
    (("SexualExploitation",), (0, 1, 0)),
    (("ForcedMarriage",), (0, 0, 1)),
    (("ForcedLabour", "SexualExploitation", "ForcedBegging"), (1, 1, 1)),
    (("Other",), (0, 0, 1)),
    ((), (None, None, None)),
])
def test_types_of_exploitation(types, flags):
    coded = row(exploitation_types=types)

    assert (coded["isForcedLabour"], coded["isSexualExploit"], coded["isOtherExploit"]) == flags


def test_means_of_control_are_grouped():
    coded = row(control_methods=("TakesEarnings", "ThreatensChildrenFamily", "WithholdsDocuments", "Other"))

    assert {name: coded[name] for name in ctdc.MEANS_OF_CONTROL} == {
        "meansDebtBondageEarnings": 1, "meansThreats": 1, "meansAbusePsyPhySex": 0, "meansFalsePromises": 0,
        "meansDrugsAlcohol": 0, "meansDenyBasicNeeds": 0, "meansExcessiveWorkHours": 0, "meansWithholdDocs": 1,
    }


def test_every_htcds_method_but_other_falls_in_a_group():
    grouped = set().union(*ctdc.MEANS_OF_CONTROL.values())

    assert set(ctdc.C.values) - grouped == {"Other"}


@pytest.mark.parametrize(("relation", "family", "other"), [("Familial", 1, 0), ("Acquainted", 0, 1),
                                                           ("Unacquainted", 0, 1), ("", None, None)])
def test_recruiter_relation(relation, family, other):
    coded = row(relationship_to_trafficker=relation)

    assert (coded["recruiterRelationFamily"], coded["recruiterRelationOther"]) == (family, other)
    assert coded["recruiterRelationIntimatePartner"] == (None if relation == "" else 0)


@pytest.mark.parametrize(("industry", "column"), [("A", "Agriculture"), ("F", "Construction"), ("T", "DomesticWork"),
                                                  ("I", "Hospitality")])
def test_type_of_labour_from_isic(industry, column):
    coded = row(exploitation_types=("ForcedLabour",), forced_labour_industry=industry)

    assert {name: coded[f"typeOfLabour{name}"] for name in ctdc.LABOUR_COLUMNS} == {
        name: int(name == column) for name in ctdc.LABOUR_COLUMNS}


def test_an_industry_outside_the_four_is_all_zeros_and_an_unknown_one_is_none():
    assert {row(exploitation_types=("ForcedLabour",), forced_labour_industry="C")[f"typeOfLabour{n}"]
            for n in ctdc.LABOUR_COLUMNS} == {0}
    assert {row(exploitation_types=("ForcedLabour",))[f"typeOfLabour{n}"] for n in ctdc.LABOUR_COLUMNS} == {None}
    assert {row(exploitation_types=("SexualExploitation",), forced_labour_industry="A")[f"typeOfLabour{n}"]
            for n in ctdc.LABOUR_COLUMNS} == {None}  # not exploited for labour: does not apply


@pytest.mark.parametrize(("kind", "prostitution", "pornography"), [
    ("Prostitution", 1, 0), ("Pornography", 0, 1), ("RemoteInteractiveServices", 0, 0), ("", None, None)])
def test_type_of_sex(kind, prostitution, pornography):
    coded = row(exploitation_types=("SexualExploitation",), sexual_exploitation_type=kind)

    assert (coded["typeOfSexProstitution"], coded["typeOfSexPornography"]) == (prostitution, pornography)


def test_the_same_facts_always_give_the_same_row():
    facts = ctdc.Facts(registered_on=REGISTERED, sex="F", control_methods=("DebtBondage", "FalsePromises"),
                       exploitation_types=("SexualExploitation", "ForcedLabour"))
    reordered = ctdc.Facts(registered_on=REGISTERED, sex="F", control_methods=("FalsePromises", "DebtBondage"),
                           exploitation_types=("ForcedLabour", "SexualExploitation"))

    assert ctdc.down_code(facts) == ctdc.down_code(facts) == ctdc.down_code(reordered)


def test_facts_of_a_saved_profile(users):
    worker = users["case_worker"]
    person = people_services.register(worker, {"family_name": "Юсупова", "given_name": "Малика", "sex": "F",
                                               "birth_date": datetime.date(1999, 3, 4), "citizenships": ["UZ"]},
                                      programme=Programme.COUNTER_TRAFFICKING)
    case = open_case(worker, programme=Programme.COUNTER_TRAFFICKING, principal=person, owner=worker,
                     channel=Channel.NGO, opened_on=datetime.date(2025, 2, 1))
    profile = services.update_profile(worker, case, version=0, exploitation_types=["ForcedLabour"],
                                      forced_labour_industry="T", relationship_to_trafficker="Acquainted")
    services.add_event(worker, case, event_type="Recruitment", country="UZ", started_on=datetime.date(2024, 1, 5))
    services.add_event(worker, case, event_type="Exploitation", country="AE", started_on=datetime.date(2024, 3, 1))
    services.add_event(worker, case, event_type="Exploitation", country="TR", started_on=datetime.date(2024, 2, 1))

    coded = ctdc.down_code(ctdc.facts_for(profile))

    assert coded["yearOfRegistration"] == 2025
    assert (coded["gender"], coded["ageBroad"], coded["citizenship"]) == ("Woman", "24--26", "UZB")
    assert coded["CountryOfExploitation"] == "TUR"  # the first place of exploitation
    assert (coded["isForcedLabour"], coded["typeOfLabourDomesticWork"], coded["recruiterRelationOther"]) == (1, 1, 1)
