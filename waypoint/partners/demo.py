"""Demo partner directory: the kinds of partners the office's own documents name (the seeds).

Government bodies (migration service, border agencies, ministries), law enforcement units and prosecutors,
TB dispensaries and AIDS centres, social institutions, NGOs (shelters, hotlines, legal aid, psychological
help), international organisations, embassies and consulates of the countries victims come from, the
organisation's missions abroad, religious structures, media, donors and academic partners, in Moscow,
St Petersburg, Astrakhan, Petrozavodsk and abroad.

Names of organisations are those of real kinds of partners; addresses, phone numbers, e-mail addresses,
capacities and agreements are invented for the demo. Loading is idempotent: organisations, services,
locations, contacts and agreements are found again by name; their phones, hours and languages are
rewritten; free places are set only when a service is first made (afterwards they are the partner's).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import taxonomy
from .models import (
    Address,
    Agreement,
    AgreementKind,
    Contact,
    ExploitationType,
    Language,
    Location,
    LocationType,
    Organisation,
    OrganisationType,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)

T = OrganisationType
SEXUAL, LABOUR, DOMESTIC, BEGGING = (ExploitationType.SEXUAL, ExploitationType.LABOUR, ExploitationType.DOMESTIC,
                                     ExploitationType.BEGGING)

# city -> (region, country, telephone prefix)
PLACES = {
    "Moscow": ("Moscow", "RU", "+7 495"),
    "St Petersburg": ("St Petersburg", "RU", "+7 812"),
    "Astrakhan": ("Astrakhan Oblast", "RU", "+7 8512"),
    "Petrozavodsk": ("Republic of Karelia", "RU", "+7 8142"),
    "Vladivostok": ("Primorsky Krai", "RU", "+7 423"),
    "Grozny": ("Chechen Republic", "RU", "+7 8712"),
    "Tirana": ("Tirana", "AL", "+355 4"),
    "Vienna": ("Vienna", "AT", "+43 1"),
    "Chisinau": ("Chisinau", "MD", "+373 22"),
    "Tashkent": ("Tashkent", "UZ", "+998 71"),
    "Dushanbe": ("Dushanbe", "TJ", "+992 37"),
}


@dataclass
class Svc:
    name: str
    types: list[str]
    description: str = ""
    hours: str = ""
    languages: list[str] = field(default_factory=lambda: ["ru"])
    sexes: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    nationalities: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    capacity: int | None = None
    available: int | None = None
    accepting: bool = True
    status: str = ServiceStatus.ACTIVE
    apply: str = ""
    fees: str = "Free of charge."
    hotline: str = ""


@dataclass
class Org:
    name: str
    kind: str
    city: str
    alternate: str = ""
    description: str = ""
    address: str = ""
    website: str = ""
    services: list[Svc] = field(default_factory=list)
    contact: tuple[str, str] = ("", "")
    agreements: list[tuple[str, str, int, int]] = field(default_factory=list)  # kind, title, from, until (years)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    hours: str = "MO-FR 09:00-18:00"


WORKDAYS = "MO-FR 09:00-18:00"
ROUND_THE_CLOCK = "MO-SU 00:00-23:59"
MOU, COOPERATION, CONTRACT = AgreementKind.MOU, AgreementKind.COOPERATION, AgreementKind.CONTRACT

ORGANISATIONS: list[Org] = [
    # --- Government authorities -------------------------------------------------------------
    Org("Federal Migration Service", T.GOVERNMENT, "Moscow", "FMS of Russia",
        "Federal authority for migration: registration of foreign citizens, work permits, citizenship, readmission.",
        "Bolshaya Tatarskaya ul. 21", contact=("Department for Readmission", "Head of department"),
        agreements=[(MOU, "Memorandum on readmission and assisted voluntary return", -3, 2),
                    (COOPERATION, "Agreement on the Manual on Readmission and its e-course", -6, -1)],
        identifiers=[("OGRN", "1047796000002")],
        services=[
            Svc("Work permits and patents for foreign citizens", ["documents_migration", "employment"],
                "Patents for work with individuals, work permits, registration at the place of stay.",
                "MO-TH 09:00-18:00", ["ru"], apply="In person, with passport and migration card."),
            Svc("Readmission and return of foreign citizens", ["return_assistance", "documents_migration"],
                "Identification and documentation of persons to be readmitted; special readmission facilities.",
                WORKDAYS, ["ru", "en"]),
        ]),
    Org("Federal Migration Service, St Petersburg and Leningrad Oblast", T.GOVERNMENT, "St Petersburg",
        "UFMS St Petersburg", "Regional department of the migration service.", "Ul. Kirochnaya 4",
        services=[Svc("Registration and documents of foreign citizens", ["documents_migration"],
                      "Registration, temporary residence permits, replacement of lost migration cards.",
                      "MO-FR 09:30-17:30", ["ru"])]),
    Org("Federal Migration Service, Astrakhan Oblast", T.GOVERNMENT, "Astrakhan", "UFMS Astrakhan",
        "Regional department of the migration service at the border with Kazakhstan.", "Ul. Kirova 42",
        services=[Svc("Documents of foreign citizens and stateless persons", ["documents_migration"],
                      "Registration, patents, certificates for stateless persons.", WORKDAYS, ["ru", "kk"])]),
    Org("Border Guard Service of the Russian Federation", T.GOVERNMENT, "Moscow", "Border Service of the FSB",
        "Control at border checkpoints; first contact with people trafficked across the border.", "Ul. Myasnitskaya 1",
        services=[Svc("Identification of possible victims at border checkpoints", ["other"],
                      "Referral of persons identified at checkpoints to assistance.", ROUND_THE_CLOCK, ["ru", "en"])]),
    Org("Federal Agency for the Development of the State Border", T.GOVERNMENT, "Moscow", "Rosgranitsa",
        "Builds and runs border checkpoints; partner of the checkpoint management project.", "Ul. Ilyinka 8",
        agreements=[(COOPERATION, "Enhancement of the management of border checkpoints", -4, 1)], services=[]),
    Org("Ministry of Health and Social Development", T.GOVERNMENT, "Moscow", "Minzdravsotsrazvitiya",
        "Health and social policy, including access of labour migrants to health services.",
        "Rakhmanovsky per. 3", services=[]),
    Org("Ministry of Foreign Affairs, Consular Department", T.GOVERNMENT, "Moscow", "MID Rossii",
        "Consular matters of Russian nationals abroad, including victims of trafficking returning home.",
        "Smolenskaya-Sennaya pl. 32/34",
        services=[Svc("Return documents for Russian nationals abroad", ["documents_migration", "return_assistance"],
                      "Certificates of return for nationals who lost their passports abroad.", WORKDAYS,
                      ["ru", "en"], nationalities=["RU"])]),
    Org("High Commissioner for Human Rights in the Russian Federation", T.GOVERNMENT, "Moscow",
        "Ombudsman of Russia", "Receives complaints about violations of the rights of nationals and foreigners.",
        "Ul. Myasnitskaya 47",
        services=[Svc("Complaints about violations of rights", ["legal_aid"],
                      "Written and oral complaints, including about police and employers.", "MO-TH 10:00-17:00",
                      ["ru"])]),
    Org("Committee for Social Policy of St Petersburg", T.SOCIAL, "St Petersburg", "",
        "City social protection: crisis centres, social adaptation of homeless people.", "Ul. Novgorodskaya 20",
        services=[Svc("Social adaptation of homeless people", ["social_support", "shelter"],
                      "Night stay and help with documents for adults without a home, including former migrants.",
                      "MO-SU 18:00-09:00", ["ru"], min_age=18, capacity=60, available=14)]),
    # --- Law enforcement and prosecutors ---------------------------------------------------------
    Org("Ministry of Interior, anti-trafficking unit", T.LAW_ENFORCEMENT, "Moscow", "MVD of Russia",
        "Investigates trafficking in persons and forced labour; refers identified victims.", "Ul. Zhitnaya 16",
        contact=("Duty officer", "Anti-trafficking unit"),
        agreements=[(MOU, "Memorandum on referral of victims of trafficking", -2, 3)],
        services=[Svc("Reports of trafficking situations", ["other"],
                      "Receives reports of trafficking and forced labour situations from the hotline and partners.",
                      ROUND_THE_CLOCK, ["ru"], hotline="8 800 222 74 47")]),
    Org("Main Directorate of the Ministry of Interior for St Petersburg and Leningrad Oblast", T.LAW_ENFORCEMENT,
        "St Petersburg", "GU MVD St Petersburg", "Police of the city and region.", "Suvorovsky pr. 50/52",
        services=[Svc("Reports of crimes against migrants", ["other"], "Duty unit; interpreters on request.",
                      ROUND_THE_CLOCK, ["ru"])]),
    Org("Astrakhan Oblast Interior Department", T.LAW_ENFORCEMENT, "Astrakhan", "UMVD Astrakhan",
        "Police of the Astrakhan region.", "Ul. Kirova 5",
        services=[Svc("Reports of trafficking and forced labour", ["other"], "", ROUND_THE_CLOCK, ["ru"])]),
    Org("Primorsky Krai Interior Department", T.LAW_ENFORCEMENT, "Vladivostok", "UMVD Primorye",
        "Police of Primorsky Krai; trained by the project's train-of-trainers sessions.", "Ul. Aleutskaya 44",
        services=[]),
    Org("General Prosecutor's Office", T.PROSECUTION, "Moscow", "Genprokuratura",
        "Supervises investigations, including of trafficking cases.", "Ul. Bolshaya Dmitrovka 15a",
        agreements=[(COOPERATION, "Cooperation on countering human trafficking", -5, -1)],
        services=[Svc("Complaints about investigations", ["legal_aid"], "", WORKDAYS, ["ru"])]),
    Org("Prosecutor's Office of the Republic of Karelia", T.PROSECUTION, "Petrozavodsk", "",
        "Regional prosecutor's office.", "Ul. Kirova 11",
        services=[Svc("Reception of citizens", ["legal_aid"], "", "MO,WE 10:00-13:00", ["ru"])]),
    # --- Health --------------------------------------------------------------------------------
    Org("Moscow City Centre for TB Control", T.HEALTH, "Moscow", "MNPC borby s tuberkulezom",
        "Diagnosis and treatment of tuberculosis, free of charge for migrants under the health project.",
        "Ul. Stromynka 10", agreements=[(CONTRACT, "TB screening and treatment of migrants", -1, 1)],
        services=[Svc("TB screening and treatment", ["medical_care"],
                      "X-ray screening, sputum tests, treatment and follow-up; no documents required.",
                      "MO-FR 08:00-20:00", ["ru", "uz", "tg"], apply="Walk in or by referral.")]),
    Org("Moscow Regional AIDS Centre", T.HEALTH, "Moscow", "MOTsSPID",
        "HIV testing, counselling and treatment.", "Ul. Shchepkina 61/2",
        services=[Svc("Anonymous HIV testing and counselling", ["medical_care", "psychological_help"],
                      "Anonymous rapid tests and counselling; treatment for those registered in the region.",
                      "MO-FR 09:00-19:00", ["ru", "en"])]),
    Org("St Petersburg AIDS Centre", T.HEALTH, "St Petersburg", "",
        "City centre for prevention and treatment of HIV infection.", "Naberezhnaya Obvodnogo kanala 179",
        services=[Svc("HIV testing and treatment", ["medical_care"], "", "MO-FR 09:00-18:00", ["ru"])]),
    Org("Astrakhan Regional TB Dispensary", T.HEALTH, "Astrakhan", "",
        "TB care for the region, including migrants in compact settlements.", "Ul. Zhelyabova 52",
        services=[Svc("TB diagnosis and treatment", ["medical_care"], "", "MO-SA 08:00-15:00", ["ru", "kk"])]),
    Org("Petrozavodsk City Hospital, department for victims of violence", T.HEALTH, "Petrozavodsk", "",
        "Forensic and medical examination and treatment of victims of violence.", "Ul. Kirova 30",
        services=[Svc("Medical examination of victims of violence", ["medical_care"], "", ROUND_THE_CLOCK, ["ru"])]),
    # --- Social institutions -------------------------------------------------------------------
    Org("Social Adaptation Centre Lyublino", T.SOCIAL, "Moscow", "TsSA Lyublino",
        "City centre for people without a home or documents.", "Ul. Krasnodonskaya 1",
        services=[Svc("Temporary accommodation for adults", ["shelter", "social_support", "documents_migration"],
                      "Up to six months' stay while documents are restored.", ROUND_THE_CLOCK, ["ru"],
                      min_age=18, capacity=40, available=6)]),
    Org("Crisis Centre for Women Nadezhda", T.SOCIAL, "St Petersburg", "Krizisny tsentr Nadezhda",
        "State crisis centre for women and their children.", "Ul. Zvezdnaya 8",
        agreements=[(COOPERATION, "Placement of women referred by the office", -1, 2)],
        services=[Svc("Crisis shelter for women with children", ["shelter", "psychological_help", "social_support"],
                      "Safe accommodation for up to three months, psychologist, lawyer.", ROUND_THE_CLOCK, ["ru"],
                      sexes=["F"], min_age=18, forms=[SEXUAL, LABOUR, DOMESTIC], capacity=20, available=2)]),
    Org("Social Rehabilitation Centre for Minors, Petrozavodsk", T.SOCIAL, "Petrozavodsk", "",
        "Temporary home for children and teenagers in difficult situations.", "Ul. Lenina 12",
        services=[Svc("Shelter for children and teenagers", ["shelter", "education_training", "psychological_help"],
                      "Accommodation, schooling and care until a family solution is found.", ROUND_THE_CLOCK,
                      ["ru"], min_age=0, max_age=17, capacity=25, available=4)]),
    # --- NGOs ----------------------------------------------------------------------------------
    Org("Angel Coalition", T.NGO, "Moscow", "Koalitsiya Angel",
        "Russia's first anti-trafficking partnership of NGOs, created under the auspices of MiraMed Institute: "
        "hotline, shelter and reintegration for women.", "Ul. Malaya Dmitrovka 5",
        contact=("Hotline coordinator", "Programmes"),
        agreements=[(MOU, "Memorandum on the victim referral system", -2, 2),
                    (CONTRACT, "Hotline for at-risk groups and victims of trafficking", -4, -2)],
        services=[
            Svc("Anti-trafficking hotline", ["hotline", "psychological_help"],
                "Information and consultation for people going to work abroad and for victims; referral to help.",
                "MO-FR 09:00-21:00", ["ru", "en", "uk"], hotline="8 800 333 00 16"),
            Svc("Shelter for women victims of trafficking", ["shelter", "psychological_help", "medical_care"],
                "Safe accommodation, medical and psychological care for women trafficked for sexual or labour "
                "exploitation.", ROUND_THE_CLOCK, ["ru", "en"], sexes=["F"], min_age=18,
                forms=[SEXUAL, LABOUR], capacity=12, available=3,
                apply="By referral from the office, police or a partner NGO, after a phone call."),
            Svc("Reintegration support for women", ["reintegration", "social_support", "education_training"],
                "Counselling, vocational training and small grants after return.", WORKDAYS, ["ru"],
                sexes=["F"], min_age=16),
        ]),
    Org("St Petersburg Red Cross", T.NGO, "St Petersburg", "SPb Krasny Krest",
        "Regional branch of the Russian Red Cross; International Cooperation Centre.", "Ul. Sovetskaya 3-ya, 23",
        agreements=[(COOPERATION, "Legal clinic for migrants", -1, 1)],
        services=[
            Svc("Legal clinic for migrants", ["legal_aid", "documents_migration", "employment"],
                "Advice on work permits, registration, unpaid wages and disputes with employers.",
                "TU,TH 10:00-17:00", ["ru", "uz", "tg", "ky"]),
            Svc("Psychological support line", ["psychological_help", "hotline"], "", "MO-FR 10:00-20:00", ["ru"]),
            Svc("Medical aid point", ["medical_care"], "Primary care and referral; TB and HIV counselling.",
                "MO,WE,FR 10:00-16:00", ["ru", "uz"]),
        ]),
    Org("Russian Red Cross", T.NGO, "Moscow", "Rossiysky Krasny Krest",
        "National society: social support, health projects in migrant settlements, tracing of family members.",
        "Cheryomushkinsky proezd 5",
        agreements=[(MOU, "Health care services for migrants in settlements", -3, 1)],
        services=[
            Svc("Social support for migrants and refugees", ["social_support"],
                "Food and hygiene parcels, clothes, help with applications.", "MO-FR 10:00-17:00", ["ru", "en"]),
            Svc("Restoring family links", ["other"], "Tracing of family members lost through migration or conflict.",
                WORKDAYS, ["ru", "en"]),
        ]),
    Org("Russian Red Cross, Astrakhan branch", T.NGO, "Astrakhan", "",
        "Regional branch: help for migrants arriving from Central Asia.", "Ul. Savushkina 6",
        services=[Svc("Humanitarian aid and counselling", ["social_support", "legal_aid"], "",
                      "MO-FR 09:00-17:00", ["ru", "kk", "uz"])]),
    Org("Civic Assistance Committee", T.NGO, "Moscow", "Komitet Grazhdanskoe sodeystvie",
        "Legal, social and humanitarian help to refugees and forced migrants since 1990.", "Ul. Olimpiysky pr. 22",
        services=[
            Svc("Legal aid for refugees and migrants", ["legal_aid", "documents_migration"],
                "Asylum applications, court representation, documents.", "MO,TU,TH 11:00-16:00",
                ["ru", "en", "fr", "ar", "fa"]),
            Svc("Humanitarian aid", ["social_support"], "Clothes, food, school supplies for refugee families.",
                "WE 11:00-16:00", ["ru", "en"]),
        ]),
    Org("Memorial Human Rights Centre, Migration Rights programme", T.NGO, "Moscow", "Migratsiya i Pravo",
        "Network of lawyers for migrants and refugees in the regions.", "Maly Karetny per. 12",
        services=[Svc("Migration and Law lawyers' network", ["legal_aid"],
                      "Free legal consultations and representation in courts.", "MO-FR 10:00-18:00",
                      ["ru", "en", "uz", "tg"])]),
    Org("Sisters, Independent Charitable Centre for Survivors of Sexual Assault", T.NGO, "Moscow", "Syostry",
        "Help for survivors of sexual violence.", "Ul. Tverskaya 10",
        services=[Svc("Helpline for survivors of sexual violence", ["hotline", "psychological_help"],
                      "Anonymous phone and online counselling; accompanying to police and hospital.",
                      "MO-FR 10:00-20:00", ["ru", "en"], sexes=["F"], forms=[SEXUAL],
                      hotline="+7 499 901 02 01")]),
    Org("Doctors to Children", T.NGO, "St Petersburg", "Vrachi detyam",
        "Medical and social help for children and families at risk.", "Ul. Zhukovskogo 5",
        services=[Svc("Medical and social help for children", ["medical_care", "social_support"],
                      "Outreach, medical examination, help with school and documents.", "MO-FR 10:00-19:00",
                      ["ru"], min_age=0, max_age=17)]),
    Org("Stellit", T.NGO, "St Petersburg", "NGO Stellit",
        "Prevention of trafficking among young people; help for children and young victims.", "Ul. Ryleeva 25",
        agreements=[(COOPERATION, "Prevention in schools and orphanages", -2, 0)],
        services=[
            Svc("Support for young victims of trafficking", ["social_support", "psychological_help", "reintegration"],
                "Case management for girls and boys who were exploited, with their families.",
                "MO-FR 10:00-18:00", ["ru"], min_age=12, max_age=23, forms=[SEXUAL, LABOUR, BEGGING]),
            Svc("Prevention sessions for teenagers", ["education_training"], "", "TU,TH 14:00-18:00", ["ru"],
                min_age=12, max_age=17),
        ]),
    Org("ANNA Centre for the Prevention of Violence", T.NGO, "Moscow", "Tsentr ANNA",
        "National hotline for women who suffer violence.", "Ul. Pokrovka 27",
        services=[Svc("National helpline for women", ["hotline", "psychological_help", "legal_aid"],
                      "Counselling and referral to crisis centres across Russia.", "MO-FR 07:00-21:00",
                      ["ru"], sexes=["F"], hotline="8 800 700 06 00")]),
    Org("Petrozavodsk Women's Crisis Centre", T.NGO, "Petrozavodsk", "",
        "Crisis help for women in Karelia; partner of the Petrozavodsk information and consultation centre.",
        "Ul. Anokhina 20",
        services=[Svc("Crisis rooms for women", ["shelter", "psychological_help"],
                      "Two rooms for women and their children, up to one month.", ROUND_THE_CLOCK, ["ru", "fi"],
                      sexes=["F"], min_age=18, capacity=6, available=0)]),
    Org("Astrakhan Centre for Migrants' Rights", T.NGO, "Astrakhan", "",
        "Legal and social help to labour migrants from Central Asia and the Caucasus.", "Ul. Ulyanovykh 8",
        services=[Svc("Consultations for labour migrants", ["legal_aid", "employment", "interpretation"],
                      "Labour contracts, unpaid wages, patents; interpreters of Kazakh and Uzbek.",
                      "MO-SA 10:00-18:00", ["ru", "kk", "uz", "az"])]),
    Org("Children's Shelter Rainbow", T.NGO, "Moscow", "Detsky priyut Raduga",
        "Charitable shelter for children without care, including children of migrants.", "Ul. Lesnaya 9",
        services=[Svc("Shelter for children", ["shelter", "education_training", "medical_care"],
                      "Accommodation, school, medical care.", ROUND_THE_CLOCK, ["ru", "tg", "uz"],
                      min_age=0, max_age=17, capacity=30, available=5)]),
    Org("Tajik Labour Migrants' Association", T.NGO, "Moscow", "Tojikon",
        "Community association: advice and interpretation for migrants from Tajikistan.", "Ul. Bolshaya Ordynka 40",
        services=[Svc("Advice and interpretation in Tajik", ["interpretation", "employment", "social_support"], "",
                      "SA,SU 10:00-16:00", ["tg", "ru"], nationalities=["TJ"])]),
    Org("La Strada Moldova", T.NGO, "Chisinau", "",
        "Anti-trafficking NGO; trained the Angel Coalition in hotline management.", "Str. Bucuresti 68",
        services=[Svc("Trust line for migrants and victims", ["hotline", "reintegration"],
                      "Information before leaving, help for victims abroad and after return.", "MO-SA 08:00-20:00",
                      ["ro", "ru"], hotline="+373 22 23 33 09")]),
    # --- International organisations ------------------------------------------------------------
    Org("World Health Organization, Moscow office", T.INTERNATIONAL, "Moscow", "WHO",
        "WHO Country Office in the Russian Federation.", "Ul. Ostozhenka 28", website="https://www.who.int",
        services=[]),
    Org("UNHCR Representation in the Russian Federation", T.INTERNATIONAL, "Moscow", "UNHCR",
        "UN Refugee Agency: refugee status, protection, resettlement.", "Ul. Mytnaya 1",
        website="https://www.unhcr.org",
        agreements=[(COOPERATION, "Resettlement processing of UNHCR cases", -5, 1)],
        services=[Svc("Counselling of asylum seekers and refugees", ["legal_aid", "documents_migration"],
                      "Registration of asylum seekers, protection counselling, resettlement.", "MO,TU,TH 09:30-13:00",
                      ["ru", "en", "fr", "fa", "ar"])]),
    Org("International Labour Organization, Moscow office", T.INTERNATIONAL, "Moscow", "ILO",
        "Decent Work Team for Eastern Europe and Central Asia.", "Petrovka ul. 15", website="https://www.ilo.org",
        services=[Svc("Information on labour rights of migrant workers", ["employment"], "", WORKDAYS, ["ru", "en"])]),
    Org("UNICEF Russia", T.INTERNATIONAL, "Moscow", "UNICEF", "United Nations Children's Fund.",
        "Ul. Sivtsev Vrazhek 36", website="https://www.unicef.org", services=[]),
    # --- Embassies and consulates ------------------------------------------------------------
    Org("Embassy of Tajikistan", T.DIPLOMATIC, "Moscow", "Posolstvo Respubliki Tadzhikistan",
        "Consular section: passports and return certificates for nationals of Tajikistan.", "Granatny per. 13",
        services=[Svc("Consular help for nationals of Tajikistan", ["documents_migration", "return_assistance"],
                      "Return certificates, replacement of lost passports, help to victims.", "MO-FR 09:00-13:00",
                      ["tg", "ru"], nationalities=["TJ"])]),
    Org("Embassy of Uzbekistan", T.DIPLOMATIC, "Moscow", "", "Consular section.", "Pogorelsky per. 12",
        services=[Svc("Consular help for nationals of Uzbekistan", ["documents_migration", "return_assistance"], "",
                      "MO-FR 09:00-13:00", ["uz", "ru"], nationalities=["UZ"])]),
    Org("Embassy of Kyrgyzstan", T.DIPLOMATIC, "Moscow", "", "Consular section.", "Ul. Bolshaya Ordynka 64",
        services=[Svc("Consular help for nationals of Kyrgyzstan", ["documents_migration", "return_assistance"], "",
                      "MO-FR 10:00-16:00", ["ky", "ru"], nationalities=["KG"])]),
    Org("Consulate General of Ukraine in St Petersburg", T.DIPLOMATIC, "St Petersburg", "",
        "Consular help for nationals of Ukraine in the North-West.", "Ul. Bonch-Bruevicha 1",
        services=[Svc("Consular help for nationals of Ukraine", ["documents_migration", "return_assistance"], "",
                      "MO-TH 09:00-12:00", ["uk", "ru"], nationalities=["UA"])]),
    Org("Embassy of Moldova", T.DIPLOMATIC, "Moscow", "", "Consular section.", "Ul. Kuznetsky Most 18",
        services=[Svc("Consular help for nationals of Moldova", ["documents_migration", "return_assistance"], "",
                      "MO-FR 09:00-13:00", ["ro", "ru"], nationalities=["MD"])]),
    Org("Embassy of Nigeria", T.DIPLOMATIC, "Moscow", "", "Consular section.", "Ul. Malaya Nikitskaya 13",
        services=[Svc("Consular help for nationals of Nigeria", ["documents_migration", "return_assistance"], "",
                      "MO-FR 10:00-14:00", ["en"], nationalities=["NG"])]),
    # --- Missions of the organisation abroad --------------------------------------------------
    Org("IOM Tirana", T.MISSION, "Tirana", "", "Reception and reintegration of returning victims in Albania.",
        "Rruga Brigada e VIII", agreements=[(COOPERATION, "Return and reintegration of victims", -2, 2)],
        services=[Svc("Reception and reintegration in Albania", ["return_assistance", "reintegration"], "",
                      WORKDAYS, ["sq", "en"], nationalities=["AL"])]),
    Org("IOM Vienna", T.MISSION, "Vienna", "", "Assisted voluntary return from Austria, including to Chechnya.",
        "Nibelungengasse 13", services=[
            Svc("Assisted voluntary return from Austria", ["return_assistance"], "", WORKDAYS, ["de", "en", "ru"])]),
    Org("IOM Chisinau", T.MISSION, "Chisinau", "", "Rehabilitation centre and reintegration of victims in Moldova.",
        "Str. Sfatul Tarii 27", services=[
            Svc("Rehabilitation centre in Chisinau", ["shelter", "medical_care", "reintegration"], "",
                ROUND_THE_CLOCK, ["ro", "ru"], nationalities=["MD"], forms=[SEXUAL, LABOUR, BEGGING])]),
    Org("IOM Tashkent", T.MISSION, "Tashkent", "", "Reception of returning migrants and victims in Uzbekistan.",
        "Ul. Amir Temur 16", services=[
            Svc("Reception at Tashkent airport and reintegration", ["return_assistance", "reintegration"], "",
                WORKDAYS, ["uz", "ru", "en"], nationalities=["UZ"])]),
    Org("IOM Dushanbe", T.MISSION, "Dushanbe", "", "Reception and reintegration in Tajikistan.", "Ul. Rudaki 22",
        services=[Svc("Reintegration grants in Tajikistan", ["reintegration"], "", WORKDAYS, ["tg", "ru"],
                      nationalities=["TJ"])]),
    Org("Caritas Austria", T.NGO, "Vienna", "Caritas Österreich",
        "Return counselling and reintegration projects, including for families returning to Chechnya.",
        "Albrechtskreithgasse 19-21",
        services=[Svc("Return counselling", ["return_assistance", "social_support"], "", WORKDAYS,
                      ["de", "ru", "en"])]),
    # --- Religious structures -------------------------------------------------------------------
    Org("Synodal Department for Church Charity", T.RELIGIOUS, "Moscow", "Sinodalny otdel po blagotvoritelnosti",
        "Charity service of the Russian Orthodox Church: houses for mothers, help for homeless people.",
        "Ul. Dubininskaya 8",
        services=[Svc("House for mothers with children", ["shelter", "social_support"],
                      "Accommodation for pregnant women and mothers with children in crisis.", ROUND_THE_CLOCK,
                      ["ru"], sexes=["F"], capacity=18, available=1)]),
    Org("Spiritual Administration of Muslims of the Russian Federation", T.RELIGIOUS, "Moscow", "DUM RF",
        "Moscow Cathedral Mosque; help for migrants from Central Asia.", "Vypolzov per. 7",
        services=[Svc("Help and advice for Muslim migrants", ["social_support", "interpretation"], "",
                      "FR 10:00-15:00", ["ru", "tg", "uz", "ky", "ar"])]),
    # --- Media, donors, academic -----------------------------------------------------------------
    Org("Union of Journalists of Russia", T.MEDIA, "Moscow", "",
        "Trainings for journalists on reporting on trafficking without harming victims.", "Zubovsky bulvar 4",
        services=[]),
    Org("Delegation of the European Union to Russia", T.DONOR, "Moscow", "EU Delegation",
        "Funds counter-trafficking, readmission and border projects.", "Ul. Kadashevskaya nab. 14",
        agreements=[(CONTRACT, "Grant: prevention of trafficking in the Russian Federation", -3, 0)], services=[]),
    Org("US Department of State, Bureau of Population, Refugees and Migration", T.DONOR, "Moscow", "PRM",
        "Funds resettlement processing.", "Bolshoy Deviatinsky per. 8", services=[]),
    Org("Higher School of Economics, Institute of Demography", T.ACADEMIC, "Moscow", "HSE",
        "Research on labour migration and access of migrants to health care.", "Ul. Myasnitskaya 20",
        services=[]),
]

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_HOURS = re.compile(r"^(?P<days>[A-Z,\-]+) (?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)$")


def parse_hours(text: str) -> tuple[str, datetime.time, datetime.time]:
    """"MO-FR 09:00-18:00" -> ("MO,TU,WE,TH,FR", 09:00, 18:00)."""
    match = _HOURS.match(text)
    if match is None:
        raise ValueError(f"Hours not understood: {text!r}")
    days = []
    for part in match["days"].split(","):
        first, _, last = part.partition("-")
        days += DAY_CODES[DAY_CODES.index(first):DAY_CODES.index(last or first) + 1]
    return (",".join(days), datetime.time.fromisoformat(match["opens"]),
            datetime.time.fromisoformat(match["closes"]))


def fake_number(prefix: str, seed: str) -> str:
    """A made-up number in the city's format, the same at every load."""
    digits = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**7
    text = f"{digits:07d}"
    return f"{prefix} {text[:3]}-{text[3:5]}-{text[5:]}"


