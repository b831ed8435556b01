"""Catalog validation: every problem found, each at the line of the offending value, in plain words."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.catalog.loader import CatalogInvalid, check_catalog, load_catalog
from bot.core.office_hours import schedule_for
from tests.support.personas import MINI, QUEBEC


def broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the mini catalog with one edit, as an admin would make it."""
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def line(folder: Path, name: str, needle: str) -> int:
    """The line where `needle` first appears in a catalog file."""
    return next(
        n for n, text in enumerate((folder / name).read_text().splitlines(), start=1) if needle in text
    )


def messages(folder: Path, *, severity: str = "error") -> list[str]:
    problems = check_catalog(folder, today=dt.date(2026, 11, 23)).problems
    return [str(p).replace(f"{folder}/", "") for p in problems if p.severity == severity]


def errors(folder: Path) -> list[str]:
    return messages(folder)


def test_sample_catalog_is_valid_and_complete(quebec_catalog) -> None:
    assert len(quebec_catalog.hubs) == 18
    served = {region for hub in quebec_catalog.hubs for region in hub.regions}
    assert served == {f"{n:02d}" for n in range(1, 18)} | {"idm"}
    assert len(quebec_catalog.entries) >= 40
    for region in served:
        own = [e for e in quebec_catalog.entries if region in e.regions]
        assert own, f"region {region} has no entry of its own"
    for need in (t.code for t in quebec_catalog.terms("needs")):
        assert any(need in e.needs for e in quebec_catalog.entries), need


def test_check_reports_no_error_for_the_sample_catalogs() -> None:
    assert check_catalog(QUEBEC).errors == []
    assert [p.message for p in check_catalog(MINI, today=dt.date(2026, 11, 23)).problems] == [
        "warning: deadline 2026-01-15 has passed: 'call-expired' is no longer shown",
        "warning: 'call-expired' was last verified on 2025-09-01, over 12 months ago",
    ]


