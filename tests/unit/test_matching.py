"""Matching: the hard filters never break, and the ranking explains itself."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from bot.catalog.model import Catalog, Entry
from bot.core.matching import Reason, eligible, match, rank
from bot.core.types import Profile

TODAY = dt.date(2026, 11, 23)


def ids(catalog: Catalog, profile: Profile, today: dt.date = TODAY) -> list[str]:
    return [m.entry.id for m in match(catalog, profile, today=today)]


def test_region_filter_keeps_own_region_and_network_wide(mini_catalog: Catalog) -> None:
    assert set(ids(mini_catalog, Profile(region="02"))) == {"fund-all", "fund-02", "advice-startup"}


def test_unknown_region_only_admits_network_wide_entries(mini_catalog: Catalog) -> None:
    assert set(ids(mini_catalog, Profile())) == {"fund-all", "advice-startup"}


def test_stage_and_sector_filters(mini_catalog: Catalog) -> None:
    assert "advice-startup" not in ids(mini_catalog, Profile(stage="idea", region="01"))
    assert "mentor-01-tech" not in ids(mini_catalog, Profile(sectors=("agrifood",), region="01"))
    assert "mentor-01-tech" in ids(mini_catalog, Profile(sectors=("tech",), region="01"))


def test_expired_opportunities_are_never_shown(mini_catalog: Catalog) -> None:
    assert "call-expired" not in ids(mini_catalog, Profile(region="01", needs=("financing",)))
    assert "call-expired" in ids(mini_catalog, Profile(needs=("financing",)), today=dt.date(2026, 1, 15))
    assert "call-01" not in ids(mini_catalog, Profile(region="01"), today=dt.date(2027, 3, 16))


def test_needs_first_then_regional_then_nearest_deadline(mini_catalog: Catalog) -> None:
    ranked = ids(mini_catalog, Profile(region="01", needs=("financing",)))
    assert ranked[:2] == ["call-01", "fund-all"]  # both cover financing; the regional one first
    # covering nothing: the open entry before the local one limited to a sector the person has not given
    assert ranked[2:] == ["advice-startup", "mentor-01-tech"]


def test_reasons_are_data(mini_catalog: Catalog) -> None:
    (first,) = [
        m
        for m in match(mini_catalog, Profile("startup", ("tech",), "01", ("mentoring",)), today=TODAY)
        if m.entry.id == "mentor-01-tech"
    ]
    assert first.reasons == (Reason("need", "mentoring"), Reason("sector", "tech"), Reason("region", "01"))


def random_profiles(catalog: Catalog, count: int, seed: int) -> list[tuple[Profile, dt.date]]:
    """Profiles with any mix of answers (an unknown region 'zz' too), each with a random day."""
    rng = random.Random(seed)
    dims = ("stages", "sectors", "needs", "regions", "groups", "legal_forms", "sizes")
    codes = {dim: [t.code for t in catalog.terms(dim)] for dim in dims}
    towns: dict[str | None, list[str]] = {}
    for place in catalog.places:
        towns.setdefault(place.region, []).append(place.name)
    found = []
    for _ in range(count):
        profile = Profile(
            rng.choice([None, *codes["stages"]]),
            tuple(rng.sample(codes["sectors"], rng.randint(0, 2))),
            rng.choice([None, "zz", *codes["regions"]]),
            tuple(rng.sample(codes["needs"], rng.randint(0, 4))),
            age=rng.choice([None, 16, 25, 38, 45, 67]),
            groups=rng.choice([None, (), *((g,) for g in codes["groups"])]),
            legal_form=rng.choice([None, *codes["legal_forms"]]),
            size=rng.choice([None, *codes["sizes"]]),
        )
        town = rng.choice([None, *towns.get(profile.region, [])])  # a town of their region, or none named
        found.append((replace(profile, town=town), TODAY + dt.timedelta(days=rng.randint(-10, 400))))
    return found


def test_random_profiles_never_break_the_hard_filters(quebec_catalog: Catalog) -> None:
    for profile, today in random_profiles(quebec_catalog, 400, seed=20261123):
        results = match(quebec_catalog, profile, today=today)
        for item in results:
            entry = item.entry
            assert not entry.regions or profile.region in entry.regions
            assert not (entry.stages and profile.stage) or profile.stage in entry.stages
            assert not (entry.sectors and profile.sectors) or set(profile.sectors) & set(entry.sectors)
            assert getattr(entry, "deadline", today) >= today
            assert eligible(entry, profile, today), f"{entry.id} excludes this person"
        covers = [bool(set(profile.needs) & set(m.entry.needs)) for m in results]
        assert covers == sorted(covers, reverse=True), "an entry covering no stated need came first"
        assert results == match(quebec_catalog, profile, today=today), "order is not stable"


def test_the_index_returns_exactly_what_the_plain_filters_allow(quebec_catalog: Catalog) -> None:
    for profile, today in random_profiles(quebec_catalog, 300, seed=7):
        expected = {e.id for e in quebec_catalog.entries if eligible(e, profile, today)}
        found = [m.entry.id for m in match(quebec_catalog, profile, today=today)]
        assert sorted(found) == sorted(expected)
        assert len(found) == len(set(found)), "an entry listed in two regions came twice"


def test_a_replaced_catalog_is_freed_without_the_garbage_collector(mini_catalog: Catalog) -> None:
    """Reloads freeze catalogs out of the collector's sight: what they build must not point back at them."""
    import gc
    import weakref

    from bot.core.dialogue import Dialogue
    from bot.core.matching import prepare_index

    catalog = replace(mini_catalog)
    prepare_index(catalog)
    Dialogue(catalog=catalog, store=None, i18n=None, retention_days=1).prepare(catalog)  # type: ignore[arg-type]
    ref = weakref.ref(catalog)
    gc.disable()
    try:
        del catalog
        assert ref() is None, "something built from the catalog refers back to it"
    finally:
        gc.enable()


