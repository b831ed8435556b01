"""Stage cues and Arabic clitics as general rules (issue 10): a business's age from a year, opening now,
handing a business over, Arabizi and hamza spellings, and place names with an attached preposition even when
whole messages of the language data made the attached form a known word."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.understanding.business_cues import stage_cue
from bot.understanding.evaluate import understander
from bot.understanding.normalize import normalize_clauses, strip_clitics
from tests.support.understanding import heard


def cue(text: str) -> str | None:
    return stage_cue(normalize_clauses(text))  # as `understand` reads a message: its clauses marked


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("On fabrique des pièces en aluminium à Saguenay depuis 1994", "established"),
        (f"we've been operating since {dt.date.today().year - 1}", "startup"),
        ("منذ 2001 ونحن في السوق", "established"),
        ("chu en train de partir ma shop de soudure", "startup"),
        ("we are in the process of launching our app", "startup"),
        ("Mon père veut me passer l'entreprise familiale", "succession"),
        ("I'm handing over the company to my daughter", "succession"),
        ("nheb nechri l'entreprise ta3 patron ta3i", "succession"),
        ("rani nheb nftah atelier", "idea"),
        ("عندي مزرعة ونحب نوسعها", "growth"),
        ("نبيع المؤسسة تاعي", "succession"),  # ؤ is written و once normalised: the noun still matches
        ("Je cherche des ressources pour lancer une entreprise de traiteur", "idea"),  # the aim, not done
        ("looking for help to start a daycare", "idea"),
        ("j'ai un projet de vignoble dans les Cantons", "idea"),
        ("my project is a zero-waste grocery", "idea"),
        ("on a 2 succursales et on en ouvre une 3e", "growth"),
        ("we're opening a second location next spring", "growth"),
        ("looking for resources to grow my consulting business", "growth"),
        ("l'entreprise existe depuis 3 générations", "established"),
        ("My wife and I bought a motel in Percé", "succession"),
        ("j'ai hérité du dépanneur de ma mère", "succession"),
        ("I'm starting a cleaning business", "startup"),
        # third pass: one modifier before the noun, a pronoun for a business named earlier, a buyer sought
        ("I'm buying a dental clinic in Laval", "succession"),
        ("je reprends la boucherie familiale", "succession"),
        ("la quincaillerie de mon père, on veut la reprendre", "succession"),
        ("la boutique, je l'ai achetée d'une dame qui prenait sa retraite", "succession"),
        ("my shop is doing fine but I want to sell it", "succession"),
        ("mon garage roule bien, comment trouver un acheteur?", "succession"),
        # recent or not yet: "passé", "last", "l3am li fat"; "pas encore", "yet", "mazal ma"
        ("on a lancé le printemps passé", "startup"),
        ("we opened last year in Lévis", "startup"),
        ("bdit l3am li fat", "startup"),
        ("on n'a pas encore ouvert", "idea"),
        ("we haven't launched yet", "idea"),
        ("mazal ma bdinach", "idea"),
        ("مازال ما بدينا", "idea"),
        # a business's age said with "has": "notre entreprise a 15 ans", "12 ans d'existence"
        ("notre entreprise de BTP a 15 ans", "established"),
        ("une fromagerie, 12 ans d'existence", "established"),
        # ninth pass: a start dated far after the verb, "just" opened, an age in words or "in activity", a
        # business handed to a relative, a side activity becoming a business, outgrowing the premises
        ("on a lancé une appli de gestion d'inventaire pour les restos il y a un an", "startup"),
        ("My wife and I opened a B&B in Gaspé last spring", "startup"),
        ("Je viens de lancer ma boutique", "startup"),
        ("مؤسستي تنشط منذ خمسة عشر عاما", "established"),
        ("3andna 20 ans f l'activité", "established"),
        ("l'entreprise existe pas encore, j'écris mon plan d'affaires", "idea"),
        ("j'ai une érablière depuis 12 ans, je pense vendre à mon neveu", "succession"),
        ("حاب نخلي المؤسسة لولدي", "succession"),
        ("people keep asking us, could we turn it into a real shop?", "idea"),
        ("j'aimerais en faire une vraie entreprise", "idea"),
        ("demand is through the roof, I need a bigger workshop", "growth"),
        ("on cherche un local plus grand", "growth"),
        ("عندي كار تاع النقل، حاب نزيد كارات أخرين", "growth"),
        # tenth pass: firsts (first customers, first contract), numbers rising (sales, demand, staff from N
        # to M), a start in a month of this year, "this year" in Darija, a decade, an age "it has"
        ("on a signé notre premier contrat la semaine dernière", "startup"),
        ("we finally have our first paying customers", "startup"),
        ("جانا أول زبون البارح", "startup"),
        ("nos ventes explosent depuis l'automne", "growth"),
        ("the demand keeps growing every month", "growth"),
        ("الطلبات زادت بزاف", "growth"),
        ("lcommandes kethrou 3lina", "growth"),
        ("on est passés de 4 à 11 employés", "growth"),
        ("we went from 2 to 9 stores", "growth"),
        ("on a ouvert en février", "startup"),
        ("on a ouvert en février 2009", "established"),  # a month, but the year says it is long past
        ("fta7t l7anout had l3am", "startup"),
        ("une quincaillerie qui roule depuis les années 70", "established"),
        ("we've been around since the 80s", "established"),
        ("الشركة خدامة منذ التسعينات", "established"),
        ("la boite fiha 20 ans", "established"),
        # eleventh pass (held-out 8): sales doubled, the business itself grew, one more of what it runs, an
        # Arabizi wish to open
        ("ضاعفنا المبيعات هذا العام", "growth"),
        ("الشركة تاعي كبرت بزاف", "growth"),
        ("company grew a lot this year", "growth"),
        ("nheb nzid machine w n3ayen khdam ekhor", "growth"),
        ("rana nkhemmo n7ellou atelier ta3 khiata", "idea"),
        # fifteenth pass (held-out 15): a year named alone is one ("a year and a half"), a purchase told in
        # the past in Darija, an acquisition in MSA
        ("lbusiness ta3i fih 3am w nos", "startup"),
        ("المشروع تاعي فيه عام ونص", "startup"),
        ("شريت المؤسسة من مولاها العام اللي فات", "succession"),
        ("ما هي الإجراءات لاقتناء مؤسسة قائمة من مالكها الذي سيتقاعد؟", "succession"),
        ("مشروعي في مجال التكنولوجيا ولم يبدأ بعد", "idea"),  # MSA: not started yet
        ("nheb nhal salon de coiffure f Tlemcen", "idea"),
        # the business named before a verb with "it" attached
        ("عندي محل فوهران وحاب نبيعها", "succession"),
        ("sahbi 3andou usine f Bordj w yheb ybi3ha", "succession"),
        # sixteenth pass (held-out 18, 19): selling said without an object at a clause's end, "take it
        # over", an opening dated a season or more ahead, one more of what the business runs, MSA's glued
        # purpose, an established business setting out for a new market
        ("j'ai une quincaillerie depuis 30 ans et je songe à vendre.", "succession"),
        ("عندي مخبزة في تيارت من 20 سنة وحاب نبيعو، كيفاش؟", "succession"),
        ("our family bakery is 40 years old and my nephew wants to take it over", "succession"),
        ("je démarre une fromagerie l'été prochain", "idea"),
        ("we're launching our cidery next fall", "idea"),
        ("nfta7 salon de thé l3am ljay", "idea"),
        ("on veut acheter un autre camion pour la compagnie", "growth"),
        ("we'd like to add a bottling line", "growth"),
        ("أسعى إلى الحصول على قرض لإنشاء مصنع للأعلاف", "idea"),
        ("notre ébénisterie roule depuis 25 ans et on veut percer le marché américain", "growth"),
        # seventeenth pass: "just" between "vient" and "de", registering as a start
        ("on vient juste d'immatriculer notre entreprise de drones", "startup"),
        ("je viens tout juste d'ouvrir ma boutique", "startup"),
        ("je viens à peine de m'enregistrer comme entreprise", "startup"),
        ("du financement pour l'achat d'une pharmacie", "succession"),  # buying, said as a noun
        # twenty-seventh pass: the age as a fact of a list, a start year after "créée", a long life without
        # a number, a start last season or year, summers counted
        ("Boulangerie artisanale, 18 ans, Rimouski", "established"),
        ("شركة نقل، 12 سنة، سطيف", "established"),
        ("notre agence a été créée en 2011", "established"),
        ("my shop has been open for many years", "established"),
        ("notre commerce existe depuis des années", "established"),
        ("عندي محل من سنين", "established"),
        ("la boutique roule depuis l'été passé", "startup"),
        ("our bakery has been open since last spring", "startup"),
        ("3andi 7anout men l3am li fat", "startup"),
        ("الشركة تاعي عندها عام", "startup"),
        ("on a notre cantine mobile depuis 2 étés", "startup"),
        # begun this year, a second season, a young business
        ("ma boutique de vélos roule depuis mars", "startup"),
        ("notre entreprise de déneigement existe depuis cet hiver", "startup"),
        ("Pourvoirie de chasse, deuxième saison, en Abitibi", "startup"),
        ("our bakery celebrated its first anniversary", "startup"),
        ("on est une jeune entreprise de design à Laval", "startup"),
        ("عندي صيدلية جديدة في باتنة", "startup"),
        ("j'ai fondé ma compagnie de traduction avec deux amies le printemps passé", "startup"),
        # growth: hiring more, one more of what makes the goods, adding to a business running for years, a
        # new market in other words
        ("notre garage veut embaucher deux autres mécaniciens", "growth"),
        ("عندي مخبزة فيها 4 عمال ونحب نزيد خدامين", "growth"),
        ("on cherche du financement pour notre troisième entrepôt", "growth"),
        ("we need a loan for a new assembly line", "growth"),
        ("notre gîte roule depuis 12 ans et on veut ajouter un spa", "growth"),
        ("notre imprimerie existe depuis 1999 et on veut s'étendre en Ontario", "growth"),
        ("مؤسستنا تعمل منذ 2005 ونريد دخول أسواق جديدة", "growth"),
        # Modern Standard Arabic: "not yet" around any form of starting, handing over and inheriting, "just"
        ("لدي فكرة مطعم لم أفتحه بعد", "idea"),
        ("يريد عمي أن يتنازل لي عن صيدليته، وهي محل معروف", "succession"),
        ("سنرث الشركة عن والدنا", "succession"),
        ("نريد نقل مؤسستنا العائلية إلى الجيل الثالث", "succession"),
        ("افتتحت للتو محلا للحلويات", "startup"),
    ],
)
def test_open_ended_stage_cues(text: str, stage: str) -> None:
    assert cue(text) == stage


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 67 ans et je cherche du financement",  # a person's age, not a business's
        "en 2027 on verra",  # a year without "since"
        "Y a-tu de quoi pour les jeunes de moins de 35 ans qui partent une business?",  # an age limit
        "je passe mon tour",  # passing, but no business after it
        "on cherche de l'aide pour un projet de R-D avec une université",  # research, not a new venture
        "je veux vendre à mon neveu ma vieille voiture",  # to a relative, but no business named
        "3andi 30 ans w nheb nkhdem",  # a person's age in Arabizi
        "on cherche un grand local",  # big, but no comparison: no growth said
        "could that become a habit?",  # becoming, but not a business
        "acheter de l'équipement pour mon entreprise",  # buying, but not the business
        "I want to buy a new truck for my farm",  # one word before a noun that is no business
        "je veux la vendre, ma vieille voiture",  # a pronoun, but no business named before it
        "mon fils a 15 ans",  # "has N years": a person
        "je veux acheter une maison",
        "c'est mon premier message ici",  # a first, but no sale
        "on est ouverts de 9 à 17 heures",  # from N to M, but hours, not staff
        "je cherche un prêt de 50 à 100 mille",  # from N to M, but money
        "depuis 90 jours je cherche un local",  # a number after "depuis", not a decade
        "les loyers augmentent partout",  # something rising that is not the business's
        "nheb ndir formation f marketing",  # a wish to do something, not to open something
        "شريت طوموبيل العام اللي فات",  # bought last year, but a car, not a business
        "عندي عام ونص فالخدمة",  # a year and a half, but no business named: a person's time in a job
        "3andi tomobil w nheb nbi3ha",  # selling "it", but "it" is a car
        "which stocks should I buy?",  # buying at a clause's end: only selling speaks of the business
        "on ouvre le mois prochain, le bail est signé",  # next month: imminent (writers say start-up)
        "I need a loan to buy two trucks",  # equipment bought, nothing more of it
        "we want to break into the European market",  # a new market, but no business running for years
        "نحتاج استشارة قانونية لتأسيس شركة",  # incorporating a firm: not said to be new
        "je viens juste de finir mon bac",  # just done, but not an opening
        "mon entreprise a besoin de conseils pour l'achat d'équipement",  # a purchase, not of the business
        "Plomberie, 18 ans d'expérience, Laval",  # years followed by what they are of: a person's career
        "un prêt pour mon entreprise, sur 10 ans",  # a term, not an age: "sur" before the number
        "depuis des années je rêve de voyager",  # a long time, but no business named
        "depuis l'été passé je cherche un emploi",  # since last summer, but no business named
        "my shop has been slow since the summer",  # slow since a season: no start told
        "je cherche du financement pour une nouvelle usine",  # one more plant (growth words, not its age)
        "جارنا فتح حانوت جديد",  # someone else opened a new shop
        "on veut automatiser notre ligne de production",  # the line it has, made better: no growth
        "we need to hire a welder",  # one hire, not more than it has
        "لم أتلق ردا بعد من البنك",  # not yet, but a reply, not a start
        "سنرث البيت عن جدتنا",  # inheriting a house, no business named
        "on ne veut pas embaucher d'autres employés",  # refused
    ],
)
def test_no_stage_without_a_cue(text: str) -> None:
    assert cue(text) is None


def test_an_aim_to_open_overrides_a_start_up_synonym() -> None:
    model = understander("quebec")
    assert model.understand("je veux démarrer une entreprise de tourisme", "fr").stage == "idea"
    assert model.understand("comment démarrer une entreprise de paysagement?", "fr").stage == "idea"
    assert model.understand("je démarre une entreprise de paysagement", "fr").stage == "startup"


def test_an_heir_taking_over_a_business_running_for_years_is_a_succession() -> None:
    """The years say established; the child who takes it over says what is happening to it."""
    quebec = understander("quebec")
    said = "on a une compagnie de déneigement depuis 20 ans à Chambly, mon fils veut reprendre"
    assert quebec.understand(said, "fr").stage == "succession"
    assert quebec.understand("J'ai une boulangerie depuis 30 ans, ma fille veut me succéder", "fr").stage == (
        "succession"
    )
    assert quebec.understand("we've had the farm for 25 years and my son wants to take over", "en").stage == (
        "succession"
    )
    # the heir may be the one speaking
    said = "our olive oil mill is 40 years old and my father wants me to take over"
    assert quebec.understand(said, "en").stage == "succession"
    said = "on a un garage depuis 30 ans, mon père prend sa retraite et c'est moi qui reprends"
    assert quebec.understand(said, "fr").stage == "succession"
    # taking over something else is not taking over the business
    said = "j'ai une boulangerie depuis 30 ans, mon fils veut reprendre ses études"
    assert quebec.understand(said, "fr").stage == "established"
    said = "j'ai une boulangerie depuis 30 ans, c'est moi qui reprends mes études"
    assert quebec.understand(said, "fr").stage == "established"


def test_an_age_gives_way_to_a_hand_over_the_stage_model_hears() -> None:
    """The rules read an age as established; the business may still be changing hands in words no rule
    knows, and the stage model, trained on the corpus's messages, hears it."""
    quebec = understander("quebec")
    said = "our roofing company is 30 years old and my dad wants me to take the lead"
    assert quebec.understand(said, "en").stage == "succession"
    assert quebec.understand("our roofing company is 30 years old", "en").stage == "established"


