"""The forum teaches the bot: organisers answer what it could not, peers answer through "ask
the forum", askers are told, and content is kept current from chat (a layer over content/)."""

from __future__ import annotations

from bot.features.teach import (
    cli,
    commands,
    feedback,
    forum,
    library,
    priorities,
    settings,
    store,
)
from bot.features.teach.notices import ASKERS_DATA, NOTICES_TASK
from bot.kernel.registry import PersonalData, Registry


def _describe_listing(bot, user) -> list[str]:
    rows = list(bot.db["teach_listings"].rows_where("person = ?", [bot.pseudonym(user)]))
    return [f"{row['at'][:10]}: the numbering of the `unanswered` list you were last shown"
            for row in rows]


def _forget_listing(bot, user) -> str:
    bot.db["teach_listings"].delete_where("person = ?", [bot.pseudonym(user)])
    return "Deleted your last `unanswered` list (type `unanswered` to number it again)."


LISTING_DATA = PersonalData(
    "Your last list of unanswered questions (organisers)",
    "Until you next type `unanswered`, or use `forget me`.",
    _describe_listing,
    _forget_listing,
    tables=("teach_listings",),
    summary="which question ids you were shown under which number, when, and your pseudonym",
)


def register(registry: Registry) -> None:
    registry.content_layer(store.layer, store.layer_revision)
    commands.register(registry)
    forum.register(registry)
    library.register(registry)
    feedback.register(registry)
    priorities.register(registry)
    registry.settings(settings.SECTION)
    registry.cli(cli.add)
    registry.holds_personal_data(ASKERS_DATA)
    registry.holds_personal_data(LISTING_DATA)
    registry.task(NOTICES_TASK)
