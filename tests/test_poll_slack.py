"""Poll participation on Slack: channel members from conversations.members, nudges by DM."""
# ruff: noqa: F811 (the Slack fixtures are imported, then named as test parameters)

from __future__ import annotations

import json

from tests import test_slack as slack
from tests.test_slack import client, fake, slack_bot, slack_config  # noqa: F401 (fixtures)


async def test_slack_status_counts_channel_members_and_nudges_those_who_have_not_voted(
    slack_bot, client, fake
):
    from adapters.slack.adapter import SlackAdapter
    from bot.kernel.model import Incoming, User
    from tests.fakes.slack_api import BOT_USER_ID

    fake.members["C0FORUM"] = [slack.ORGANISER_ID, slack.DTL_ID, "U0ALI", BOT_USER_ID]
    fake.names = {slack.DTL_ID: "Dana", "U0ALI": "Ali", slack.ORGANISER_ID: "Olu"}
    olu = User("slack", slack.ORGANISER_ID, name="Olu", is_organiser=True)
    channel = SlackAdapter.conversation("C0FORUM", None)
    await slack_bot.handle(Incoming(olu, channel, text="poll start Spring 2027 closes 2026-12-20"))
    dana = User("slack", slack.DTL_ID)
    await slack_bot.handle(Incoming(dana, SlackAdapter.conversation("D0DANA", None),
                                    text="rank 1 2 3 4 5 6 7 8"))
    (status,) = await slack_bot.handle(Incoming(olu, channel, text="poll status"))
    assert "1 of the 3 people who could vote have voted" in status.text
    # The channel is told how many have not voted, never who.
    assert "Not voted yet: 2." in status.text and "Ali" not in status.text
    direct = SlackAdapter.conversation("D0OLU", None)
    *_, named = await slack_bot.handle(Incoming(olu, direct, text="poll status"))
    assert "Not voted yet (2): Ali, Olu." in named.text
    assert fake.called("conversations.members")[0]["channel"] == "C0FORUM"
    (nudged,) = await slack_bot.handle(Incoming(olu, channel, text="poll nudge"))
    assert "to 2 of the 2 people" in nudged.text
    posts = fake.called("chat.postMessage")
    assert sorted(p["channel"] for p in posts) == ["U0ALI", slack.ORGANISER_ID]
    assert all("Rank your priorities" in json.dumps(p.get("blocks")) for p in posts)



async def test_a_big_slack_channel_is_counted_from_the_user_list_in_pages(slack_bot, client, fake):
    from adapters.slack.adapter import SlackAdapter
    from bot.kernel.model import Incoming, User

    people = [f"U{n:04d}" for n in range(450)]
    fake.members["C0BIG"] = people + [slack.ORGANISER_ID]
    fake.names = {u: f"Person {u}" for u in people}
    olu = User("slack", slack.ORGANISER_ID, name="Olu", is_organiser=True)
    channel = SlackAdapter.conversation("C0BIG", None)
    await slack_bot.handle(Incoming(olu, channel, text="poll start Big one"))
    direct = SlackAdapter.conversation("D0OLU", None)
    *_, status = await slack_bot.handle(Incoming(olu, direct, text="poll status"))
    assert "0 of the 451 people who could vote have voted" in status.text
    assert "and 411 more." in status.text
    assert len(fake.called("conversations.members")) == 3  # 200 a page
    assert len(fake.called("users.list")) == 3
    assert len(fake.called("users.info")) <= 1


async def test_slack_results_are_shared_in_the_announced_channel_at_close_and_on_request(
    slack_bot, client, fake, clock
):
    from datetime import UTC, datetime

    from adapters.slack.adapter import SlackAdapter
    from bot.kernel.model import Incoming, User
    from bot.kernel.scheduler import run_due

    fake.members["C0FORUM"] = [slack.ORGANISER_ID, slack.DTL_ID]
    olu = User("slack", slack.ORGANISER_ID, name="Olu", is_organiser=True)
    channel = SlackAdapter.conversation("C0FORUM", None)
    await slack_bot.handle(Incoming(olu, channel,
                                    text="poll start Spring 2027 closes 2026-11-30 17:00"))
    await slack_bot.handle(Incoming(User("slack", slack.DTL_ID),
                                    SlackAdapter.conversation("D0DANA", None),
                                    text="rank 1 2 3 4 5 6 7 8"))
    clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    await run_due(slack_bot)
    posts = [p for p in fake.called("chat.postMessage") if p["channel"] == "C0FORUM"]
    assert any("Results: Spring 2027" in slack.texts(p) for p in posts)
    assert any("1 of the 2 people who could vote has voted" in slack.texts(p) for p in posts)
    assert fake.called("files.completeUploadExternal")  # the chart
    before = len(fake.called("chat.postMessage"))
    *_, done = await slack_bot.handle(Incoming(olu, SlackAdapter.conversation("D0OLU", None),
                                              text="poll share"))
    assert "Results shared where the poll was announced" in done.text  # after the welcome
    again = fake.called("chat.postMessage")[before:]
    assert [p["channel"] for p in again] == ["C0FORUM"]


def test_the_slack_modal_and_the_teams_card_show_each_priority_as_a_header_over_its_fields():
    from adapters.slack.blocks import modal
    from adapters.teams.cards import render
    from bot.features.polls.ballots import PollPriority, ballot_form
    from bot.kernel.model import Reply

    priorities = [PollPriority(1, "telephony", "Cloud-based telephony"),
                  PollPriority(2, "bi", "Business intelligence")]
    form = ballot_form(1, "Spring", priorities)
    blocks = modal(form, {}).to_dict()["blocks"]
    kinds = [(b["type"], b.get("text", {}).get("text") if b["type"] == "header" else
              b.get("label", {}).get("text")) for b in blocks if b["type"] in ("header", "input")]
    assert kinds[:4] == [("header", "Cloud-based telephony (#1)"), ("input", "Rank"),
                         ("input", "Who is leading it"), ("input", "How far along")]
    assert ("header", "Business intelligence (#2)") in kinds
    (activity,) = render(Reply(form=form), lambda *a: None, {})
    body = json.dumps(activity.attachments[0].content if hasattr(activity, "attachments")
                      else activity)
    assert body.index("Cloud-based telephony (#1)") < body.index("field:rank:telephony")