def test_unknown_region_code_points_at_its_line(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", 'regions: ["01"]', 'regions: ["19"]')
    at = line(folder, "services.yaml", '"19"')
    assert errors(folder) == [f"services.yaml:{at}: region '19' is not one of 01, 02, 03"]


def test_unquoted_code_gets_a_plain_explanation(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", 'regions: ["01"]', "regions: [01]")
    at = line(folder, "services.yaml", "regions: [01]")
    assert errors(folder) == [
        f'services.yaml:{at}: regions: 1 must be written in quotes, like "08" for a code or "2027" for a text'
    ]


def test_unknown_need_and_stage_are_all_reported(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "services.yaml",
        "stages: [startup]\n    needs: [advice]",
        "stages: [seed]\n    needs: [advise]",
    )
    stage, need = line(folder, "services.yaml", "[seed]"), line(folder, "services.yaml", "[advise]")
    assert errors(folder) == [
        f"services.yaml:{stage}: stage 'seed' is not one of idea, startup",
        f"services.yaml:{need}: need 'advise' is not one of financing, mentoring, advice",
    ]


def test_missing_field_and_unknown_field(tmp_path: Path) -> None:
    folder = broken(
        tmp_path, "services.yaml", "    organization: Banque exemple\n", "    organisation: Banque exemple\n"
    )
    record, field = (
        line(folder, "services.yaml", "id: fund-all"),
        line(folder, "services.yaml", "organisation:"),
    )
    assert errors(folder) == [
        f"services.yaml:{record}: 'organization' is missing",
        f"services.yaml:{field}: unknown field 'organisation' (check its spelling in docs/catalog.md)",
    ]


def test_bad_date_url_and_email(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "deadline: 2027-03-15", "deadline: 15 mars 2027")
    at = line(folder, "opportunities.yaml", "15 mars 2027")
    assert errors(folder) == [
        f"opportunities.yaml:{at}: deadline: '15 mars 2027' is not a date written YYYY-MM-DD"
    ]
    folder = broken(tmp_path / "b", "services.yaml", "email: info@example.org", "email: info(at)example")
    at = line(folder, "services.yaml", "info(at)example")
    assert errors(folder) == [f"services.yaml:{at}: email: 'info(at)example' is not an e-mail address"]
    folder = broken(
        tmp_path / "c", "services.yaml", 'url: "https://example.org/fund"', 'url: "javascript:alert(1)"'
    )
    at = line(folder, "services.yaml", "javascript:")
    assert errors(folder) == [
        f"services.yaml:{at}: url: 'javascript:alert(1)' is not a web address starting with https:// or http://"
    ]


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "id: call-01", "id: fund-02")
    first, again = (
        line(folder, "services.yaml", "id: fund-02"),
        line(folder, "opportunities.yaml", "id: fund-02"),
    )
    assert errors(folder) == [
        f"opportunities.yaml:{again}: id 'fund-02' is already used at services.yaml:{first}"
    ]


def test_region_no_hub_serves(tmp_path: Path) -> None:
    folder = broken(tmp_path, "hubs.yaml", 'regions: ["02"]', 'regions: ["01"]')
    assert errors(folder) == [
        "hubs.yaml:9: region '01' is already served by hub-01",
        "hubs.yaml:3: no hub serves region '02'",
    ]


def test_deadline_before_opening(tmp_path: Path) -> None:
    folder = broken(tmp_path, "opportunities.yaml", "opens_on: 2026-10-01", "opens_on: 2027-10-01")
    at = line(folder, "opportunities.yaml", "deadline: 2027-03-15")
    assert errors(folder) == [f"opportunities.yaml:{at}: deadline is before opens_on"]


def test_texts_in_every_language(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "services.yaml",
        "title: {fr: Fonds pour tous, en: Fund for everyone}",
        "title: {fr: Fonds pour tous, de: Fonds}",
    )
    at = line(folder, "services.yaml", "de: Fonds")
    assert errors(folder) == [
        f"services.yaml:{at}: title: the text in 'en' is missing",
        f"services.yaml:{at}: title: 'de' is not one of the network's languages",
    ]
    folder = broken(
        tmp_path / "b",
        "services.yaml",
        "summary: {fr: Des prêts partout., en: Loans everywhere.}",
        "summary: {fr: Des prêts partout.}",
    )
    at = line(folder, "services.yaml", "summary: {fr: Des prêts partout.}")
    assert (
        messages(folder, severity="warning")[0]
        == f"services.yaml:{at}: warning: summary: no 'en' translation (optional)"
    )


def test_warnings_do_not_stop_the_catalog_unless_strict(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", "verified_on: 2026-10-01", "verified_on: 2024-01-31")
    checked = check_catalog(folder, today=dt.date(2026, 11, 23))
    assert checked.catalog is not None
    at = line(folder, "services.yaml", "verified_on: 2024-01-31")
    assert (
        f"services.yaml:{at}: warning: 'fund-all' was last verified on 2024-01-31, over 12 months ago"
        in messages(folder, severity="warning")
    )


def test_places_point_to_known_regions_once(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "places.yaml").write_text(
        "version: 1\nplaces:\n  - {name: Rimouski, region: '01'}\n  - {name: Chicoutimi, region: '02', aliases: [RIMOUSKI]}\n"
        "  - {name: Atlantis, region: '99'}\n"
    )
    assert errors(folder) == [
        "places.yaml:4: 'RIMOUSKI' already means region '01' at line 3",
        "places.yaml:5: region '99' is not one of 01, 02, 03",
    ]
    (folder / "places.yaml").write_text(
        "version: 1\nplaces:\n  - {name: Rimouski, region: '01', aliases: [Rimouski]}\n"
    )
    catalog = load_catalog(folder)
    assert catalog.place_region("RIMOUSKI") == "01"
    assert "places.yaml:3: warning: 'Rimouski' is listed twice (also at line 3)" in messages(
        folder, severity="warning"
    )


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    folder = broken(tmp_path, "hubs.yaml", '    regions: ["02"]', '    regions: ["02"')
    (problem,) = check_catalog(folder).errors
    assert problem.path.name == "hubs.yaml" and problem.line == 10
    assert problem.message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "hubs.yaml:1: file is empty"),
        (b"version: 1\nhubs: [\xff\xfe]\n", "hubs.yaml:2: file is not UTF-8 text (save it as UTF-8)"),
        (
            b"a: &a [x, x]\nb: &b [*a, *a]\n",
            "hubs.yaml:2: not valid YAML: aliases (*name) are not allowed in a catalog file",
        ),
        (
            b"version: 1\nhubs: !!python/object/apply:os.system [echo hi]\n",
            "hubs.yaml:2: tags such as !!python/... are not allowed in a catalog file",
        ),
        (
            b"- just\n- a list\n",
            "hubs.yaml:1: the file must be a set of 'key: value' lines, starting with version: 1",
        ),
        (
            b"version: 1\nversion: 2\n",
            "hubs.yaml:2: not valid YAML: 'version' appears twice in the same record",
        ),
        (
            b"version: 1\nhubs: []\n",
            "hubs.yaml:2: hubs: List should have at least 1 item after validation, not 0",
        ),
    ],
)
def test_hostile_or_broken_files_are_refused_cleanly(tmp_path: Path, content: bytes, expected: str) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "hubs.yaml").write_bytes(content)
    assert errors(folder) == [expected]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "services.yaml").write_text("version: 1\n#" + "x" * 8_100_000 + "\n")
    assert errors(folder) == ["services.yaml:1: file is larger than 8 MB"]