# -- need first, specialists, eligibility, gaps ----------------------------------------------------------


def eligibility_catalog(mini: Catalog) -> Catalog:
    """The mini catalog plus target groups, legal forms and sizes, and entries reserved for some people."""
    from bot.catalog.schema import AgeBand, Service, Term

    def term(code: str) -> Term:
        return Term(code=code, label={"fr": code, "en": code})

    taxonomy = mini.taxonomy.model_copy(
        update={
            "groups": [term("women"), term("students")],
            "legal_forms": [term("company"), term("coop")],
            "sizes": [term("micro"), term("large")],
        }
    )

    def service(id: str, needs: list[str], **fields: object) -> Service:
        return Service(
            id=id, title={"fr": id, "en": id}, organization="Org", summary={"fr": id}, needs=needs, **fields
        )

    extra = (
        service("youth-loan", ["financing"], age=AgeBand(min=18, max=39)),
        service("women-fund", ["financing"], groups=["women"]),
        service("coop-help", ["financing"], legal_forms=["coop"]),
        service("big-only", ["financing"], sizes=["large"]),
        service("tech-mentors-02", ["mentoring"], regions=["02"], sectors=["tech"]),
        service("generic-02", ["mentoring", "advice", "financing"], regions=["02"]),
    )
    return replace(mini, taxonomy=taxonomy, entries=(*mini.entries, *extra))


def test_criteria_exclude_only_who_they_exclude(mini_catalog: Catalog) -> None:
    catalog = eligibility_catalog(mini_catalog)
    seniors = ids(
        catalog, Profile(needs=("financing",), age=67, groups=(), legal_form="company", size="micro")
    )
    assert not {"youth-loan", "women-fund", "coop-help", "big-only"} & set(seniors)
    fits = ids(
        catalog, Profile(needs=("financing",), age=30, groups=("women",), legal_form="coop", size="large")
    )
    assert {"youth-loan", "women-fund", "coop-help", "big-only"} <= set(fits)


