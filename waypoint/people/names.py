"""Given names that transliteration alone cannot connect: one name in its Russian, Ukrainian,
Belarusian and usual Western-document forms.

Only forms of the *same* name belong in a group (Aleksandr/Oleksandr/Alexander), never hypocoristics
(Sasha) or merely related names, because a group entry makes two different spellings count almost as
an exact match.  Spellings that the skeleton already merges (Yulia/Iuliia/Julia, Grigorii/Hryhorii,
Olga/Olha) need no entry; one spelling per form is enough, since every spelling is reduced to its
skeleton.
"""

GIVEN_NAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Aleksandr", "Alexander", "Oleksandr", "Aliaksandr", "Alexandre", "Aleksander"),
    ("Aleksandra", "Alexandra", "Oleksandra", "Aliaksandra"),
    ("Aleksei", "Alexei", "Oleksii", "Aliaksei", "Alexej"),
    ("Andrei", "Andrii", "Andrej", "Andrzej", "Andrey"),
    ("Anna", "Hanna", "Ganna"),
    ("Vladimir", "Volodymyr", "Uladzimir", "Wladimir", "Włodzimierz"),
    ("Dmitrii", "Dmytro", "Dzmitry"),
    ("Nikolai", "Mykola", "Mikalai", "Nicolai", "Nikolaj"),
    ("Mikhail", "Mykhailo", "Mikhal", "Michail"),
    ("Evgenii", "Yevhen", "Eugen", "Jewgeni"),
    ("Evgeniia", "Yevheniia", "Eugenia"),
    ("Elena", "Olena", "Alena", "Helena"),
    ("Ekaterina", "Kateryna", "Katsiaryna", "Katarzyna"),
    ("Pavel", "Pavlo", "Paval", "Paweł"),
    ("Petr", "Petro", "Piotr", "Pyotr"),
    ("Fedor", "Fedir", "Fiodar", "Theodor"),
    ("Vasilii", "Vasyl", "Vasil", "Wassili"),
    ("Kirill", "Kyrylo", "Kiryl", "Cyril"),
    ("Tatiana", "Tetiana", "Tatsiana"),
    ("Nadezhda", "Nadiia", "Nadzeia"),
    ("Svetlana", "Svitlana", "Sviatlana"),
    ("Vera", "Vira", "Wiera"),
    ("Konstantin", "Kostiantyn", "Kanstantsin", "Constantin"),
    ("Timofei", "Tymofii", "Tsimafei"),
    ("Iakov", "Yakiv", "Jakub", "Jakob"),
    ("Sergei", "Serhii", "Siarhei", "Sergiusz"),
    ("Iosif", "Josef", "Yosyp", "Joseph"),
    ("Georgii", "Heorhii", "Giorgi", "George"),
    ("Mariia", "Mariya", "Maryia", "Marie"),
    ("Olga", "Volha"),
    ("Ilia", "Illia", "Ilya", "Ilja"),
    ("Anatolii", "Anatol"),
    ("Muhammad", "Mukhammad", "Mohammad", "Mohammed", "Muhammed", "Mahammad", "Mukhammed"),
    ("Iusuf", "Yusuf", "Iusup", "Yusup", "Yousef", "Jusuf"),
    ("Abdulla", "Abdullah", "Abdullo"),
    ("Mahmud", "Makhmud", "Mahmoud", "Mahmood"),
    ("Ahmad", "Akhmed", "Ahmed", "Akhmad"),
    ("Gulnara", "Gulnora"),
    ("Shahnoza", "Shakhnoza"),
)