def test_a_succession_named_beside_the_years_it_has_run_wins() -> None:
    """'3e génération' or 'depuis 1978' say established; 'la relève' says what is happening to it now."""
    quebec = understander("quebec")
    said = "Entreprise familiale de sciage, 3e génération, on veut préparer la relève avec nos enfants"
    assert quebec.understand(said, "fr").stage == "succession"
    said = "Entreprise familiale de toitures depuis 1978, mon fils va prendre la relève bientôt"
    assert quebec.understand(said, "fr").stage == "succession"
    assert quebec.understand("Entreprise familiale de toitures depuis 1978", "fr").stage == "established"


def test_opening_another_branch_is_growth_even_where_a_synonym_reads_as_opening_one() -> None:
    """'ouvrir' and 'نفتح' are idea words of the data; opening a second place, a 4th store or another branch
    is growing a business that exists. Opening a first one stays an idea."""
    quebec, algerie = understander("quebec"), understander("algerie")
    assert quebec.understand("on veut ouvrir une deuxième place à Gatineau", "fr").stage == "growth"
    assert quebec.understand("j'ai 3 succursales et j'en ouvre une 4e l'an prochain", "fr").stage == "growth"
    assert algerie.understand("عندي صيدلية في وهران، حاب نفتح فرع ثاني", "ar").stage == "growth"
    assert algerie.understand("nheb nfte7 far3 thani f Oran", "ar").stage == "growth"
    assert quebec.understand("je veux ouvrir une boutique à Gatineau", "fr").stage == "idea"
    assert quebec.understand("on veut ouvrir notre première boutique", "fr").stage == "idea"