def _slug(name: str) -> str:
    # Cut before stripping: a hyphen left at the cut would make an invalid e-mail domain.
    return re.sub(r"[^a-z0-9]+", "-", name.lower())[:40].strip("-")


def _years(today: datetime.date, years: int) -> datetime.date:
    return today.replace(year=today.year + years, day=min(today.day, 28))


def _set_hours(owner: dict, text: str, description: str = "") -> None:
    byday, opens, closes = parse_hours(text)
    Schedule.objects.create(byday=byday, opens_at=opens, closes_at=closes, freq="WEEKLY", wkst="MO",
                            description=description, **owner)


def _load_organisation(spec: Org, today: datetime.date) -> tuple[Organisation, int]:
    region, country, prefix = PLACES[spec.city]
    slug = _slug(spec.alternate or spec.name)
    organisation, _ = Organisation.objects.update_or_create(name=spec.name, defaults={
        "alternate_name": spec.alternate, "organisation_type": spec.kind, "description": spec.description,
        "city": spec.city, "region": region, "country": country, "website": spec.website,
        "email": f"info@{slug}.example", "is_active": True, "last_modified": timezone.now(),
    })
    for identifier_type, identifier in spec.identifiers:
        OrganizationIdentifier.objects.update_or_create(
            organization=organisation, identifier_type=identifier_type,
            defaults={"identifier": identifier, "identifier_scheme": "RU-OGRN"})
    location, _ = Location.objects.update_or_create(
        organization=organisation, name=spec.alternate or spec.name,
        defaults={"location_type": LocationType.PHYSICAL, "description": ""})
    Address.objects.update_or_create(location=location, address_type=LocationType.PHYSICAL, defaults={
        "address_1": spec.address or "—", "city": spec.city, "region": region, "country": country})
    location.phones.all().delete()
    location.schedules.all().delete()
    Phone.objects.create(location=location, organization=organisation, number=fake_number(prefix, spec.name),
                         type="voice", description="Reception")
    _set_hours({"location": location}, spec.hours)
    if spec.contact[0]:
        contact, _ = Contact.objects.update_or_create(
            organization=organisation, service=None, name=spec.contact[0],
            defaults={"title": spec.contact[1], "email": f"contact@{slug}.example"})
        contact.phones.all().delete()
        Phone.objects.create(contact=contact, organization=organisation, type="voice",
                             number=fake_number(prefix, spec.name + spec.contact[0]))
    for kind, title, start, until in spec.agreements:
        Agreement.objects.update_or_create(organisation=organisation, title=title, defaults={
            "kind": kind, "signed_on": _years(today, start), "valid_from": _years(today, start),
            "valid_until": _years(today, until) if until else _years(today, 0) + datetime.timedelta(days=45),
        })
    for svc in spec.services:
        _load_service(organisation, location, svc, prefix)
    return organisation, len(spec.services)