def test_unknown_criteria_keep_the_entry_after_the_known_fits_and_say_the_condition(
    mini_catalog: Catalog,
) -> None:
    catalog = eligibility_catalog(mini_catalog)
    ranked = match(catalog, Profile(needs=("financing",)), today=TODAY)
    order = [m.entry.id for m in ranked]
    assert order.index("fund-all") < order.index("youth-loan")  # known to fit before "maybe"
    youth = next(m for m in ranked if m.entry.id == "youth-loan")
    assert Reason("age", "18-39", sure=False) in youth.reasons
    young = next(
        m
        for m in match(catalog, Profile(needs=("financing",), age=25), today=TODAY)
        if m.entry.id == "youth-loan"
    )
    assert Reason("age", "18-39", sure=True) in young.reasons


def test_a_specialist_comes_before_a_generic_entry_covering_as_much(mini_catalog: Catalog) -> None:
    catalog = eligibility_catalog(mini_catalog)
    ranked = ids(catalog, Profile(region="02", sectors=("tech",), needs=("mentoring",)))
    assert ranked[:2] == ["tech-mentors-02", "generic-02"]
    women = ids(catalog, Profile(region="02", needs=("financing",), groups=("women",)))
    assert women[0] == "women-fund"  # reserved for her: the specialist, before the regional generalist


def test_between_equal_points_the_need_named_first_leads(mini_catalog: Catalog) -> None:
    """Two entries covering both stated needs, each as its main purpose: the one for the need the person
    named first (typed or ticked first) comes first, whatever the ids."""
    from bot.catalog.schema import Service

    def service(id: str, needs: list[str]) -> Service:
        return Service(id=id, title={"fr": id, "en": id}, organization="Org", summary={"fr": id}, needs=needs)

    catalog = replace(
        mini_catalog,
        entries=(
            service("a-lender", ["financing", "mentoring"]),
            service("b-mentor", ["mentoring", "financing"]),
        ),
    )
    assert ids(catalog, Profile(needs=("mentoring", "financing")))[:2] == ["b-mentor", "a-lender"]
    assert ids(catalog, Profile(needs=("financing", "mentoring")))[:2] == ["a-lender", "b-mentor"]


def test_an_entry_serving_part_of_a_region_is_local_only_for_its_towns(quebec_catalog: Catalog) -> None:
    """The SADC of the Rimouski area: local twice over for Rimouski, out for Amqui (the Matapédia's own SADC
    serves it), and not local at all while the town is unknown."""
    region = Profile(region="01", stage="startup", needs=("financing",))
    rimouski, amqui = replace(region, town="Rimouski"), replace(region, town="Amqui")
    shown = {name: ids(quebec_catalog, p) for name, p in (("?", region), ("R", rimouski), ("A", amqui))}
    assert "sadc-neigette" in shown["R"] and "sadc-matapedia" not in shown["R"]
    assert "sadc-matapedia" in shown["A"] and "sadc-neigette" not in shown["A"]
    assert shown["R"].index("sadc-neigette") < shown["R"].index("iq-bas-saint-laurent")
    assert shown["?"].index("iq-bas-saint-laurent") < shown["?"].index("sadc-neigette")
    assert {"sadc-neigette", "sadc-matapedia"} <= set(shown["?"])  # a "maybe", never hidden


def test_every_entry_covering_a_need_comes_before_the_others(mini_catalog: Catalog) -> None:
    catalog = eligibility_catalog(mini_catalog)
    profile = Profile(region="02", stage="startup", needs=("advice",))
    ranked = match(catalog, profile, today=TODAY)
    covers = [bool(m.covers) for m in ranked]
    assert covers == sorted(covers, reverse=True) and covers[0]
    assert rank(catalog, profile, today=TODAY).covering == covers.count(True)


def test_a_need_nothing_covers_is_uncovered(mini_catalog: Catalog) -> None:
    catalog = eligibility_catalog(mini_catalog)
    # the only advice entries are for startups or in region 02: an idea-stage founder in 01 has an advice gap
    idea = rank(catalog, Profile(region="01", stage="idea", needs=("advice", "mentoring")), today=TODAY)
    assert idea.uncovered == ("advice",)
    assert rank(catalog, Profile(region="01", needs=("advice",)), today=TODAY).uncovered == ()
    assert rank(catalog, Profile(region="02", stage="idea", needs=("advice",)), today=TODAY).uncovered == ()