def test_not_a_catalog_folder(tmp_path: Path) -> None:
    assert [p.message for p in check_catalog(tmp_path).errors] == [
        "no catalog here: expected network.yaml, taxonomy.yaml, hubs.yaml, services.yaml, opportunities.yaml"
    ]
    assert [p.message for p in check_catalog(tmp_path / "nope").errors] == ["no such catalog folder"]


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", "needs: [financing]", "needs: [money]")
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(folder)
    assert len(raised.value.problems) == 1
    assert "need 'money' is not one of" in str(raised.value)


def test_bad_phone_number(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", 'phone: "+1 418 555-0100"', 'phone: "call us"')
    at = line(folder, "services.yaml", "call us")
    assert errors(folder) == [
        f"services.yaml:{at}: phone: 'call us' is not a phone number (digits, spaces, +, -, parentheses)"
    ]


def test_hub_serving_an_unknown_region(tmp_path: Path) -> None:
    folder = broken(tmp_path, "hubs.yaml", 'regions: ["02"]', 'regions: ["02", "99"]')
    at = line(folder, "hubs.yaml", '"99"')
    assert errors(folder) == [f"hubs.yaml:{at}: region '99' is not one of 01, 02, 03"]


def test_code_listed_twice_in_the_taxonomy(tmp_path: Path) -> None:
    folder = broken(tmp_path, "taxonomy.yaml", "  - {code: agrifood,", "  - {code: tech,")
    at = line(folder, "taxonomy.yaml", "{code: tech, label: {fr: Agroalimentaire")
    assert errors(folder) == [f"taxonomy.yaml:{at}: sectors: code 'tech' is listed twice"]


def test_default_language_must_be_offered(tmp_path: Path) -> None:
    folder = broken(tmp_path, "network.yaml", "default_language: fr", "default_language: ar")
    at = line(folder, "network.yaml", "default_language: ar")
    assert errors(folder) == [f"network.yaml:{at}: default_language 'ar' is not in languages"]


def test_never_verified_entry_is_a_warning(tmp_path: Path) -> None:
    folder = broken(
        tmp_path, "services.yaml", "  - id: fund-02\n    verified_on: 2026-10-01\n", "  - id: fund-02\n"
    )
    at = line(folder, "services.yaml", "id: fund-02")
    assert (
        f"services.yaml:{at}: warning: 'fund-02' was never verified: add verified_on: YYYY-MM-DD once checked"
        in messages(folder, severity="warning")
    )


def with_handoff(tmp_path: Path, block: str) -> Path:
    """The mini catalog with this `handoff:` block in network.yaml instead of its own, as an admin would write it."""
    folder = broken(tmp_path, "network.yaml", "everywhere:\n", f"handoff:\n{block}everywhere:\n")
    path = folder / "network.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text[: text.rindex("handoff:\n")], encoding="utf-8"
    )  # the mini catalog's own block was last
    return folder


