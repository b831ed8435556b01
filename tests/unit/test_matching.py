"""Matching: the hard filters never break, and the ranking explains itself."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from bot.catalog.model import Catalog
from bot.core.matching import Reason, eligible, match
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
    assert ranked[2:] == ["mentor-01-tech", "advice-startup"]


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
    codes = {dim: [t.code for t in catalog.terms(dim)] for dim in ("stages", "sectors", "needs", "regions")}
    return [
        (
            Profile(
                rng.choice([None, *codes["stages"]]),
                tuple(rng.sample(codes["sectors"], rng.randint(0, 2))),
                rng.choice([None, "zz", *codes["regions"]]),
                tuple(rng.sample(codes["needs"], rng.randint(0, 4))),
            ),
            TODAY + dt.timedelta(days=rng.randint(-10, 400)),
        )
        for _ in range(count)
    ]


def test_random_profiles_never_break_the_hard_filters(quebec_catalog: Catalog) -> None:
    for profile, today in random_profiles(quebec_catalog, 400, seed=20261123):
        results = match(quebec_catalog, profile, today=today)
        for item in results:
            entry = item.entry
            assert not entry.regions or profile.region in entry.regions
            assert not (entry.stages and profile.stage) or profile.stage in entry.stages
            assert not (entry.sectors and profile.sectors) or set(profile.sectors) & set(entry.sectors)
            assert getattr(entry, "deadline", today) >= today
        covered = [sum(n in m.entry.needs for n in profile.needs) for m in results]
        assert covered == sorted(covered, reverse=True), "an entry covering fewer needs came first"
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
