"""Who the return demo's cases are (`demo.py` writes them in bulk, `demo_pipeline.py` adds the cases in progress):
the AVRR pilot's returnees by nationality and category, and the Chechen families returning from Austria, each a
story of people, roles, project, route and departure day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from waypoint.cases.models import (
    MemberRole,
)

from .models import (
    Category,
)

PILOT, CHECHNYA = "AVRR pilot 2026", "Return to the Chechen Republic from Austria"
# Nationality: (weight, capital, given names, family names)
ORIGINS = {
    "GH": (14, "Accra", "Kwame Kofi Kwabena Yaw Kojo Ama Akosua Abena", "Mensah Owusu Boateng Asante Osei Addo"),
    "AF": (12, "Kabul", "Ahmad Mohammad Farid Hamid Nasir Zahra Maryam", "Rahimi Ahmadzai Karimi Noori Sultani"),
    "BO": (4, "La Paz", "Juan Carlos Luis Jorge María Ana", "Quispe Mamani Flores Choque Condori"),
    "NG": (13, "Lagos", "Chinedu Emeka Oluwaseun Ibrahim Ngozi Adaeze", "Okafor Adeyemi Eze Bello Okonkwo"),
    "ET": (8, "Addis Ababa", "Abebe Dawit Tesfaye Haile Almaz Tigist", "Bekele Getachew Tadesse Girma Kebede"),
    "CD": (7, "Kinshasa", "Jean Patrick Joseph Trésor Marie Grâce", "Mukendi Ilunga Kasongo Mbuyi Kalala"),
    "PK": (9, "Islamabad", "Imran Bilal Usman Asad Ayesha Fatima", "Khan Qureshi Malik Hussain Butt"),
    "KE": (6, "Nairobi", "John Peter Brian Kevin Grace Mercy", "Otieno Mwangi Kamau Wanjiru Odhiambo"),
    "BI": (4, "Bujumbura", "Jean Claude Pierre Eric Aline Diane", "Ndayishimiye Niyonzima Hakizimana Bizimana"),
    "GE": (5, "Tbilisi", "Giorgi David Levan Irakli Nino Tamar", "Beridze Kapanadze Gelashvili Lomidze"),
    "CM": (3, "Yaoundé", "Paul Samuel Joseph Emmanuel Brigitte", "Mbarga Fouda Nkoulou Essomba"),
}
CHECHEN_M = ("Ruslan", "Aslan", "Magomed", "Khasan", "Ramzan", "Adam", "Ibragim", "Salman", "Islam", "Zelimkhan",
    "Alikhan", "Akhmed")
CHECHEN_F = ("Khava", "Zarema", "Madina", "Aminat", "Malika", "Petimat", "Zulikhan", "Kheda", "Luiza", "Raisa",
    "Milana", "Yakha")
CHECHEN_FAMILY = ("Dudayev", "Khadzhiev", "Magomadov", "Bisultanov", "Saidov", "Umarov", "Tsurov", "Israilov",
    "Elmurzaev", "Askhabov")
CATEGORY_SHARES = ((Category.LABOUR_MIGRANT, 38), (Category.CONTRACT_STUDENT, 24), (Category.TRANSIT_MIGRANT, 22),
                   (Category.ASYLUM_SEEKER, 16))
STATUS_FOR = {Category.LABOUR_MIGRANT: "expired_permit", Category.CONTRACT_STUDENT: "stranded_student",
              Category.TRANSIT_MIGRANT: "stranded_transit", Category.ASYLUM_SEEKER: "rejected_asylum"}


class Planning:
    """The stories of the returned cases (mixed into `demo.Demo`, which holds `rng`, `today`, `projects`,
    `embassies`, `missions`, `grozny` and `stories`)."""

    # --- Planning -----------------------------------------------------------------------------------------
    def _person(self, given: str, family: str, sex: str, born: datetime.date, nationality: str) -> dict:
        return {"given_name": given, "family_name": family, "sex": sex, "birth_date": born,
                "citizenships": [nationality]}

    def _plan_pilot(self) -> None:
        rng = self.rng
        codes = list(ORIGINS)
        weights = [ORIGINS[c][0] for c in codes]
        individuals = 0
        while individuals < 85:
            nationality = rng.choices(codes, weights)[0]
            _w, city, given, family = ORIGINS[nationality]
            surname = rng.choice(family.split())
            size = min(rng.choices((1, 2, 3), (85, 8, 7))[0], 85 - individuals)
            age = rng.randint(19, 45)
            people = [self._person(rng.choice(given.split()), surname, rng.choice("MMMF"),
                                   self.today - datetime.timedelta(days=365 * age + rng.randint(0, 300)),
                                   nationality)]
            roles = [MemberRole.PRINCIPAL]
            for extra in range(size - 1):
                child = extra > 0 or rng.random() < 0.4
                born = self.today - datetime.timedelta(days=365 * (rng.randint(1, 12) if child else age - 2))
                people.append(self._person(rng.choice(given.split()), surname, rng.choice("MF"), born, nationality))
                roles.append(MemberRole.CHILD if child else MemberRole.SPOUSE)
            individuals += size
            departed = self.today - datetime.timedelta(days=rng.randint(5, 360))
            category = rng.choices([c for c, _s in CATEGORY_SHARES], [s for _c, s in CATEGORY_SHARES])[0]
            self.stories.append({
                "project": self.projects[PILOT], "nationality": nationality, "destination": nationality,
                "region": city, "people": people, "roles": roles, "category": category,
                "status": STATUS_FOR[category], "departed": departed, "origin": ("Moscow", "RU"),
                "to": (city, nationality), "embassy": self.embassies[nationality],
                "receiver": self.missions[nationality], "plan": None, "last_step": "close" if
                departed < self.today - datetime.timedelta(days=60) else "arrive"})

    def _plan_chechnya(self) -> None:
        rng = self.rng
        for number in range(30):
            surname = rng.choice(CHECHEN_FAMILY)
            size = rng.randint(3, 6)
            father = self._person(rng.choice(CHECHEN_M), surname, "M",
                                  self.today - datetime.timedelta(days=365 * rng.randint(30, 50)), "RU")
            people, roles = [father], [MemberRole.PRINCIPAL]
            people.append(self._person(rng.choice(CHECHEN_F), surname + "a", "F",
                                       self.today - datetime.timedelta(days=365 * rng.randint(26, 45)), "RU"))
            roles.append(MemberRole.SPOUSE)
            for _child in range(size - 2):
                sex = rng.choice("MF")
                name = rng.choice(CHECHEN_M if sex == "M" else CHECHEN_F)
                people.append(self._person(name, surname + ("a" if sex == "F" else ""), sex,
                                           self.today - datetime.timedelta(days=365 * rng.randint(1, 17)), "RU"))
                roles.append(MemberRole.CHILD)
            departed = self.today - datetime.timedelta(days=rng.randint(20, 420) if number else 400)
            self.stories.append({
                "project": self.projects[CHECHNYA], "nationality": "RU", "destination": "RU",
                "region": "Chechen Republic", "people": people, "roles": roles,
                "category": Category.ASYLUM_SEEKER, "status": "rejected_asylum", "departed": departed,
                "origin": ("Vienna", "AT"), "to": ("Grozny", "RU"), "embassy": self.embassies["RU"],
                "receiver": self.grozny, "plan": Decimal(rng.choice((3000, 3500, 4000, 5000))),
                "last_step": "start_monitoring"})