@pytest.mark.parametrize(
    ("hours", "needle", "expected"),
    [
        ("mon: 9-17", "mon: 9-17", "mon: '9-17': '9' is not a time written HH:MM, such as 09:00 or 16:30"),
        (
            'fri: "17:00-09:00"',
            "fri:",
            "fri: '17:00-09:00' must end after it starts (not past midnight: 24:00 ends the day)",
        ),
        (
            'funday: "09:00-17:00"',
            "funday",
            "office_hours: 'funday' is not a day: use mon, tue, wed, thu, fri, sat, sun, a range such as "
            "mon-fri, or several separated by commas",
        ),
        (
            "mon-fri: closed",
            "sat: closed",  # a problem of the whole week is reported where the week starts
            "office_hours: the week has no opening at all: give at least one day with its hours",
        ),
        (
            'mon-fri: "09:00-12:00, 11:30-17:00"',
            "mon-fri",
            "mon-fri: '09:00-12:00, 11:30-17:00': 09:00-12:00 and 11:30-17:00 overlap",
        ),
        (
            "mon: 9",
            "mon: 9",
            'mon: 9 is not a list of hours: write them in quotes, such as "09:00-17:00", or closed',
        ),
        (
            "mon:",
            "mon:",
            'mon: nothing is not a list of hours: write them in quotes, such as "09:00-17:00", or closed',
        ),
    ],
)
def test_malformed_office_hours_point_at_their_line(
    tmp_path: Path, hours: str, needle: str, expected: str
) -> None:
    folder = with_handoff(tmp_path, f"  office_hours:\n    sat: closed\n    {hours}\n")
    at = line(folder, "network.yaml", needle)
    assert errors(folder) == [f"network.yaml:{at}: {expected}"]


def test_a_day_given_twice_is_refused(tmp_path: Path) -> None:
    folder = with_handoff(tmp_path, '  office_hours:\n    mon-fri: "09:00-17:00"\n    fri: "09:00-12:00"\n')
    at = line(folder, "network.yaml", "mon-fri")
    assert errors(folder) == [
        f"network.yaml:{at}: office_hours: fri is given twice, in 'mon-fri' and in 'fri'"
    ]


def test_valid_office_hours_and_delays_are_read(tmp_path: Path) -> None:
    folder = with_handoff(
        tmp_path,
        '  office_hours:\n    sun-thu: 08:30-16:30\n    Fri, sat: "10:00-12:00, 13:00-24:00"\n'
        "  reminder_after_minutes: 30\n  escalate_after_minutes: 90\n  coordination_chat_id: -1001000000009\n"
        "  reopen_within_hours: 0\n  follow_up_days: 0\n",
    )
    catalog = load_catalog(folder)
    policy = catalog.handoff_policy
    assert policy.office_hours == {"sun-thu": "08:30-16:30", "Fri, sat": "10:00-12:00, 13:00-24:00"}
    assert (policy.coordination_chat_id, policy.follow_up_after) == (-1001000000009, None)
    hub = catalog.hub("hub-01")
    assert hub is not None
    assert (catalog.reminder_after(hub), catalog.escalate_after(hub)) == (
        dt.timedelta(minutes=30),
        dt.timedelta(minutes=90),
    )
    week = schedule_for(catalog, hub).weekly
    assert (week[4], week[6]) == (((600, 720), (780, 1440)), ((510, 990),))


