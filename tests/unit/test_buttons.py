"""The button codec: typed actions packed within Telegram's 64 bytes, parsed back, forged data refused."""

from __future__ import annotations

import pytest

from bot.core import alert_buttons, buttons, referral_buttons
from bot.core.buttons import (
    Action,
    AskAdvisor,
    Claim,
    ConfirmForget,
    FollowUp,
    GroupsDone,
    Helped,
    MoreResults,
    OpenProfile,
    PickAge,
    PickSector,
    ProfileTarget,
    Rate,
    SeveralSectors,
    SkipStep,
    Sure,
    SureAction,
    TransferTo,
    YesNo,
    button,
    pack,
    parse,
)
from bot.core.steps import Step
from bot.core.types import Inbound
from tests.support.driver import CoreDriver
from tests.support.personas import ADVISOR, MINI_HUB_CHAT

# The data buttons carried before the codec existed: buttons already sent in chats must keep working.
WIRE = {
    "st:idea": buttons.PickStage("idea"),
    "sc:tech": PickSector("tech"),
    "sc:+": SeveralSectors(),
    "ss:tech": buttons.TickSector("tech"),
    "ss:*": buttons.SectorsDone(),
    "rg:01": buttons.PickRegion("01"),
    "nd:financing": buttons.TickNeed("financing"),
    "nd:*": buttons.NeedsDone(),
    "sk:stage": SkipStep(Step.STAGE),
    "sk:legal_form": SkipStep(Step.LEGAL_FORM),
    "ag:18": PickAge(18),
    "gr:women": buttons.TickGroup("women"),
    "gr:*": GroupsDone(),
    "lf:coop": buttons.PickLegalForm("coop"),
    "sz:1-9": buttons.PickSize("1-9"),
    "more": MoreResults(),
    "edit": buttons.EditAnswers(),
    "pf:results": OpenProfile(ProfileTarget.RESULTS),
    "pf:about": OpenProfile(ProfileTarget.ABOUT),
    "adv": AskAdvisor(),
    "cancel": buttons.Cancel(),
    "lg:ar": buttons.ChooseLanguage("ar"),
    "as:rs:sector::y": Sure(SureAction.RESTART, Step.SECTOR, "", yes=True),
    "as:lg:-:en:n": Sure(SureAction.LANGUAGE, None, "en", yes=False),
    "cf:yes": buttons.ConfirmFacts(YesNo.YES),
    "fg:no": ConfirmForget(YesNo.NO),
    "ok:yes": buttons.GiveConsent(YesNo.YES),
    "rt:12:5": Rate(12, 5),
    "rt:12:0": Rate(12, 0),
    "cm:12": buttons.SkipComment(12),
    "fu:12:adv": FollowUp(12, Helped.ADVISOR),
    "hc:7": Claim(7),
    "ht:7": buttons.ShowTransfer(7),
    "hx:7:hub-03": TransferTo(7, "hub-03"),
    "hb:7": buttons.BackToCard(7),
    "hz:7": buttons.CloseRequest(7),
    "hf:7:mentor-01-tech": buttons.ForwardEntry(7, "mentor-01-tech"),
    "al": alert_buttons.OfferAlerts(),
    "ay:yes": alert_buttons.AlertConsent(YesNo.YES),
    "ax": alert_buttons.StopAlerts(),
    "rm:call-01": alert_buttons.RemindMe("call-01"),
    "rx:call-01": alert_buttons.CancelReminder("call-01"),
    "pt:fund-all": referral_buttons.PutInTouch("fund-all"),
    "pc:fund-all:yes": referral_buttons.ReferralConsent("fund-all", YesNo.YES),
    "pq:12:y": referral_buttons.ReferralSend(12, True),
    "pa:12:n": referral_buttons.PartnerAnswer(12, False),
    "pu:12:x": referral_buttons.ReferralFollowUp(12, referral_buttons.FollowUpAnswer.NO_CONTACT),
}


@pytest.mark.parametrize(("data", "action"), WIRE.items())
def test_the_wire_format_is_the_one_buttons_already_carry(data: str, action: Action) -> None:
    assert parse(data) == action
    assert pack(action) == data


