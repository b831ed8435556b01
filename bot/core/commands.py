"""The entrepreneur's commands that are not the intake itself: start, help, privacy, language, forget.

`BOT_COMMANDS` is what Telegram's command menu lists, per language (`setMyCommands`).

Restarting or switching language from a typed message the understanding is not sure of is asked first
("Start the questions again?"). Those buttons (`Sure`, sent as `as:<action>:<step>:<argument>:<y|n>`, action
`rs` restart, `lg` language) name the step they were asked at: pressed at any other step, or forged, they are
expired.
"""

from __future__ import annotations

from bot.core import funnel
from bot.core.buttons import (
    AskAdvisor,
    ChooseLanguage,
    ConfirmForget,
    EditAnswers,
    OpenProfile,
    ProfileTarget,
    Sure,
    SureAction,
    YesNo,
    button,
)
from bot.core.intake import ask, profile_keyboard, profile_summary
from bot.core.steps import Step
from bot.core.text import Rich, Span, bold, fmt, italic, lines, plain
from bot.core.turn import Keyboard, Turn
from bot.core.types import Profile
from bot.i18n import language_name


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


BOT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Find the support that fits your project")),
    ("profile", N_("See and change your answers")),
    ("advisor", N_("Talk to an advisor of your hub")),
    ("alerts", N_("Alerts about new opportunities, and your reminders")),
    ("end", N_("End the conversation with the advisor")),
    ("language", N_("Change the language")),
    ("restart", N_("Start the questions again")),
    ("privacy", N_("What I keep about you, and why")),
    ("forget", N_("Delete everything I keep about you")),
    ("help", N_("What I can do")),
)


def start(turn: Turn, payload: str | None) -> None:
    """Greet, say what the bot does and keeps, honour a hub's deep link, then ask the first question."""
    _ = turn._
    catalog = turn.catalog
    turn.update(profile=Profile(), hub_id=None, page=0, editing=False, handoff_id=None)
    name = turn.event.sender.first_name
    network = catalog.text(catalog.network.name, turn.lang)
    hello = fmt(
        _("Hello {name}! I am Aiguilleur, the assistant of {network}."), name=name, network=bold(network)
    )
    if not name:
        hello = fmt(_("Hello! I am Aiguilleur, the assistant of {network}."), network=bold(network))
    parts: list[str | Span | Rich] = [
        hello,
        _(
            "I find the support services and opportunities that fit your project, then connect you with an "
            "advisor of your hub."
        ),
        italic(
            _(
                "I keep your answers and your messages to advisors for {days} days to do this. "
                "/privacy explains, /forget deletes everything."
            ).format(days=turn.retention_days)
        ),
    ]
    hub = catalog.hub(payload) if payload else None
    if hub is not None:
        turn.update(hub_id=hub.id)
        if len(hub.regions) == 1:
            turn.update_profile(region=hub.regions[0])
        parts.append(fmt(_("Welcome from {hub}."), hub=bold(catalog.text(hub.name, turn.lang))))
    elif payload:
        parts.append(_("I did not recognise the link you followed; let's start anyway."))
    if catalog.network.sample and catalog.network.notice:
        parts.append(italic(catalog.text(catalog.network.notice, turn.lang)))
    turn.say(lines(*parts))
    turn.events.append(
        funnel.of_conversation(catalog, funnel.Kind.STARTED, turn.conv.hub_id, turn.conv.profile)
    )
    ask(turn, Step.STAGE)


def help_text(turn: Turn) -> None:
    _ = turn._
    commands = [
        # TRANSLATORS: one line of /help; a right-to-left language may put the description first.
        fmt(_("{command} — {description}"), command=f"/{command}", description=_(description))
        for command, description in BOT_COMMANDS
    ]
    turn.say(
        lines(
            bold(_("I can help you find support for your business.")),
            # TRANSLATORS: /help's answer to "are you a bot?" and "is it free?".
            _(
                "I am an automated assistant, free to use; a person from your hub takes over when you ask (/advisor)."
            ),
            _("Answer a few questions with the buttons, or type your answer."),
            *commands,
        )
    )