@pytest.mark.parametrize(
    ("block", "needle", "expected"),
    [
        (
            "  reminder_after_minutes: 60\n  escalate_after_minutes: 45\n",
            "escalate_after",
            "escalate_after_minutes: 45 must be more than reminder_after_minutes (60)",
        ),
        (
            "  reminder_after_minutes: 0\n",
            "reminder_after",
            "reminder_after_minutes: 0 is too small, the least is 1",
        ),
        ("  follow_up_days: true\n", "follow_up", "follow_up_days: 'true' is not a whole number"),
        (
            "  coordination_chat_id: 1001000000009\n",
            "coordination",
            "coordination_chat_id: 1001000000009 is not a group's id: those are negative, such as -1001234567899",
        ),
    ],
)
def test_bad_delays_and_chat_ids(tmp_path: Path, block: str, needle: str, expected: str) -> None:
    folder = with_handoff(tmp_path, block)
    at = line(folder, "network.yaml", needle)
    assert errors(folder) == [f"network.yaml:{at}: {expected}"]


def test_hub_overrides_are_checked_and_used(tmp_path: Path) -> None:
    overrides = (
        '    regions: ["02"]\n    timezone: America/Halifax\n    reminder_after_minutes: 30\n'
        '    office_hours: {tue: "13:00-16:00"}\n'
    )
    folder = broken(tmp_path, "hubs.yaml", '    regions: ["02"]\n', overrides)
    catalog = load_catalog(folder)
    hub = catalog.hub("hub-02")
    assert hub is not None
    assert (str(catalog.hub_timezone(hub)), catalog.reminder_after(hub)) == (
        "America/Halifax",
        dt.timedelta(minutes=30),
    )
    assert catalog.escalate_after(hub) == dt.timedelta(minutes=240)
    folder = broken(
        tmp_path / "b",
        "hubs.yaml",
        '    regions: ["02"]\n',
        '    regions: ["02"]\n    timezone: America/Magdalen\n'
        '    office_hours: {tue: "13:00-16:00", thu: "noon"}\n',
    )
    zone, hours = (line(folder, "hubs.yaml", needle) for needle in ("America/Magdalen", "noon"))
    assert errors(folder) == [
        f"hubs.yaml:{zone}: timezone: 'America/Magdalen' is not a time zone name such as America/Toronto",
        f"hubs.yaml:{hours}: thu: 'noon' is not a list of hours such as 09:00-12:00, 13:00-17:00, or closed",
    ]
    folder = broken(
        tmp_path / "c",
        "hubs.yaml",
        '    regions: ["02"]\n',
        '    regions: ["02"]\n    reminder_after_minutes: 300\n',
    )
    reminder = line(folder, "hubs.yaml", "reminder_after")
    assert errors(folder) == [
        f"hubs.yaml:{reminder}: hub 'hub-02': escalate_after_minutes (240, from network.yaml) must be more than "
        "reminder_after_minutes (300)"
    ]


def with_eligibility(tmp_path: Path, entry_fields: str) -> Path:
    """The mini catalog with eligibility codes in its taxonomy and `entry_fields` on 'advice-startup'."""
    folder = broken(tmp_path, "services.yaml", "    needs: [advice]", f"    needs: [advice]\n{entry_fields}")
    taxonomy = folder / "taxonomy.yaml"
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8")
        + "groups:\n  - {code: women, label: {fr: Femme, en: Woman}}\n"
        + "legal_forms:\n  - {code: coop, label: {fr: Coopérative, en: Co-operative}}\n"
        + "sizes:\n  - {code: micro, label: {fr: 1 à 9, en: 1 to 9}}\n",
        encoding="utf-8",
    )
    return folder


def test_eligibility_fields_are_read(tmp_path: Path) -> None:
    folder = with_eligibility(
        tmp_path,
        "    groups: [women]\n    age: {min: 18, max: 39}\n    legal_forms: [coop]\n    sizes: [micro]",
    )
    assert errors(folder) == []
    entry = load_catalog(folder).entry("advice-startup")
    assert entry is not None
    assert (entry.groups, entry.legal_forms, entry.sizes) == (["women"], ["coop"], ["micro"])
    assert entry.age is not None and (entry.age.min, entry.age.max) == (18, 39)