def test_a_need_only_excluded_entries_cover_is_a_gap(mini_catalog: Catalog) -> None:
    catalog = eligibility_catalog(mini_catalog)
    catalog = replace(
        catalog, entries=tuple(e for e in catalog.entries if e.id in ("youth-loan", "women-fund"))
    )
    assert rank(catalog, Profile(needs=("financing",), age=67, groups=()), today=TODAY).uncovered == (
        "financing",
    )
    assert rank(catalog, Profile(needs=("financing",)), today=TODAY).uncovered == ()


def test_a_need_listed_only_in_passing_by_a_generic_entry_is_a_gap(mini_catalog: Catalog) -> None:
    """A network-wide entry open to all whose main purpose is another need covers that need in passing:
    the need is admitted as a gap (the entry stays, as the closest); its main need, or a local or
    specialist entry listing the need, covers it."""
    from bot.catalog.schema import Service

    catalog = eligibility_catalog(mini_catalog)
    passing = Service(
        id="mentors-and-more",
        title={"fr": "m", "en": "m"},
        organization="Org",
        summary={"fr": "m"},
        needs=["mentoring", "advice"],
    )
    catalog = replace(catalog, entries=(*catalog.entries, passing))
    idea_01 = rank(catalog, Profile(region="01", stage="idea", needs=("advice",)), today=TODAY)
    assert idea_01.uncovered == ("advice",)
    assert [e.id for e in idea_01.best(1)] == ["mentors-and-more"]  # still shown first, as the closest
    assert rank(catalog, Profile(region="01", needs=("mentoring",)), today=TODAY).uncovered == ()
    local = rank(catalog, Profile(region="02", stage="idea", needs=("advice",)), today=TODAY)
    assert local.uncovered == ()  # generic-02 lists advice after mentoring, but it is the region's own


def test_a_selective_criterion_is_a_specialty_a_broad_one_only_a_condition(mini_catalog: Catalog) -> None:
    from bot.catalog.schema import AgeBand, Service

    catalog = eligibility_catalog(mini_catalog)

    def service(id: str, **fields: object) -> Service:
        return Service(
            id=id,
            title={"fr": id, "en": id},
            organization="Org",
            summary={"fr": id},
            needs=["financing"],
            **fields,
        )

    adults = service("adults-loan", age=AgeBand(min=18))
    catalog = replace(catalog, entries=(*catalog.entries, adults))
    young = ids(catalog, Profile(needs=("financing",), age=25, groups=(), legal_form="company", size="micro"))
    assert young[0] == "youth-loan"  # a youth band the person is in: a specialty
    assert set(young[1:3]) == {"adults-loan", "fund-all"}  # "18 and over" is no specialty: ties, by id
    unknown = ids(catalog, Profile(needs=("financing",)))
    # "18 and over" unanswered is no "maybe": it ranks with the open entries, before the youth loan
    assert unknown.index("adults-loan") < unknown.index("youth-loan")


def test_the_index_ranks_as_the_plain_points_say(quebec_catalog: Catalog) -> None:
    """The packed rank agrees with `fit_points`: covers a need, points, the person's first need, own region,
    deadline, id."""
    from bot.catalog.loader import load_catalog
    from bot.core.matching import first_need, fit_points
    from tests.conftest import ROOT

    for catalog in (quebec_catalog, load_catalog(ROOT / "catalog" / "algerie")):
        for profile, today in random_profiles(catalog, 150, seed=11):
            found = [e.id for e in rank(catalog, profile, today=today).best()]

            def key(
                entry: Entry, profile: Profile = profile, catalog: Catalog = catalog
            ) -> tuple[bool, int, bool, bool, dt.date, str]:
                covers, points = fit_points(catalog, entry, profile)
                deadline = getattr(entry, "deadline", dt.date.max)
                first = first_need(entry, profile)
                return (not covers, -points, not first, not entry.regions, deadline, entry.id)

            expected = sorted((e for e in catalog.entries if eligible(e, profile, today)), key=key)
            assert found == [e.id for e in expected]
