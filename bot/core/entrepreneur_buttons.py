"""The entrepreneur's buttons: one handler per kind of button (`bot.core.buttons`), in a dispatch table.

Every handler checks that its button still counts (the step it belongs to, a code the catalog has, the
entrepreneur's own handoff) and says False otherwise: the press then gets a polite "this button has expired"
and changes nothing. While an advisor has the chat, only the deletion and language buttons count.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.core import commands, eligibility, freetext, languages
from bot.core.aftercare import Aftercare
from bot.core.alert_buttons import (
    AlertAction,
    AlertConsent,
    CancelReminder,
    OfferAlerts,
    RemindMe,
    StopAlerts,
)
from bot.core.alerts import AlertDesk
from bot.core.answers import SINGLE_STEPS, Answers
from bot.core.buttons import (
    Action,
    AskAdvisor,
    Cancel,
    ChooseLanguage,
    ConfirmFacts,
    ConfirmForget,
    EditAnswers,
    FollowUp,
    GiveConsent,
    GroupsDone,
    MoreResults,
    NeedsDone,
    OpenProfile,
    PickAge,
    PickLegalForm,
    PickRegion,
    PickSector,
    PickSize,
    PickStage,
    ProfileTarget,
    Rate,
    SectorsDone,
    SeveralSectors,
    SkipComment,
    SkipStep,
    Sure,
    SureAction,
    TickGroup,
    TickNeed,
    TickSector,
    YesNo,
    parse,
)
from bot.core.entrepreneur_desk import EntrepreneurDesk
from bot.core.intake import DIMENSION, KIND, ask, next_step, question
from bot.core.ports import Conversations
from bot.core.referral_buttons import (
    PutInTouch,
    ReferralAction,
    ReferralConsent,
    ReferralFollowUp,
    ReferralSend,
)
from bot.core.referrals import ReferralDesk
from bot.core.results import show_results
from bot.core.steps import Step
from bot.core.text import bold, plain
from bot.core.turn import Turn
from bot.i18n import I18n

Handler = Callable[["EntrepreneurButtons", Turn, Any], Awaitable[bool]]
DURING_HANDOFF = (ConfirmForget, ChooseLanguage)  # the buttons that count while an advisor has the chat
TICKED = {TickNeed: Step.NEEDS, NeedsDone: Step.NEEDS, TickSector: Step.SECTORS, SectorsDone: Step.SECTORS}


class EntrepreneurButtons:
    """Carries out a button pressed in an entrepreneur's private chat, if it still counts."""

    def __init__(
        self,
        *,
        store: Conversations,
        answers: Answers,
        desk: EntrepreneurDesk,
        aftercare: Aftercare,
        i18n: I18n,
        alerts: AlertDesk,
        referrals: ReferralDesk,
    ) -> None:
        self.store = store
        self.answers = answers
        self.desk = desk
        self.aftercare = aftercare
        self.i18n = i18n
        self.alerts = alerts
        self.referrals = referrals

    async def press(self, turn: Turn, data: str) -> None:
        """A button's data, parsed and handled; anything stale, forged or out of place is 'expired'."""
        action = parse(data)
        handler = HANDLERS.get(type(action)) if action is not None else None
        if turn.conv.handoff_id is not None and not isinstance(action, DURING_HANDOFF):
            handler = None
        if handler is None or not await handler(self, turn, action):
            turn.notice = turn._("This button has expired. Please use the latest message.")

    # -- the questions -------------------------------------------------------------------------------------

    async def _pick(self, turn: Turn, action: PickStage | PickSector | PickRegion) -> bool:
        step = turn.step
        if step is None or step not in SINGLE_STEPS or KIND[step] is not type(action):
            return False
        return turn.catalog.has_code(DIMENSION[step], action.code) and self.answers.answer(
            turn, step, action.code
        )

    async def _several_sectors(self, turn: Turn, _action: SeveralSectors) -> bool:
        if turn.step is not Step.SECTOR:
            return False
        turn.edit_pressed(question(turn, Step.SECTOR))
        ask(turn, Step.SECTORS)
        return True

    async def _skip(self, turn: Turn, action: SkipStep) -> bool:
        step = turn.step
        if step is None or action.step is not step:
            return False
        if step in SINGLE_STEPS:
            return self.answers.answer(turn, step, None)
        return step in eligibility.CRITERIA and self.answers.criterion(turn, step, action)

    async def _tick(self, turn: Turn, action: TickNeed | NeedsDone | TickSector | SectorsDone) -> bool:
        step = TICKED[type(action)]
        if turn.step is not step:
            return False
        code = action.code if isinstance(action, TickNeed | TickSector) else None
        return self.answers.ticked(turn, step, code)

    async def _criterion(self, turn: Turn, action: Action) -> bool:
        step = turn.step
        return (
            step is not None and step in eligibility.CRITERIA and self.answers.criterion(turn, step, action)
        )

    # -- around the questions ------------------------------------------------------------------------------

    async def _more(self, turn: Turn, _action: MoreResults) -> bool:
        if turn.step is not Step.RESULTS:
            return False
        show_results(turn, turn.conv.page + 1)
        return True

    async def _profile(self, turn: Turn, action: EditAnswers | OpenProfile) -> bool:
        """/profile's buttons (and 'Change my answers', which opens /profile)."""
        if turn.step in (Step.HANDOFF, Step.QUESTION, Step.FORGET):
            return False
        if isinstance(action, EditAnswers):
            commands.show_profile(turn)
        elif action.target is ProfileTarget.RESULTS:
            eligibility.results_or_question(turn)
        elif action.target is ProfileTarget.ABOUT:
            turn.update_profile(age=None, groups=None, legal_form=None, size=None, skipped=())
            turn.update(editing=True)
            eligibility.results_or_question(turn)
        else:
            turn.update(editing=True)
            ask(turn, Step(action.target))
        return True

    async def _advisor(self, turn: Turn, _action: AskAdvisor) -> bool:
        if turn.step in (Step.HANDOFF, Step.QUESTION, Step.CONSENT):
            return False
        self.desk.request(turn)
        return True

    async def _cancel(self, turn: Turn, _action: Cancel) -> bool:
        if turn.step not in (Step.QUESTION, Step.HUB_REGION, Step.CONSENT):
            return False
        show_results(turn, turn.conv.page)
        return True

    async def _language(self, turn: Turn, action: ChooseLanguage) -> bool:
        if action.lang not in languages.offered(self.i18n, turn.catalog):
            return False
        languages.switch(turn, self.i18n, action.lang)
        return True

    async def _sure(self, turn: Turn, action: Sure) -> bool:
        """The answer to 'Start the questions again?' or 'Shall I speak English?'."""
        if not commands.sure_counts(action, turn.step, languages.offered(self.i18n, turn.catalog)):
            return False
        _ = turn._
        title = commands.sure_title(turn, action.action, action.argument)
        turn.edit_pressed((bold(title), plain(" "), plain(_("Yes") if action.yes else _("No"))))
        if not action.yes:
            if not freetext.reask(turn):
                turn.say((plain(_("Nothing changed.")),))
        elif action.action is SureAction.RESTART:
            commands.start(turn, turn.conv.hub_id)
        else:
            languages.switch(turn, self.i18n, action.argument)
        return True

    async def _forget(self, turn: Turn, action: ConfirmForget) -> bool:
        if turn.step is not Step.FORGET:
            return False
        if action.answer is YesNo.NO:
            turn.say((plain(turn._("Nothing was deleted.")),))
            turn.update(step=Step.HANDOFF if turn.conv.handoff_id else Step.RESULTS)
            if turn.conv.handoff_id is None and (following := next_step(turn)) is not None:
                ask(turn, following)  # in the middle of the questions: go on where they were
            return True
        await self.desk.end_by_user(turn, reason="forget")
        rows = await self.store.forget_user(chat_id=turn.conv.chat_id)
        commands.forgotten(turn, rows)
        return True

    async def _facts(self, turn: Turn, action: ConfirmFacts) -> bool:
        if turn.step is not Step.CONFIRM:
            return False
        freetext.answer_confirmation(turn, action.answer is YesNo.YES)
        return True

    async def _consent(self, turn: Turn, action: GiveConsent) -> bool:
        if turn.step is not Step.CONSENT:
            return False
        self.desk.consent(turn, action.answer is YesNo.YES)
        return True

    # -- after a request -----------------------------------------------------------------------------------

    async def _rate(self, turn: Turn, action: Rate) -> bool:
        return await self.aftercare.rate(turn, action.handoff_id, action.stars)

    async def _follow_up(self, turn: Turn, action: FollowUp) -> bool:
        return await self.aftercare.follow_up_answer(turn, action.handoff_id, action.answer)

    async def _alerts(self, turn: Turn, action: AlertAction) -> bool:
        """Opportunity alerts: subscribe (consent first), stop, remind me, cancel a reminder."""
        return await self.alerts.press(turn, action)

    async def _referral(self, turn: Turn, action: ReferralAction) -> bool:
        """Warm referrals: put me in touch (consent first), send or cancel, the follow-up's answer."""
        return await self.referrals.press(turn, action)

    async def _skip_comment(self, turn: Turn, action: SkipComment) -> bool:
        if turn.step is not Step.COMMENT or action.handoff_id != turn.conv.last_handoff_id:
            return False
        self.aftercare.skip_comment(turn)
        return True