def test_a_business_running_for_years_that_means_to_grow_is_at_the_growth_stage() -> None:
    """Years in business read as established; a wish to grow on top of them is growth (the convention of
    docs/language-data.md), a refusal to grow is not."""
    quebec, algerie = understander("quebec"), understander("algerie")
    assert quebec.understand(
        "notre érablière roule depuis 20 ans pis on veut doubler la production"
    ).stage == ("growth")
    assert quebec.understand("We have run our bakery since 2008 and want to expand").stage == "growth"
    assert algerie.understand("الشركة تاعنا خدامة من 1998 وحابين نوسعو", "ar").stage == "growth"
    assert quebec.understand("ma shop marche ben depuis 15 ans, on a pas besoin de grossir").stage == (
        "established"
    )


def test_an_attached_preposition_is_stripped_from_a_place_even_when_the_form_is_known() -> None:
    # "فوهران" (in Oran) is a word of the corpus's messages; it must still be read as Oran, and a word of a
    # fact itself is never cut ("فلاحه", agriculture, is not "ف" + "لاحه").
    known = {"فوهران", "وهران", "فلاحه", "بيع"}
    facts = {"وهران", "فلاحه"}
    assert strip_clitics(["فوهران", "فلاحه", "بيع"], known, facts) == ["وهران", "فلاحه", "بيع"]


