"""Understanding, second step (issue 10): the trained classifier, out of scope, safe actions, several intents
in one message, stage cues, Arabic clitics, and bad input that must never raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding import classifier
from bot.understanding.evaluate import (
    Baseline,
    catalog_of,
    evaluate_baseline,
    language_data,
    load_cases,
    main,
    understander,
)
from bot.understanding.normalize import normalize, strip_clitics
from bot.understanding.understand import Understander
from bot.understanding.understanding import Understanding
from tests.support.understanding import heard


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je cherche un appartement à louer à Sherbrooke, 4 et demi", "fr"),
        ("il pleut-tu à Rimouski à matin", "fr"),
        ("gagnez 1000 $ par jour avec le bitcoin, cliquez sur le lien", "fr"),
        ("Looking for a job as a cook in Quebec City", "en"),
        ("cheap hotel near the ferry in Matane", "en"),
        ("earn 800 dollars a day with crypto, click here", "en"),
    ],
)
def test_out_of_scope_even_when_it_names_a_place(text: str, lang: str) -> None:
    got = heard(text, lang)
    assert got.intent == "out_of_scope", got
    assert got.action is None and not got.safe_to_act


@pytest.mark.parametrize(
    ("text", "lang", "network", "intent"),
    [
        # asking the bot to chat is small talk, asking for a person is a handoff
        ("im bored talk to me", "en", "quebec", "out_of_scope"),
        ("راني زعفان، هدر معايا شوية", "ar", "algerie", "out_of_scope"),
        ("can i talk to someone", "en", "quebec", "ask_advisor"),
        ("je veux parler à quelqu'un", "fr", "quebec", "ask_advisor"),
        # one Arabizi word: no, help, export
        ("la3", "ar", "algerie", "deny"),
        ("mosa3ada", "ar", "algerie", "help"),
        ("tasdir", "ar", "algerie", "inform"),
    ],
)
def test_small_talk_and_one_word_answers(text: str, lang: str, network: str, intent: str) -> None:
    assert heard(text, lang, network).intent == intent


def test_arabic_spam_is_out_of_scope_and_never_acts() -> None:
    got = heard("اربح 1000 دولار في اليوم من الدار اضغط هنا", "ar", "algerie")
    assert got.intent == "out_of_scope" and not got.safe_to_act


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("recommencer à zéro", "restart"),
        ("efface toutes mes données", "forget_me"),
        ("parle-moi en anglais", "change_language"),
    ],
)
def test_clear_state_changes_are_safe_to_act(text: str, intent: str) -> None:
    got = heard(text, "fr")
    assert (got.intent, got.safe_to_act, got.changes_state) == (intent, True, True)


def test_only_state_changing_intents_are_safe_to_act() -> None:
    assert not heard("bonjour", "fr").safe_to_act
    unsure = Understanding("fr", "restart", 0.6)
    assert unsure.changes_state and not unsure.safe_to_act


@pytest.mark.parametrize(
    ("text", "lang", "network", "slots"),
    [
        ("je suis à Laval, je voudrais parler à un humain", "fr", "quebec", {"region": "13"}),
        (
            "on est en démarrage dans l'agro à Rimouski, un conseiller peut-il m'appeler?",
            "fr",
            "quebec",
            {"stage": "startup", "sector": "agrifood", "region": "01"},
        ),
        ("I'm in Laval, can I talk to an advisor?", "en", "quebec", {"region": "13"}),
        ("عندي مشروع في وهران، نحب نهدر مع مستشار", "ar", "algerie", {"region": "DZ-31"}),
    ],
)
def test_facts_and_a_request_for_a_person_keep_both(
    text: str, lang: str, network: str, slots: dict[str, str]
) -> None:
    got = heard(text, lang, network)
    assert (got.intent, got.action) == ("ask_advisor", "ask_advisor"), got
    assert {k: getattr(got, k) for k in slots} == slots


def test_action_is_none_for_plain_facts() -> None:
    got = heard("chu en démarrage à Rimouski", "fr")
    assert (got.intent, got.action) == ("inform", None)


@pytest.mark.parametrize(
    ("text", "lang", "stage"),
    [
        ("mon entreprise marche bien mais je veux la vendre", "fr", "succession"),
        ("on pense racheter la quincaillerie du village", "fr", "succession"),
        ("je lance ma microbrasserie", "fr", "startup"),
        ("on veut ouvrir un café", "fr", "idea"),
        ("we're buying out the owner", "en", "succession"),
        ("we're launching our app next month", "en", "startup"),
    ],
)
def test_stage_cues(text: str, lang: str, stage: str) -> None:
    assert heard(text, lang).stage == stage


def test_arabic_clitics_are_stripped_from_unknown_words_only() -> None:
    known = {normalize(w) for w in ("وهران", "عنابة", "ورقلة", "بيع")}
    words = normalize("بوهران بعنابة فورقلة وهران بيع بزاف").split()
    assert strip_clitics(words, known) == [
        *(normalize(w) for w in ("وهران", "عنابة", "ورقلة", "وهران", "بيع")),
        "بزاف",
    ]
    for text, region in (
        ("مشروعي بوهران", "DZ-31"),
        ("راني بعنابة", "DZ-23"),
        ("عندي مؤسسة بورقلة", "DZ-30"),
    ):
        assert heard(text, "ar", "algerie").region == region, text


def test_a_business_named_with_a_possessive_still_gives_its_sector() -> None:
    """A feminine noun writes its ة as ت before a possessive: "عيادتنا" is "our clinic", "لمزرعتي" "for my
    farm"; a word that is no fact by itself keeps its form ("شركتي", my company: no sector)."""
    for text, sector in (
        ("عيادتنا فباتنة تحتاج تمويل", "health"),
        ("كيف يمكنني الحصول على تمويل لعيادتي الطبية؟", "health"),
        ("نريد رقمنة تسيير مخزون صيدليتنا", "health"),
        ("مزرعتي فسطيف", "agrifood"),
    ):
        assert heard(text, "ar", "algerie").sector == sector, text
    assert heard("شركتي في سطيف", "ar", "algerie").sector is None