def privacy(turn: Turn) -> None:
    _ = turn._
    turn.say(
        lines(
            bold(_("What I keep, and why")),
            _(
                "• Your Telegram id, your language and your answers (stage, sector, region, needs): to find what fits you."
            ),
            _(
                "• Your question and the messages you exchange with an advisor: so that your hub can help you."
            ),
            _(
                "• If you ask for alerts about new opportunities: your answers as codes and your reminders, "
                "until you stop them with /alerts."
            ),
            _(
                "• If you ask to be put in touch with an organisation: what you agreed to send it (first name, "
                "answers, question), and whether it answered and helped."
            ),
            _(
                "Advisors of your hub see them only when you ask to talk to one. Telegram carries the messages."
            ),
            _("Everything is deleted {days} days after your last activity.").format(days=turn.retention_days),
            fmt(_("{command} deletes everything now."), command=bold("/forget")),
        )
    )


def language_menu(turn: Turn, offered: tuple[str, ...]) -> None:
    _ = turn._
    buttons = tuple((button(language_name(lang), ChooseLanguage(lang)),) for lang in offered)
    turn.say((bold(_("Which language do you prefer?")),), buttons)


def confirm_forget(turn: Turn) -> None:
    _ = turn._
    turn.update(step=Step.FORGET)
    turn.say(
        lines(
            bold(_("Delete everything I keep about you?")),
            _("Your answers, your language and your conversations with advisors will be erased."),
        ),
        (
            (
                button(_("Yes, delete everything"), ConfirmForget(YesNo.YES)),
                button(_("No, keep it"), ConfirmForget(YesNo.NO)),
            ),
        ),
    )


def sure_buttons(turn: Turn, action: SureAction, argument: str, yes: str, no: str) -> Keyboard:
    """Yes / No for an action asked first, valid only at the step where it was asked."""
    return (
        (
            button(yes, Sure(action, turn.step, argument, yes=True)),
            button(no, Sure(action, turn.step, argument, yes=False)),
        ),
    )


def sure_counts(sure: Sure, step: Step | None, offered: tuple[str, ...]) -> bool:
    """Whether an "are you sure?" answer still counts: asked at this very step, with a valid argument."""
    if sure.at != step:
        return False
    if sure.action is SureAction.RESTART:
        return not sure.argument
    return sure.argument in offered


def confirm_restart(turn: Turn) -> None:
    """'Start the questions again?', when a typed message seemed to ask for it."""
    _ = turn._
    turn.say(
        lines(bold(sure_title(turn, SureAction.RESTART, "")), _("Your answers will be erased.")),
        sure_buttons(turn, SureAction.RESTART, "", _("Yes, start again"), _("No, go on")),
    )


def confirm_language(turn: Turn, lang: str) -> None:
    """'Shall I speak English?', when a typed message seemed to ask for it."""
    _ = turn._
    turn.say(
        (bold(sure_title(turn, SureAction.LANGUAGE, lang)),),
        sure_buttons(turn, SureAction.LANGUAGE, lang, _("Yes"), _("No")),
    )


def sure_title(turn: Turn, action: SureAction, argument: str) -> str:
    """The question of an action asked first; it stays, with the answer, once a button is pressed."""
    if action is SureAction.RESTART:
        return turn._("Start the questions again?")
    return turn._("Shall I speak {language}?").format(language=language_name(argument))


def forgotten(turn: Turn, rows: int) -> None:
    _ = turn._
    turn.forgotten = True
    turn.say(
        lines(
            bold(_("Done: I deleted everything I kept about you.")),
            turn.ngettext("{count} record was erased.", "{count} records were erased.", rows).format(
                count=rows
            ),
            _("Send /start if you want to begin again."),
        )
    )


def show_profile(turn: Turn) -> None:
    _ = turn._
    turn.update(step=Step.RESULTS if turn.step not in (None, Step.STAGE) else turn.step)
    turn.say(lines(bold(_("Your answers")), profile_summary(turn)), profile_keyboard(turn))


def not_understood(turn: Turn) -> None:
    """Never a dead end: say what the bot can do and offer the main actions."""
    _ = turn._
    turn.say(
        (
            plain(
                _(
                    "I did not understand. You can see your results, change your answers or talk to an advisor."
                )
            ),
        ),
        (
            (
                button(_("See my results"), OpenProfile(ProfileTarget.RESULTS)),
                button(_("Change my answers"), EditAnswers()),
            ),
            (button(_("Talk to an advisor"), AskAdvisor()),),
        ),
    )