# One handler per kind: functions of the class, so the table holds no instance and nothing refers back to one.
HANDLERS: dict[type[Action], Handler] = {
    PickStage: EntrepreneurButtons._pick,
    PickSector: EntrepreneurButtons._pick,
    PickRegion: EntrepreneurButtons._pick,
    SeveralSectors: EntrepreneurButtons._several_sectors,
    SkipStep: EntrepreneurButtons._skip,
    TickNeed: EntrepreneurButtons._tick,
    NeedsDone: EntrepreneurButtons._tick,
    TickSector: EntrepreneurButtons._tick,
    SectorsDone: EntrepreneurButtons._tick,
    PickAge: EntrepreneurButtons._criterion,
    TickGroup: EntrepreneurButtons._criterion,
    GroupsDone: EntrepreneurButtons._criterion,
    PickLegalForm: EntrepreneurButtons._criterion,
    PickSize: EntrepreneurButtons._criterion,
    MoreResults: EntrepreneurButtons._more,
    EditAnswers: EntrepreneurButtons._profile,
    OpenProfile: EntrepreneurButtons._profile,
    AskAdvisor: EntrepreneurButtons._advisor,
    Cancel: EntrepreneurButtons._cancel,
    ChooseLanguage: EntrepreneurButtons._language,
    Sure: EntrepreneurButtons._sure,
    ConfirmForget: EntrepreneurButtons._forget,
    ConfirmFacts: EntrepreneurButtons._facts,
    GiveConsent: EntrepreneurButtons._consent,
    Rate: EntrepreneurButtons._rate,
    FollowUp: EntrepreneurButtons._follow_up,
    SkipComment: EntrepreneurButtons._skip_comment,
    OfferAlerts: EntrepreneurButtons._alerts,
    AlertConsent: EntrepreneurButtons._alerts,
    StopAlerts: EntrepreneurButtons._alerts,
    RemindMe: EntrepreneurButtons._alerts,
    CancelReminder: EntrepreneurButtons._alerts,
    PutInTouch: EntrepreneurButtons._referral,
    ReferralConsent: EntrepreneurButtons._referral,
    ReferralSend: EntrepreneurButtons._referral,
    ReferralFollowUp: EntrepreneurButtons._referral,
}