def test_a_wilaya_is_named_by_its_number() -> None:
    """The Algerian catalog's labels start with the wilaya's number ("19 Sétif"); people write "ولاية 19"."""
    for text, lang, region in (
        ("راني فولاية 19", "ar", "DZ-19"),
        ("rani f wilaya 5", "ar", "DZ-05"),
        ("mon atelier est dans la wilaya 31", "fr", "DZ-31"),
    ):
        assert heard(text, lang, "algerie").region == region, text
    assert heard("ولاية", "ar", "algerie").region is None  # the word alone names no wilaya


def test_services_alone_are_what_is_asked_for_not_the_services_sector() -> None:
    assert heard("c'est quoi les services pour les entreprises de Rimouski?", "fr").sector is None
    assert heard("any services for businesses in Gaspé?", "en").sector is None
    assert heard("je tiens un bureau de services comptables", "fr").sector == "services"


@pytest.mark.parametrize(
    ("text", "hiring"),
    [
        ("نحتاج خدامين للورشة تاعي", True),
        ("ma lgitch khdama l l'atelier", True),
        ("حاب نهدر مع واحد من الخدامين تاعكم", False),  # one of your staff: a person asked for
        ("وعندنا خمسة وعشرين عامل خدامين معانا", False),  # the staff they have, not staff they need
        ("نحتاج نتعرف على ناس خدامين فالمجال", False),  # people working in the field: networking
    ],
)
def test_arabic_workers_are_a_hiring_need_only_with_a_verb_of_needing(text: str, hiring: bool) -> None:
    assert ("hiring" in heard(text, "ar", "algerie").needs) is hiring


def test_the_object_alif_of_modern_standard_arabic_hides_no_business() -> None:
    owned = heard("أملك مصنعا للأحذية في سطيف منذ عشرين سنة", "ar", "algerie")
    assert (owned.sector, owned.stage) == ("manufacturing", "established")
    assert heard("أملك فندقا صغيرا في تيميمون", "ar", "algerie").sector == "tourism"


def test_a_person_asked_for_in_one_clause_wins_over_services_asked_for() -> None:
    both = heard("كاش واحد يعيطلي؟ عندي مشروع فلاحي فالمدية ومحتاج تمويل", "ar", "algerie")
    assert (both.intent, both.sector, both.region, both.needs) == (
        "ask_advisor",
        "agrifood",
        "DZ-26",
        ("financing",),
    )


@pytest.mark.parametrize(
    "text",
    ["أبحث عن برامج مرافقة للمؤسسات الناشئة في سطيف", "أبحث عن حاضنة أعمال للمؤسسات الناشئة في قسنطينة"],
)
def test_a_category_blocked_as_a_fact_gives_no_stage_to_the_learned_fallback_either(text: str) -> None:
    assert heard(text, "ar", "algerie").stage is None  # start-ups as the kind helped, not the writer's stage