def test_every_kind_of_button_has_a_wire_example() -> None:
    kinds = {type(action) for action in WIRE.values()}
    registered = {type(a) for a in buttons._FIXED.values()} | {make for make, _f in buttons._KINDS.values()}
    assert registered == kinds


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "x",
        "zz:1",  # unknown key
        "st",  # a key with fields, without them
        "more:1",  # a key without fields, with one
        "rt:1",  # too few fields
        "rt:1:5:9",  # too many
        "hc:1:x",
        "hc:abc",  # not an integer
        "hc:-1",
        "hc:1.5",
        "hc:²",  # a digit to str.isdigit, not to int()
        "hc:99999999999",  # beyond the database's integers
        "rt:1:x",
        "sk:nowhere",  # no such step
        "pf:",  # no such profile target
        "pf:../../etc",
        "fg:maybe",
        "fu:1:perhaps",
        "as:zz:sector::y",  # no such action
        "as:rs:sector::maybe",  # not y or n
        "as:rs:somewhere::y",  # no such step
        "as:rs",
        "st:" + "x" * 62,  # over 64 bytes
        "x" * 64,
        "sc:é" * 20,
    ],
)
def test_stale_forged_or_malformed_data_parses_to_nothing(forged: str) -> None:
    assert parse(forged) is None


def test_nothing_at_all_parses_to_nothing() -> None:
    assert parse(None) is None


def test_a_lone_surrogate_from_a_client_is_refused_not_raised() -> None:
    assert parse("st:\ud800") == buttons.PickStage("\ud800")  # the catalog refuses the code later
    assert parse("st:" + "\ud800" * 30) is None


def test_packing_refuses_what_would_not_fit_or_not_read_back() -> None:
    with pytest.raises(ValueError, match="64"):
        pack(TransferTo(1, "h" * 64))
    with pytest.raises(ValueError, match="cannot be written"):
        pack(PickSector("a:b"))  # a separator inside a field
    with pytest.raises(ValueError, match="ambiguous"):
        pack(PickSector("+"))  # would read back as "Several sectors"


def test_a_button_carries_its_packed_data() -> None:
    assert button("Claim", Claim(3)) == buttons.Button("Claim", "hc:3")


def test_the_biggest_buttons_fit_telegrams_64_bytes() -> None:
    """A catalog code is at most 24 characters; a handoff id at most 10 digits."""
    code = "a" * 24
    biggest = (
        TransferTo(buttons.MAX_INT, code),
        Sure(SureAction.LANGUAGE, Step.LEGAL_FORM, code, yes=True),
        FollowUp(buttons.MAX_INT, Helped.ADVISOR),
        Rate(buttons.MAX_INT, 5),
    )
    for action in biggest:
        assert len(pack(action).encode()) <= buttons.MAX_BYTES
        assert parse(pack(action)) == action


def test_a_key_is_registered_once() -> None:
    with pytest.raises(ValueError, match="taken"):
        buttons.kind("hc")(Claim)


def test_steps_are_the_strings_stored_before_the_enum() -> None:
    assert Step.HUB_REGION == "hub_region"
    assert Step.of("legal_form") is Step.LEGAL_FORM
    assert Step.of("retired-step") is None
    assert Step.of(None) is None


# -- through the dialogue: a forged button is answered politely, whichever side presses it ----------------------


async def test_forged_ids_get_the_polite_expired_answer_on_both_sides(driver: CoreDriver) -> None:
    await driver.say("/start")
    for data in ("rt:99999999999:5", "fu:1:perhaps", "cm:x", "hc:1", "pf:nowhere"):
        await driver.press(data)
        assert driver.notices[-1] == "Ce bouton a expiré. Utilisez le message le plus récent."
    for data in ("hc:99999999999", "hx:1", "rt:1:5", "more"):
        group = Inbound(MINI_HUB_CHAT, ADVISOR, button=data, button_message_id=5, private=False)
        assert (await driver.run(group)).notice == "Ce bouton a expiré."