def test_impossible_age_band_points_at_its_line(tmp_path: Path) -> None:
    folder = with_eligibility(tmp_path, "    age: {min: 40, max: 18}")
    at = line(folder, "services.yaml", "age:")
    assert errors(folder) == [f"services.yaml:{at}: max: 18 is below min (40): no age fits this band"]


def test_unknown_eligibility_codes_are_all_reported(tmp_path: Path) -> None:
    folder = with_eligibility(tmp_path, "    groups: [youth]\n    legal_forms: [llc]\n    sizes: [huge]")
    group, form = line(folder, "services.yaml", "[youth]"), line(folder, "services.yaml", "[llc]")
    size = line(folder, "services.yaml", "[huge]")
    assert errors(folder) == [
        f"services.yaml:{group}: target group 'youth' is not one of women",
        f"services.yaml:{form}: legal form 'llc' is not one of coop",
        f"services.yaml:{size}: company size 'huge' is not one of micro",
    ]


def test_eligibility_codes_need_a_taxonomy(tmp_path: Path) -> None:
    folder = broken(
        tmp_path, "services.yaml", "    needs: [advice]", "    needs: [advice]\n    groups: [women]"
    )
    at = line(folder, "services.yaml", "groups: [women]")
    assert errors(folder) == [
        f"services.yaml:{at}: target group 'women': taxonomy.yaml lists no groups (add them there first)"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", "advisor_chat_id: 'true' is not a whole number"),
        ("0", "advisor_chat_id: 0 is not a group's id: those are negative, such as -1001234567899"),
        ("4242", "advisor_chat_id: 4242 is not a group's id: those are negative, such as -1001234567899"),
        (
            str(2**70),
            f"advisor_chat_id: {2**70} is not a group's id: those are negative, such as -1001234567899",
        ),
        (
            str(-(2**70)),
            f"advisor_chat_id: {-(2**70)} is not a Telegram chat id (too long): "
            "copy the id the bot posted in the group",
        ),
        ('"-1001000000001"', "advisor_chat_id: '-1001000000001' is not a whole number"),
    ],
)
def test_advisor_chat_id_must_be_a_group_id(tmp_path: Path, value: str, expected: str) -> None:
    folder = broken(tmp_path, "hubs.yaml", "advisor_chat_id: -1001000000001", f"advisor_chat_id: {value}")
    at = line(folder, "hubs.yaml", f"advisor_chat_id: {value}")
    assert errors(folder) == [f"hubs.yaml:{at}: {expected}"]


def test_problems_are_capped_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(MINI, folder)
    (folder / "hubs.yaml").write_text("version: 1\nhubs:\n" + "- x\n" * 2000, encoding="utf-8")
    found = errors(folder)
    assert len(found) == 51
    assert found[0] == "hubs.yaml:3: hubs: Input should be a valid dictionary or instance of Hub"
    assert found[-1] == "hubs.yaml:1: ... and 1,950 more errors in this file"


def test_places_must_be_places_of_the_entry_s_regions(tmp_path: Path) -> None:
    folder = broken(
        tmp_path,
        "services.yaml",
        'regions: ["01"]',
        'regions: ["01"]\n    places: [Rimouski, Rimousky, Saguenay]',
    )
    (folder / "places.yaml").write_text(
        'version: 1\nplaces:\n  - {name: Rimouski, region: "01"}\n  - {name: Saguenay, region: "02"}\n',
        encoding="utf-8",
    )
    at = line(folder, "services.yaml", "places:")
    assert errors(folder) == [
        f"services.yaml:{at}: place 'Rimousky' is not a name of places.yaml",
        f"services.yaml:{at}: place 'Saguenay' is in region '02', not in its regions",
    ]


def test_places_need_the_entry_s_regions(tmp_path: Path) -> None:
    folder = broken(tmp_path, "services.yaml", 'regions: ["01"]', "regions: []\n    places: [Rimouski]")
    at = line(folder, "services.yaml", "places:")
    assert errors(folder) == [
        f"services.yaml:{at}: places: only for an entry that lists its regions (places are part of them)"
    ]