def test_health_is_a_sector_not_thanks() -> None:
    assert heard("قطاع الصحة", "ar", "algerie").sector == "health"
    alone = heard("الصحة", "ar", "algerie")
    assert (alone.intent, alone.sector) == ("inform", "health")  # the word alone names the sector
    assert heard("يعطيك الصحة", "ar", "algerie").intent == "thanks"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a" * 4096,
        "financement " * 400,
        "🙂🚀🔥",
        "\u200b\u200c\u200d\ufeff",
        "\u202e\u202bمرحبا\u202c bonjour\u2066",
        "je suis à Оран 北京 في وهران startup",
        "\x00\x07\n\t",
        "١٢٣٤ ٥٦",
    ],
)
@pytest.mark.parametrize("network", ["quebec", "algerie"])
def test_bad_input_never_raises(text: str, network: str) -> None:
    got = heard(text, network=network)
    assert isinstance(got, Understanding)
    assert 0.0 <= got.confidence <= 1.0
    assert isinstance(got.as_json()["slots"], dict)


@pytest.mark.parametrize("text", ["a" * 4096, "aaaa", "xxxxxxxxxx", "zzzzzz " * 30])
def test_one_letter_typed_again_and_again_is_no_intent(text: str) -> None:
    """ "aaaa" once collapsed to "a" and was read as the "a+" of goodbyes, at 0.99."""
    got = heard(text)
    assert got.confidence < 0.45 or got.intent == "out_of_scope"
    assert not got.changes_state and not got.has_facts


@pytest.mark.parametrize(
    "text",
    ["salam, 3andi projet ta3 livraison f Constantine", "nheb na3ref wach kayen financement", "saha khouya"],
)
def test_arabic_in_latin_letters_is_detected_as_arabic(text: str) -> None:
    """Arabizi used to be read as French whenever the conversation's language was not yet Arabic."""
    assert heard(text, network="algerie").lang == "ar"


def test_french_and_english_stay_themselves_on_the_algerian_network() -> None:
    assert heard("je cherche du financement pour ma boutique", network="algerie").lang == "fr"
    assert heard("looking for funding for my shop", network="algerie").lang == "en"


@pytest.mark.parametrize(
    ("personal", "business"),
    [
        (
            "je cherche un plombier pour ma douche à Gatineau",
            "je cherche un local pour ma boulangerie à Gatineau",
        ),
        ("un prêt pour ma voiture", "un prêt pour ma ferme"),
        (
            "I'm looking for a space for my wedding in Charlevoix",
            "I'm looking for a space for my catering business in Charlevoix",
        ),
    ],
)
def test_whose_matter_it_is_tells_a_personal_request_from_a_business_one(
    personal: str, business: str
) -> None:
    """The same request, for the person's own life (not ours) or for their business (ours)."""
    assert heard(personal).intent == "out_of_scope"
    assert heard(business).intent == "find_services"