def _load_service(organisation: Organisation, location: Location, spec: Svc, prefix: str) -> Service:
    now = timezone.now()
    service, _created = Service.objects.update_or_create(
        organization=organisation, name=spec.name,
        defaults={
            "description": spec.description, "status": spec.status, "minimum_age": spec.min_age,
            "maximum_age": spec.max_age, "accepts_sexes": spec.sexes, "accepts_nationalities": spec.nationalities,
            "accepts_exploitation_types": [str(form) for form in spec.forms], "capacity": spec.capacity,
            "application_process": spec.apply, "fees_description": spec.fees, "last_modified": now,
        },
        create_defaults={
            "description": spec.description, "status": spec.status, "minimum_age": spec.min_age,
            "maximum_age": spec.max_age, "accepts_sexes": spec.sexes, "accepts_nationalities": spec.nationalities,
            "accepts_exploitation_types": [str(form) for form in spec.forms], "capacity": spec.capacity,
            "application_process": spec.apply, "fees_description": spec.fees, "last_modified": now,
            "available": spec.available, "accepting_referrals": spec.accepting,
            "availability_updated_at": now if spec.available is not None else None,
        },
    )
    taxonomy.set_service_types(service, spec.types)
    ServiceAtLocation.objects.get_or_create(service=service, location=location)
    service.languages.all().delete()
    service.schedules.all().delete()
    service.phones.all().delete()
    Language.objects.bulk_create([Language(service=service, code=code) for code in spec.languages])
    if spec.hours:
        _set_hours({"service": service}, spec.hours)
    if spec.hotline:
        Phone.objects.create(service=service, number=spec.hotline, type="voice", description="Hotline")
    else:
        Phone.objects.create(service=service, number=fake_number(prefix, organisation.name + spec.name), type="voice")
    return service


@transaction.atomic
def load(stdout) -> None:
    taxonomy.ensure_service_types()
    taxonomy.ensure_organisation_types()
    today = timezone.localdate()
    services = 0
    for spec in ORGANISATIONS:
        _organisation, count = _load_organisation(spec, today)
        services += count
    stdout.write(f"Partner directory: {len(ORGANISATIONS)} organisations, {services} services.")