@pytest.mark.parametrize(
    ("text", "region"),
    [("راني فوهران", "DZ-31"), ("لعنابة", "DZ-23"), ("كاين حاضنة فقسنطينة؟", "DZ-25")],
)
def test_arabic_towns_with_a_preposition(text: str, region: str) -> None:
    assert heard(text, "ar", "algerie").region == region


@pytest.mark.parametrize(
    ("text", "lang", "slot", "code"),
    [
        ("je veux exporter mes sirops d'érable", "fr", "sector", "agrifood"),  # the data: "sirop d'érable"
        ("on fait des toitures à Laval", "fr", "sector", "construction"),  # "toiture" in the data
        ("we run two wineries in the Eastern Townships", "en", "sector", "agrifood"),  # "winery"
    ],
)
def test_a_plural_matches_a_phrase_written_in_the_singular(
    text: str, lang: str, slot: str, code: object
) -> None:
    assert getattr(heard(text, lang), slot) == code


def test_a_singular_word_never_matches_a_phrase_written_in_the_plural() -> None:
    """'Services' is a sector's label: "ce service" (the bot's) is no sector."""
    assert heard("à quoi sert ce service?", "fr").sector is None


def test_the_capital_and_short_town_names_are_places() -> None:
    assert heard("نحتاج مقر صغير فالعاصمة", "ar", "algerie").region == "DZ-16"
    assert heard("kayen bureau fel 3assima?", "ar", "algerie").region == "DZ-16"
    assert heard("un prêt pour ma shop de soudure à Thetford", "fr").region == "12"


@pytest.mark.parametrize(
    "text",
    [
        "3andi une petite boîte de plomberie f Oran w nheb financement bach nchri des outils",
        "3andna charika sghira f Setif, nheb n3ref wach kayen",
    ],
)
def test_a_business_of_ones_own_in_arabizi_is_ours_whatever_the_french_words_around_it(text: str) -> None:
    """'3andi une petite boîte' (I have a small business) is Arabizi's 'my business': never out of scope."""
    found = heard(text, "ar", "algerie")
    assert found.intent == "find_services"
    assert found.region is not None


@pytest.mark.parametrize(
    ("network", "text"),
    [
        (
            "quebec",
            "I have bakery in Gatineau since 2 years, I need money for a new oven",
        ),  # "I have" + a business
        ("quebec", "I knit hats at home, just a hobby for now, but I'd love to make a living from it"),
        (
            "algerie",
            "7ab nechri l'entreprise ta3 khali f Oran ki ykhrej retraite, kifach nmwel?",
        ),  # buying one
    ],
)
def test_a_business_owned_bought_or_to_live_from_is_never_out_of_scope(network: str, text: str) -> None:
    found = heard(text, network=network)
    assert found.intent in ("inform", "find_services")