def test_emphasis_is_still_read() -> None:
    assert heard("merciiii").intent == "thanks"
    assert heard("bonjourrrr").intent == "greet"


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
@pytest.mark.parametrize("classes", [3, 2])  # two classes: scikit-learn keeps a single row of weights
def test_runtime_scores_match_scikit_learn(classes: int) -> None:
    """The model scored without scikit-learn gives scikit-learn's own probabilities."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = {
        "greet": [["bonjour"], ["salut", "toi"], ["allo"]],
        "inform": [["je", "suis", "a", "_region_"], ["on", "est", "en", "_stage_"], ["_sector_"]],
        "out_of_scope": [["il", "fait", "beau"], ["raconte", "une", "blague"], ["asdf"]],
    }
    examples = dict(list(examples.items())[:classes])
    model = classifier.train(examples)
    texts = [" ".join(w) for phrases in examples.values() for w in phrases]
    labels = [i for i, phrases in examples.items() for _ in phrases]
    words = TfidfVectorizer(analyzer=classifier._analyse_words, sublinear_tf=True, lowercase=False)
    chars = TfidfVectorizer(analyzer=classifier._analyse_chars, sublinear_tf=True, lowercase=False)
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts) * classifier.CHAR_WEIGHT]).tocsr()
    reference = LogisticRegression(C=classifier.C, solver="newton-cg", max_iter=1000).fit(matrix, labels)
    for message in ("bonjour toi", "je suis en _stage_ a _region_", "il fait beau a _region_", "zzz"):
        query = hstack([words.transform([message]), chars.transform([message]) * classifier.CHAR_WEIGHT])
        expected = dict(zip(reference.classes_, reference.predict_proba(query.tocsr())[0], strict=True))
        got = model.probabilities(message.split())
        assert got == pytest.approx(expected, abs=1e-6)


@pytest.mark.slow(busy=True)  # fits scikit-learn models (importing scikit-learn alone takes a second)
def test_the_model_cache_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIGUILLEUR_MODEL_CACHE", str(tmp_path))
    examples = {"greet": [["bonjour"], ["salut"]], "thanks": [["merci"], ["merci", "beaucoup"]]}
    trained = classifier.load_or_train(examples)
    classifier._MEMORY.clear()
    files = list(tmp_path.glob("intent-model-*.bin"))
    assert len(files) == 1
    loaded = classifier.load_or_train(examples)
    assert loaded is not trained
    assert loaded.classes == trained.classes
    assert (loaded.word_index, loaded.char_index) == (trained.word_index, trained.char_index)
    # Kept as compact as it is stored (32-bit floats), so that a read model scores exactly as the trained one.
    assert loaded.weights.itemsize == loaded.idf.itemsize == 4
    assert (loaded.idf, loaded.weights, loaded.intercept) == (trained.idf, trained.weights, trained.intercept)
    for message in ("merci beaucoup", "bonjour", "salut merci", "zzz", ""):
        assert loaded.probabilities(message.split()) == trained.probabilities(message.split())
    files[0].write_bytes(b"not a model")  # a damaged cache is trained again, not an error
    classifier._MEMORY.clear()
    assert classifier.load_or_train(examples).classes == trained.classes


@pytest.mark.slow  # fits the baseline system on the whole table
def test_the_baseline_is_measured_on_the_same_table() -> None:
    cases = load_cases()
    report = evaluate_baseline(cases, Baseline())
    assert report.cases == len(cases) and 0.5 < report.accuracy < 1.0


@pytest.mark.slow  # the baseline again, through the command
def test_the_evaluation_command_prints_both_systems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    table = tmp_path / "cases.yaml"
    table.write_text(
        "version: 1\ncases:\n"
        "  - {text: bonjour, lang: fr, intent: greet, tags: [short]}\n"
        "  - {text: 'il fait beau à Rimouski', lang: fr, intent: out_of_scope, region: '01', tags: [hard_negative]}\n"
        "  - {text: 'hello', lang: en, intent: greet}\n",
        encoding="utf-8",
    )
    main([str(table), "--failures", "5"])
    out = capsys.readouterr().out
    assert "ours" in out and "baseline" in out and "tag hard_negative" in out and "oos R" in out
    assert "target: intent accuracy 1.000 >= 0.95: met" in out
    assert "target: slot F1 0.000 >= 0.93: NOT met" in out  # the town of a message not ours is no fact

    other = tmp_path / "more.yaml"
    other.write_text(
        "version: 1\ncases:\n  - {text: 'je veux parler à un conseiller', lang: fr, intent: ask_advisor}\n",
        encoding="utf-8",
    )
    main([str(table), str(other), "--failures", "0"])
    pooled = capsys.readouterr().out
    assert f"{table}, {other}: 4 cases" in pooled


def test_malformed_language_files_are_path_line_problems(tmp_path: Path) -> None:
    from bot.catalog.loader import load_catalog
    from bot.understanding.data import load_language_data
    from bot.understanding.evaluate import ROOT

    (tmp_path / "fr.yaml").write_text(
        "version: 1\nlanguage: fr\nintents:\n  greet: [bonjour\n", encoding="utf-8"
    )
    (tmp_path / "en.yaml").write_text("version: 1\nlanguage: en\nintents:\n  greet: []\n", encoding="utf-8")
    data, problems = load_language_data(tmp_path, load_catalog(ROOT / "catalog" / "quebec"))
    assert data == {}
    printed = sorted(str(p) for p in problems)
    assert printed[0].startswith(f"{tmp_path / 'en.yaml'}:4: ") and printed[1].startswith(
        f"{tmp_path / 'fr.yaml'}:"
    )


# -- sixteenth pass (held-out 18 and 19 studied) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "lang", "text"),
    [("algerie", "ar", "ضصثقف غعهخ"), ("algerie", "ar", "hjkdsf"), ("quebec", "fr", "qwpoeiruty")],
)
def test_keyboard_mash_is_out_of_scope(network: str, lang: str, text: str) -> None:
    """Not one word the data knows and an unsure guess from letter shapes: nothing of ours (it was read as
    'yes' or as facts told), so the bot says what it does instead of acting on a guess."""
    assert heard(text, lang, network).intent == "out_of_scope"


def test_a_short_word_the_data_lacks_is_still_guessed() -> None:
    assert heard("nn", "fr").intent == "deny"
    assert heard("ouep", "fr").intent == "affirm"


def test_arabizi_glues_its_preposition_to_a_town() -> None:
    assert heard("nheb nekri local fwahran", "ar", "algerie").region == "DZ-31"


def test_an_arabic_business_noun_with_its_article_and_mine_is_a_business_of_theirs() -> None:
    """'الكافيتيريا تاعي' (my cafeteria), told as losing money: a business of theirs, never out of scope."""
    got = heard("الكافيتيريا تاعي فتيزي راهي تخسر", "ar", "algerie")
    assert (got.intent, got.region) == ("inform", "DZ-15")


def test_a_sector_and_a_need_together_outweigh_an_unsure_out_of_scope() -> None:
    """'a cheap place for a transport company': a business's request, although 'cheap place' reads as
    housing to the classifier."""
    got = heard("نحوس على مقر رخيص لشركة تاع النقل فسطيف", "ar", "algerie")
    assert (got.intent, got.sector, got.region, got.needs) == (
        "find_services",
        "transport",
        "DZ-19",
        ("premises",),
    )


@pytest.mark.parametrize(
    ("network", "lang", "text"),
    [
        ("quebec", "en", "do you keep what I write?"),
        ("quebec", "fr", "est-ce que vous conservez mes infos?"),
        ("algerie", "ar", "واش تخبيو المعلومات تاعي؟"),
    ],
)
def test_asking_whether_data_is_kept_is_a_question_not_a_request_to_forget(
    network: str, lang: str, text: str
) -> None:
    """Seventeenth pass: "do you keep my information?" was read as forget_me in three languages."""
    assert heard(text, lang, network).intent == "help"


@pytest.mark.parametrize(
    ("text", "lang", "network", "need"),
    [
        ("نحوس على مونتور يعاوني فالمشروع تاعي", "ar", "algerie", "mentoring"),
        ("كاش برنامج يعاون المؤسسات الصغيرة تصدّر لإفريقيا؟", "ar", "algerie", "export"),
        ("n7eb nta3ref m3a entrepreneurs okhrin f Tlemcen", "ar", "algerie", "networking"),
        ("est-ce que la BDC prêtent aux pourvoiries?", "fr", "quebec", "financing"),
        ("we want support to enter the Asian market", "en", "quebec", "export"),
        ("faut que j'engage des machinistes mais j'en trouve pas", "fr", "quebec", "hiring"),
        ("where do I find seasonal staff for my campground?", "en", "quebec", "hiring"),
    ],
)
def test_needs_said_in_everyday_words(text: str, lang: str, network: str, need: str) -> None:
    """A mentor in Darija ("مونتور"), exporting as a verb, getting to know other entrepreneurs, banks that
    lend, a market abroad: each a need of its own."""
    assert need in heard(text, lang, network).needs


def test_the_place_a_business_has_is_not_premises_it_looks_for() -> None:
    """'our warehouse', 'mon entrepôt', 'المحل تاعي': the place they have; a place sought still counts."""
    for text, lang, network in (
        ("is there funding to digitize our warehouse?", "en", "quebec"),
        ("des subventions pour installer des panneaux solaires sur mon entrepôt?", "fr", "quebec"),
        ("حبيت ندير موقع انترنت للمحل تاعي فجيجل", "ar", "algerie"),
    ):
        assert "premises" not in heard(text, lang, network).needs, text
    assert "premises" in heard("mon entrepôt est plein, je cherche un local à Laval", "fr").needs
    assert "premises" in heard("we need a bigger warehouse", "en").needs


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("rani 7aba nftah atelier ta3 couture f Batna", "idea"),
        ("شكون يقدر يعاوني نحل شركة تاع الطاقة الشمسية فورقلة؟", "idea"),
        ("عندي حانوت تاع المواد الغذائية فخنشلة، حاب نكبره ونزيد فرع", "growth"),
    ],
)
def test_darija_stages_in_everyday_words(text: str, stage: str) -> None:
    """'nftah' / 'نحل' (to open) a business not yet open; 'نكبره' (grow it), another branch."""
    assert heard(text, "ar", "algerie").stage == stage


@pytest.mark.parametrize(
    ("text", "lang", "network", "stage"),
    [
        ("Our clean tech startup is 5 years old and we want to scale up production", "en", "quebec", "growth"),
        ("Ma clinique a 6 ans, je voudrais ouvrir deux autres succursales", "fr", "quebec", "growth"),
        ("Our daycare has been operating for 10 years and we'd like to open a second location", "en", "quebec",
         "growth"),
        ("my company is construction firm in Laval, 8 years, we want grow", "en", "quebec", "growth"),
        ("been in business for 12 years, steady, no plans to grow", "en", "quebec", "established"),
        ("On est une jeune pousse en technologies propres, on a incorporé en janvier", "fr", "quebec", "startup"),
        ("ma compagnie d'excavation a 25 ans pis j'ai pas de relève", "fr", "quebec", "succession"),
        ("حاب نشري محطة غسيل السيارات من صاحبها فتبسة", "ar", "algerie", "succession"),
        ("je vends mes légumes au proprio du marché", "fr", "quebec", None),
        ("j'aimerais avoir un rendez-vous avec quelqu'un pour parler de mon projet", "fr", "quebec", None),
        ("Mon projet c'est une érablière bio en Beauce", "fr", "quebec", "idea"),
        ("I'm thinking about a loan for my restaurant, open for 10 years", "en", "quebec", "established"),
    ],
)  # fmt: skip
def test_twentieth_pass_stages(text: str, lang: str, network: str, stage: str | None) -> None:
    """Growing beats the word 'startup' and an opening; other branches are growth for a business of any age;
    buying from its owner or having no successor is succession; a project named alone is no idea."""
    assert heard(text, lang, network).stage == stage


@pytest.mark.parametrize(
    ("text", "lang", "network", "region"),
    [
        ("عندي محل تاع الملابس فمعسكر من 2009", "ar", "algerie", "DZ-29"),
        ("أنا امرأة أرغب في إنشاء ورشة خياطة ببشار", "ar", "algerie", "DZ-08"),
        ("عندي مزرعة تاع الدجاج فسعيدة، نحتاج نوظف بيطري", "ar", "algerie", "DZ-20"),
        ("شركتي في الطاقات المتجددة بالنعامة تحتاج دعم", "ar", "algerie", "DZ-45"),
        ("نخدم فالبيض والدجاج، نحب نكبر المشروع", "ar", "algerie", None),  # eggs, not El Bayadh
    ],
)
def test_wilayas_named_like_everyday_words_after_in(
    text: str, lang: str, network: str, region: str | None
) -> None:
    """Mascara, Béchar, Saïda, Naâma are everyday words alone, the wilaya after « في », « ف » or « ب »."""
    assert heard(text, lang, network).region == region


@pytest.mark.parametrize(
    ("text", "lang", "network", "present", "absent"),
    [
        ("Je suis étudiant à Constantine, qui peut m'incuber?", "fr", "algerie", "incubation", None),
        ("Is there a technology park in Algiers that hosts startups?", "en", "algerie", "incubation", None),
        ("How do I protect my brand name? I sell handmade soap online", "en", "quebec", "legal", None),
        ("we want grow and take bigger contracts", "en", "quebec", None, "legal"),
        ("I really value it, thanks", "en", "quebec", None, "advice"),
        ("مقر الشركة تاعي فبرج باجي مختار، نخدمو فنقل السلع", "ar", "algerie", None, "premises"),
    ],
)
def test_twentieth_pass_needs(
    text: str, lang: str, network: str, present: str | None, absent: str | None
) -> None:
    """Incubating said as a verb or of a technology park, a brand protected; not contracts won, thanks, or
    the head office they have."""
    needs = heard(text, lang, network).needs
    assert present is None or present in needs
    assert absent is None or absent not in needs


@pytest.mark.parametrize(
    ("text", "lang", "network", "stage"),
    [
        ("We run a consulting firm but have no idea how to do payroll", "en", "quebec", None),
        ("j'ai aucune idée encore, juste le goût de me lancer", "fr", "quebec", "idea"),
        ("We make maple candy in Beauce and want to start selling to the US", "en", "quebec", None),
        ("I want to start a business selling cheese", "en", "quebec", "idea"),
        ("Ma quincaillerie existe depuis 1999 à Amos", "fr", "quebec", "established"),
        ("Je veux ouvrir une succursale de ma boulangerie à Lévis", "fr", "quebec", "growth"),
        ("Our bakery is 6 years old and we want to triple capacity", "en", "quebec", "growth"),
        ("notre service de traiteur commence à peine", "fr", "quebec", "startup"),
        ("ماشي بديت، مازلت نخمم في المشروع", "ar", "algerie", "idea"),
        ("ورثت ورشة النجارة على بابا فالبليدة", "ar", "algerie", "succession"),
        ("عندنا صيدلية من 20 عام وولادي حابين يكملو موراي", "ar", "algerie", "succession"),
        ("فريقنا تضاعف هذا العام ونحتاج مقر جديد", "ar", "algerie", "growth"),
    ],
)  # fmt: skip
def test_twenty_first_pass_stages(text: str, lang: str, network: str, stage: str | None) -> None:
    """'no idea how' and 'start selling' are no business idea (but 'aucune idée encore' is one); a year is a
    number ('1999' is not '19'); a branch or tripling is growth; starting barely is startup; not started yet
    is idea; inheriting, or children carrying on after me, is succession."""
    assert heard(text, lang, network).stage == stage


def test_years_and_amounts_are_not_squeezed_like_emphasis() -> None:
    """'merciii' is 'merci', but '1999' and '1000' stay numbers."""
    assert normalize("merciii depuis 1999, 1000 $") == "merci depuis 1999 1000"


def test_an_everyday_word_is_no_town() -> None:
    """Bégin (Saguenay) is left out of the gazetteer: 'Where do I begin?' names no region; Sherby is
    Sherbrooke."""
    assert heard("I have an idea for a bakery. Where do I begin?", "en").region is None
    assert heard("jsuis a Sherby", "fr").region == "05"


@pytest.mark.parametrize(
    ("text", "lang", "network", "present"),
    [
        ("Combien je peux avoir en prêt pour mon salon?", "fr", "quebec", "financing"),
        ("on veut une 2e bâtisse pour l'entrepôt", "fr", "quebec", "premises"),
        ("je manque de bras cet été", "fr", "quebec", "hiring"),
        ("We need to train our staff on the new machines", "en", "quebec", "training"),
        ("I don't know how to get my shop online", "en", "quebec", "digital"),
        ("العمال ما كفاوش في المصنع", "ar", "algerie", "hiring"),
        ("نحوس على مسرّع للشركة تاعي", "ar", "algerie", "incubation"),
    ],
)  # fmt: skip
def test_twenty_first_pass_needs(text: str, lang: str, network: str, present: str) -> None:
    """A loan asked as 'en prêt', a second building, hands and staff, going online, an accelerator."""
    assert present in heard(text, lang, network).needs


@pytest.mark.parametrize(
    ("text", "lang", "network", "intent"),
    [
        ("got a text that my startup grant is approved if I send my banking password, scam?", "en", "quebec",
         "out_of_scope"),
        ("can you do my homework for my accounting class", "en", "quebec", "out_of_scope"),
        ("effacez ce que je vous ai dit sur ma compagnie", "fr", "quebec", "forget_me"),
        ("واش هاد الخدمة مجانية؟", "ar", "algerie", "help"),
    ],
)  # fmt: skip
def test_twenty_first_pass_intents(text: str, lang: str, network: str, intent: str) -> None:
    """A scam asked about and homework are not ours; erasing what was said is forget_me; 'is it paid' is
    a question about the bot."""
    assert heard(text, lang, network).intent == intent


def test_a_blanked_false_start_leaves_the_other_facts_where_they_are() -> None:
    """'start selling' is blanked in place, not removed: the place and the need after it are still read, and
    the classifier sees them where they were."""
    heard_ = heard("We make cheese and want to start selling in Sherbrooke, we need a loan", "en")
    assert (heard_.stage, heard_.region, heard_.needs, heard_.intent) == (
        None,
        "05",
        ("financing",),
        "find_services",
    )


@pytest.mark.parametrize(
    ("text", "lang", "network", "stage"),
    [
        ("Notre cabinet comptable a 12 ans et on veut ouvrir un bureau à Sherbrooke", "fr", "quebec", "growth"),
        ("je suis électricien depuis 15 ans pis je veux partir ma propre entreprise", "fr", "quebec", "idea"),
        ("We run two bakeries in Laval and are opening 2 more this spring", "en", "quebec", "growth"),
        ("عندنا جوج محلات فوهران وحابين نفتحو زوج خرين", "ar", "algerie", "growth"),
        ("ma boutique de vélos est ouverte depuis 5 semaines à Rimouski", "fr", "quebec", "startup"),
        ("j'ai mal à la tête depuis deux jours", "fr", "quebec", None),
        ("فتحنا المطعم تاعنا فبسكرة هادي شهرين", "ar", "algerie", "startup"),
        ("We've run a print shop in Gatineau for thirteen years.", "en", "quebec", "established"),
        ("On a ouvert notre fromagerie à Alma au mois de mars, pis ça roule", "fr", "quebec", "startup"),
        ("Notre camping existe depuis 20 ans et on veut ajouter des chalets", "fr", "quebec", "growth"),
    ],
)  # fmt: skip
def test_twenty_second_pass_stages(text: str, lang: str, network: str, stage: str | None) -> None:
    """What a business running for years opens is more of it (unless it is a company, then the years were
    the person's); 'opening 2 more' opens branches; weeks, days beside a business, Arabic duals, 'thirteen'
    and a month named further on date a business; adding to an old business is growth."""
    assert heard(text, lang, network).stage == stage


@pytest.mark.parametrize(
    ("text", "lang", "network", "slot", "value"),
    [
        ("je suis coiffeuse à Granby", "fr", "quebec", "sector", "services"),
        ("we brew kombucha in Sherbrooke", "en", "quebec", "sector", "agrifood"),
        ("3andi ferme ta3 ghnem f tiaret", "ar", "algerie", "sector", "agrifood"),
        ("quels prêts existent pour une nouvelle entreprise?", "fr", "quebec", "needs", ("financing",)),
    ],
)  # fmt: skip
def test_twenty_second_pass_facts(text: str, lang: str, network: str, slot: str, value: object) -> None:
    """A hairdresser, kombucha, sheep in Arabizi; 'quels prêts' asks for loans ('prêts' alone also means
    ready, so only in phrases)."""
    assert getattr(heard(text, lang, network), slot) == value


@pytest.mark.parametrize(
    ("text", "lang", "network"),
    [
        ("je dois prendre un rendez-vous chez l'optométriste à Laval", "fr", "quebec"),
        ("on cherche une salle pour notre mariage à Québec", "fr", "quebec"),
        ("is there a rebate for insulating my basement?", "en", "quebec"),
        ("الطرد تاعي ما وصلش لقسنطينة", "ar", "algerie"),
    ],
)  # fmt: skip
def test_twenty_second_pass_not_ours(text: str, lang: str, network: str) -> None:
    """A personal appointment, a wedding hall, a home rebate, a lost parcel: not ours, and no facts kept."""
    heard_ = heard(text, lang, network)
    assert (heard_.intent, heard_.region) == ("out_of_scope", None)


def test_arabic_is_read_in_a_network_that_answers_in_french_and_english() -> None:
    """An Algerian entrepreneur in Montréal writes in Arabic to the Québec network (fr, en): the message is
    read with the Arabic language data and the Québec gazetteer's Arabic names, not taken as out of scope;
    so is Arabizi (Latin-script Darija, two words of its own at least), and French stays French."""
    quebec = understander("quebec")
    assert quebec.languages == ("fr", "en")
    heard_ = quebec.understand("راني فمونتريال وعندي مخبزة، نحتاج تمويل")
    assert (heard_.lang, heard_.intent, heard_.region, heard_.needs) == (
        "ar",
        "find_services",
        "06",
        ("financing",),
    )
    arabizi = quebec.understand("nheb nahder m3a conseiller")
    assert (arabizi.lang, arabizi.intent) == ("ar", "ask_advisor")
    assert quebec.understand("je cherche du financement à Laval").lang == "fr"


def test_a_language_read_on_first_use_is_built_then_and_only_then() -> None:
    """Start-up builds only the languages the network answers in; Arabic in Québec is built on its first
    message, also after French messages were read (whose stage words were already worked out)."""
    fresh = Understander(language_data("quebec"), catalog_of("quebec"))
    assert "ar" in fresh.readable and "ar" not in fresh.lexicons
    assert fresh.understand("on a une idée de fromagerie", "fr").stage == "idea"
    assert set(fresh.stage_words) == {"fr", "en"}  # worked out before Arabic was read
    heard_ = fresh.understand("عندي مخبزة فلافال من عامين")
    assert (heard_.lang, heard_.stage, heard_.region) == ("ar", "startup", "13")
    assert set(fresh.stage_words) == {"fr", "en", "ar"}
