"""Priority polls end to end through the neutral model: open, vote, re-vote, close, trend."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.features.polls import store as polls
from bot.kernel.audit import recent
from bot.kernel.content import Priority
from bot.kernel.model import Action, Reply, User
from bot.kernel.scheduler import next_wake, run_due
from tests.conftest import DTL, ORGANISER, press, say
from tests.fakes.polls import CHANNEL, RecordingSender, form_values, in_channel, submit

IDS = ["telephony", "front-door", "websites", "it-systems", "workflows", "bi",
       "data-quality", "inclusion"]
ALI = User("console", "ali", name="Ali")
BEA = User("teams", "29:bea", name="Bea")


async def start(bot, text="poll start Spring 2027"):
    (reply,) = await in_channel(bot, text, ORGANISER)
    return reply


async def open_form(bot, user=DTL):
    (reply,) = await press(bot, Action("ballot.open", value="1"), user)
    assert reply.form is not None
    return reply.form


async def vote_form(bot, order, user=DTL, **extra):
    form = await open_form(bot, user)
    return await press(bot, submit(form, form_values(form, order, **extra)), user)


def results_json(bot, ref=""):
    from bot.features.polls.results import as_json

    poll = polls.find_poll(bot, ref)
    return as_json(poll.as_dict(), polls.compute(bot, poll))


async def test_poll_start_announces_with_a_rank_button_where_it_was_typed(bot):
    reply = await start(bot, "poll start Spring 2027 closes 2026-12-01")
    assert "Spring 2027" in reply.text
    assert "Tue 1 Dec 2026, 23:59" in reply.text
    (button,) = reply.buttons
    assert button.label == "Rank your priorities"
    assert button.action == Action("ballot.open", value="1")
    row = bot.db["polls"].get(1)
    assert row["conversation"] == CHANNEL.key
    assert bot.metrics.open_polls._value.get() == 1
    assert recent(bot)[0]["action"] == "poll start"


async def test_a_second_poll_is_refused_while_one_is_open(bot):
    await start(bot)
    reply = await start(bot, "poll start Autumn 2027")
    assert "Spring 2027" in reply.text and "still open" in reply.text
    assert bot.db["polls"].count == 1


@pytest.mark.parametrize("text, expected", [
    ("poll start", "Give the poll a title"),
    ("poll start Spring closes someday", "couldn't read the closing date"),
    ("poll start Spring closes 2026-11-01", "already passed"),
])
async def test_bad_poll_start_gets_a_clear_message(bot, text, expected):
    reply = await start(bot, text)
    assert expected in reply.text
    assert bot.db["polls"].count == 0


async def test_dtls_cannot_run_organiser_poll_commands(bot):
    await start(bot)
    for command in ("poll close", "poll export 1", "poll remind", "poll status", "poll nudge",
                    "poll share"):
        (reply,) = await say(bot, command)
        assert "Only forum organisers" in reply.text
    (reply,) = await say(bot, "poll results")
    assert "shared when it closes" in reply.text and reply.image is None


async def test_the_button_opens_a_ballot_form_with_rank_lead_and_progress_per_priority(bot):
    await start(bot)
    form = await open_form(bot)
    assert form.id == "ballot:1"
    ids = [f.id for f in form.fields]
    for pid in IDS:
        assert {f"rank:{pid}", f"lead:{pid}", f"progress:{pid}"} <= set(ids)
    assert ids[-1] == "pcn"
    assert "rank" in form.text_hint and "status" in form.text_hint
    rank_field = next(f for f in form.fields if f.id == "rank:telephony")
    assert [o.value for o in rank_field.options] == [str(n) for n in range(1, 9)]


async def test_a_valid_form_ballot_is_saved_and_counted(bot):
    await start(bot)
    (reply,) = await vote_form(bot, IDS[::-1], leads={"bi": "icb"},
                               progress={"bi": "planning"})
    assert "your ballot for \"Spring 2027\" is saved" in reply.text
    assert reply.form is None
    data = results_json(bot)
    assert data["responses"] == 1
    assert data["priorities"][0]["id"] == "inclusion"
    bi = next(p for p in data["priorities"] if p["id"] == "bi")
    assert bi["leads"]["icb"] == 1 and bi["progress"]["planning"] == 1
    assert bot.metrics.ballots._value.get() == 1


async def test_voting_again_replaces_the_ballot_one_per_person(bot):
    await start(bot)
    await vote_form(bot, IDS)
    await say(bot, "rank 8 7 6 5 4 3 2 1")
    data = results_json(bot)
    assert data["responses"] == 1
    assert data["priorities"][0]["id"] == "inclusion"
    assert data["priorities"][0]["score"] == 8


async def test_an_invalid_form_is_returned_with_errors_and_choices_and_keeps_the_old_ballot(bot):
    await start(bot)
    await vote_form(bot, IDS)
    form = await open_form(bot)
    values = form_values(form, IDS, leads={"bi": "dtl"})
    values["rank:front-door"] = "1"  # two firsts, and nothing ranked 2
    (reply,) = await press(bot, submit(form, values))
    assert reply.form is not None and reply.form.has_errors
    assert "rank 1 used more than once" in reply.form.error
    assert "rank 2 not used" in reply.form.error
    errors = {f.id: f.error for f in reply.form.fields if f.error}
    assert set(errors) == {"rank:telephony", "rank:front-door"}
    assert "Digital front door" in errors["rank:telephony"]
    kept = {f.id: f.initial for f in reply.form.fields}
    assert kept["rank:front-door"] == "1" and kept["lead:bi"] == "dtl"
    assert results_json(bot)["priorities"][0]["id"] == "telephony"  # earlier ballot intact


async def test_the_form_opens_again_filled_with_the_voters_ballot(bot):
    await start(bot)
    await vote_form(bot, IDS[::-1], leads={"websites": "practices"}, pcn="Riverside PCN")
    form = await open_form(bot)
    values = {f.id: f.initial for f in form.fields}
    assert values["rank:inclusion"] == "1"
    assert values["lead:websites"] == "practices"
    assert values["pcn"] == "Riverside PCN"


async def test_text_ballot_rank_and_status_make_a_full_ballot(bot):
    await start(bot)
    (reply,) = await say(bot, "status 3 icb in-progress")
    assert "counts once all 8 are ranked" in reply.text
    assert results_json(bot)["responses"] == 0
    (reply,) = await say(bot, "rank bi 2 3 4 5 1 data-quality inclusion")
    assert "is saved" in reply.text
    data = results_json(bot)
    assert data["responses"] == 1
    assert [p["id"] for p in data["priorities"]][:2] == ["bi", "front-door"]
    websites = next(p for p in data["priorities"] if p["id"] == "websites")
    assert websites["leads"]["icb"] == 1 and websites["progress"]["in-progress"] == 1


@pytest.mark.parametrize("args, expected", [
    ("rank", "Give all 8 priorities"),
    ("rank 1 1 2 3 4 5 6 7", "appears twice"),
    ("rank 1 2 3", "missing: 4. Implementing new IT systems"),
    ("rank 1 2 3 4 5 6 7 9", "out of range"),
    ("rank 0 1 2 3 4 5 6 7", "out of range"),
    ("rank 1 2 3 4 5 6 7 teleporting", "“teleporting” is not one of"),
    ("status 3 wizards in-progress", "I don't know who"),
    ("status 3 icb finished-ish", "progress stage"),
    ("status 12 icb planning", "out of range"),
])
async def test_bad_text_ballots_say_what_is_wrong_and_change_nothing(bot, args, expected):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    (reply,) = await say(bot, args)
    assert expected in reply.text
    assert "not changed" in reply.text
    assert results_json(bot)["priorities"][0]["id"] == "telephony"


async def test_voting_on_a_closed_poll_says_when_it_closed(bot, clock):
    await start(bot)
    form = await open_form(bot)
    clock.advance(days=2)
    await in_channel(bot, "poll close", ORGANISER)
    (reply,) = await say(bot, "rank 1 2 3 4 5 6 7 8")
    assert "closed on Thu 26 Nov 2026" in reply.text
    (reply,) = await press(bot, submit(form, form_values(form, IDS)))
    assert reply.form is not None and "closed on Thu 26 Nov 2026" in reply.form.error
    (reply,) = await press(bot, Action("ballot.open", value="1"))
    assert "closed on" in reply.text
    assert results_json(bot)["responses"] == 0


async def test_poll_close_shows_results_and_posts_them_where_announced(bot):
    sender = RecordingSender()
    bot.senders["console"] = sender
    await start(bot)
    await say(bot, "rank 2 1 3 4 5 6 7 8")
    replies = await say(bot, "poll close", ORGANISER)  # typed in a direct message
    assert "Results: Spring 2027" in replies[0].text
    assert replies[0].image is not None
    ((where, posted),) = sender.posts
    assert where == CHANNEL and "Results: Spring 2027" in posted[0].text
    assert bot.db["polls"].get(1)["status"] == "closed"
    assert bot.metrics.open_polls._value.get() == 0
    assert recent(bot)[0]["action"] == "poll close"


async def test_a_poll_closes_itself_on_its_date_and_posts_results_once(bot, clock):
    sender = RecordingSender()
    bot.senders["console"] = sender
    await start(bot, "poll start Spring 2027 closes 2026-11-30 17:00")
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    due = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 17:00 in London is 17:00 UTC in winter
    assert next_wake(bot) <= due
    [close_task] = [t for t in bot.registry.tasks if t.name == "polls.close"]
    assert close_task.next_due(bot) == due
    clock.set(due - timedelta(hours=1))
    await run_due(bot)
    assert sender.posts == [] and bot.db["polls"].get(1)["status"] == "open"
    clock.set(due)
    await run_due(bot)
    ((where, posted),) = sender.posts
    assert where == CHANNEL
    assert "Results: Spring 2027" in posted[0].text and "1 response" in posted[0].text
    assert posted[0].image is not None and posted[0].image.alt
    assert bot.db["polls"].get(1)["status"] == "closed"
    await run_due(bot)
    assert len(sender.posts) == 1
    assert polls.next_close(bot) is None


async def test_a_vote_after_the_closing_time_is_refused_before_the_scheduler_runs(bot, clock):
    await start(bot, "poll start Spring 2027 closes 2026-11-25")
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    (reply,) = await say(bot, "rank 1 2 3 4 5 6 7 8")
    assert "closed on Wed 25 Nov 2026, 23:59" in reply.text


async def test_a_failed_automatic_post_is_logged_and_not_retried(bot, clock, caplog):
    await start(bot, "poll start Spring 2027 closes 2026-11-25")  # no sender for console
    clock.set(datetime(2026, 11, 26, tzinfo=UTC))
    await run_due(bot)
    assert "could not post" in caplog.text
    assert polls.next_close(bot) is None
    assert bot.db["polls"].get(1)["status"] == "closed"


async def test_a_changed_priority_list_does_not_change_an_existing_poll(bot):
    await start(bot)
    original = bot.content.priorities
    bot.content.priorities = [replace(p, id=f"new-{p.id}", title=f"New {p.title}")
                              for p in original]
    form = await open_form(bot)
    assert any(f.group.startswith("Cloud-based telephony") for f in form.fields)
    await say(bot, "rank telephony 2 3 4 5 6 7 8")
    await in_channel(bot, "poll close", ORGANISER)
    await start(bot, "poll start Autumn 2027")
    (reply,) = await say(bot, "rank new-telephony 2 3 4 5 6 7 8")
    assert "New Cloud-based telephony" in reply.text
    assert results_json(bot, "1")["priorities"][0]["title"] == "Cloud-based telephony"
    assert isinstance(original[0], Priority)


async def test_results_show_movement_since_the_previous_closed_poll(bot):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await say(bot, "rank 1 2 3 4 5 6 7 8", ALI)
    assert all(p["change"] is None for p in results_json(bot)["priorities"])
    await in_channel(bot, "poll close", ORGANISER)
    await start(bot, "poll start Autumn 2027")
    await say(bot, "rank 3 1 2 4 5 6 7 8")
    data = results_json(bot)
    moves = {p["id"]: p["change"] for p in data["priorities"]}
    assert moves["websites"] == 2 and moves["telephony"] == -1 and moves["front-door"] == -1
    assert moves["inclusion"] == 0
    (reply,) = await in_channel(bot, "poll results", ORGANISER)
    assert "movement since Spring 2027" in reply.text and "up 2" in reply.text
    (reply,) = await in_channel(bot, "poll results 1", ORGANISER)
    assert "Results: Spring 2027" in reply.text and "2 responses" in reply.text


async def test_a_poll_spans_platforms(bot):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await vote_form(bot, IDS, user=BEA)
    await say(bot, "rank 1 2 3 4 5 6 7 8", User("slack", "U123", name="Cy"))
    assert results_json(bot)["responses"] == 3


async def test_remind_posts_the_count_where_the_poll_was_announced(bot):
    sender = RecordingSender()
    bot.senders["console"] = sender
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    (reply,) = await say(bot, "poll remind", ORGANISER)
    assert reply.text == "Reminder posted where the poll was announced (1 response so far)."
    ((where, (posted,)),) = sender.posts
    assert where == CHANNEL
    assert "1 DTL has ranked" in posted.text and posted.buttons[0].label == "Rank your priorities"
    assert recent(bot)[0]["action"] == "poll remind"


async def test_remind_without_a_sender_gives_the_reminder_to_share(bot):
    await start(bot)
    replies = await say(bot, "poll remind", ORGANISER)
    assert "couldn't post" in replies[0].text
    assert "0 DTLs have ranked" in replies[1].text


async def test_poll_list_shows_each_poll_with_its_responses(bot):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    (reply,) = await in_channel(bot, "poll list", ORGANISER)
    assert "#1 **Spring 2027**: open; 1 response; opened Tue 24 Nov 2026, 09:00" in reply.text


async def test_my_ballot_shows_only_my_own_ballot(bot):
    await start(bot)
    (reply,) = await say(bot, "my ballot")
    assert "haven't voted" in reply.text
    await say(bot, "rank 8 7 6 5 4 3 2 1")
    await say(bot, "rank 1 2 3 4 5 6 7 8", ALI)
    (reply,) = await say(bot, "my ballot")
    assert reply.text.index("1. Digital inclusion") < reply.text.index("8. Cloud-based")
    assert reply.buttons[0].label == "Rank your priorities"


async def test_csv_export_has_one_row_per_item_and_pseudonymous_respondents(bot):
    await start(bot)
    await vote_form(bot, IDS, pcn="Riverside PCN", leads={"bi": "pcn"})
    await say(bot, "rank 8 7 6 5 4 3 2 1", ALI)
    await say(bot, "status 1 dtl planning", BEA)  # not ranked: not a response
    (reply,) = await say(bot, "poll export", ORGANISER)
    assert reply.file is not None and reply.file.filename == "poll-1-spring-2027.csv"
    rows = list(csv.DictReader(io.StringIO(reply.file.data.decode())))
    assert list(rows[0]) == ["poll_id", "poll_title", "respondent", "pcn", "submitted_at",
                             "number", "priority_id", "priority_title", "rank", "lead",
                             "progress"]
    assert len(rows) == 16
    respondents = {r["respondent"] for r in rows}
    assert len(respondents) == 2 and all(r.startswith("r-") for r in respondents)
    text = reply.file.data.decode()
    assert "Dana" not in text and "Riverside" not in text and bot.pseudonym(DTL) not in text
    assert {r["lead"] for r in rows if r["priority_id"] == "bi"} == {"pcn", ""}
    assert recent(bot)[0]["action"] == "poll export"


async def test_named_export_shows_names_recorded_at_vote_time(bot):
    bot.config.polls.named_export = True
    await start(bot)
    await vote_form(bot, IDS, pcn="Riverside PCN")
    data = polls.export_csv(bot, polls.find_poll(bot, "1")).decode()
    assert ",Dana,Riverside PCN," in data


async def test_forget_me_deletes_open_ballots_and_unlinks_closed_ones(bot):
    kinds = {k.name: k for k in bot.registry.personal_data}
    ballots, pcn = kinds["poll ballots"], kinds["PCN name"]
    await start(bot)
    await vote_form(bot, IDS, pcn="Riverside PCN")
    await in_channel(bot, "poll close", ORGANISER)
    await start(bot, "poll start Autumn 2027")
    await say(bot, "rank 8 7 6 5 4 3 2 1")
    (line1, line2) = ballots.describe(bot, DTL)
    assert "Spring 2027" in line1 and "1. Cloud-based telephony" in line1
    assert "Riverside PCN" in line1 and "Autumn 2027" in line2
    assert pcn.describe(bot, DTL) == [
        "Your PCN's name, offered again on your next ballot: Riverside PCN"]
    said = ballots.forget(bot, DTL)
    assert "1 open poll" in said and "unlinked 1" in said
    assert pcn.forget(bot, DTL) == "Deleted your remembered PCN name."
    assert ballots.describe(bot, DTL) == [] and pcn.describe(bot, DTL) == []
    assert results_json(bot, "1")["responses"] == 1  # the closed poll's results stay
    assert results_json(bot, "2")["responses"] == 0
    assert "unlinked-" in polls.export_csv(bot, polls.find_poll(bot, "1")).decode()


@pytest.mark.parametrize("text, title, closes", [
    ("poll start Close the gap", "Close the gap", None),
    ('poll start "What closes the gap" closes 2026-12-01 17:00', "What closes the gap",
     "2026-12-01T17:00:00+00:00"),
    ("poll start Spring   2027 CLOSES 1 Dec 2026", "Spring 2027", "2026-12-01T23:59:59+00:00"),
])
async def test_poll_titles_and_closing_dates_are_read_as_typed(bot, text, title, closes):
    await start(bot, text)
    row = bot.db["polls"].get(1)
    assert (row["title"], row["closes_at"]) == (title, closes)


async def test_my_ballot_points_to_the_open_poll_when_i_voted_only_in_an_old_one(bot):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await in_channel(bot, "poll close", ORGANISER)
    (reply,) = await say(bot, "my ballot")
    assert "Spring 2027" in reply.text and "closed on" in reply.text and not reply.buttons
    await start(bot, "poll start Autumn 2027")
    (reply,) = await say(bot, "my ballot")
    assert "haven't voted in \"Autumn 2027\"" in reply.text


async def test_two_polls_started_at_once_leave_one_open(bot, monkeypatch):
    await start(bot)
    # The other process's poll lands between our check and our insert.
    monkeypatch.setattr(polls, "open_poll", lambda bot: None)
    reply = await start(bot, "poll start Autumn 2027")
    assert "Another poll was opened a moment ago" in reply.text
    assert bot.db.execute("select count(*) from polls where status = 'open'").fetchone() == (1,)


async def test_unanswered_optional_selects_may_arrive_as_none(bot):
    await start(bot)
    form = await open_form(bot)
    values = form_values(form, IDS) | {"lead:bi": None, "progress:bi": None, "pcn": None}
    (reply,) = await press(bot, submit(form, values))
    assert "is saved" in reply.text


async def test_the_console_shows_the_ballot_with_current_choices_and_the_text_commands(bot):
    from adapters.console import render

    await start(bot)
    await say(bot, "status 2 nobody yet not started")
    text = render(Reply(form=await open_form(bot)))
    assert "* Digital front door (#2)\n- Rank\n" in text
    assert "- Who is leading it [Nobody yet]" in text
    assert text.count("Not started, Planning, In progress, Embedded") == 1
    assert "status 3 icb in-progress" in text and "(data-quality)" in text


async def test_the_running_server_closes_a_poll_when_it_is_due(bot, clock, aiohttp_client):
    import asyncio
    from zoneinfo import ZoneInfo

    from bot.server import create_app

    # APScheduler waits in real time, so the fake clock runs a little behind it.
    clock.set(datetime.now(UTC).replace(microsecond=0) - timedelta(days=1))
    sender = RecordingSender()
    bot.senders["console"] = sender
    closes = (clock.now() + timedelta(hours=1)).astimezone(ZoneInfo("Europe/London"))
    await start(bot, f"poll start Spring 2027 closes {closes:%Y-%m-%d %H:%M}")
    await aiohttp_client(create_app(bot))  # starts the scheduler
    await asyncio.sleep(0.05)
    assert sender.posts == []
    clock.advance(hours=1)
    bot.replan()
    for _ in range(100):
        if sender.posts:
            break
        await asyncio.sleep(0.02)
    ((where, posted),) = sender.posts
    assert where == CHANNEL and "Results: Spring 2027" in posted[0].text


async def test_my_data_lists_a_ballot_in_the_voters_own_order(bot):
    await start(bot)
    await say(bot, "rank 2 1 3 4 5 6 7 8")
    (reply, *_) = await say(bot, "my data")
    assert "1. Digital front door, 2. Cloud-based telephony, 3. Websites" in reply.text


async def test_results_json_has_each_methods_order_agreement_participation_and_intervals(bot):
    await start(bot)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await say(bot, "rank 1 2 3 4 5 6 7 8", ALI)
    await say(bot, "rank 2 1 3 4 5 6 7 8", BEA)
    data = results_json(bot)
    assert data["methods"]["borda"] == IDS
    assert data["methods"]["schulze"] == IDS
    assert data["methods"]["kemeny"] == IDS
    assert data["methods_agree_top3"] is True
    assert data["participation"]["voted"] == 3
    by_id = {p["id"]: p for p in data["priorities"]}
    assert by_id["telephony"]["rank_interval"][0] == 1
    assert by_id["inclusion"]["rank_interval"] == [8, 8]
    poll = polls.find_poll(bot, "")
    assert sorted(polls.rank_matrix(bot, poll).tolist()) == [
        [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 3, 4, 5, 6, 7, 8]]
    (reply,) = await say(bot, "poll results", ORGANISER)
    assert "Kemeny-Young" in reply.text and "Schulze (Debian's method)" in reply.text
    assert "Too close to call: Cloud-based telephony and " in reply.text


async def test_the_sql_sums_give_the_same_results_as_counting_every_item(bot):
    import random

    from bot.features.polls.ballots import LEADS, PROGRESS
    from bot.features.polls.results import tally

    rng = random.Random(4)
    await start(bot)
    for n in range(12):
        voter = User("console", f"v{n}")
        await say(bot, "rank " + " ".join(map(str, rng.sample(range(1, 9), 8))), voter)
        for number in rng.sample(range(1, 9), 4):
            await say(bot, f"status {number} {rng.choice(LEADS)[0]} {rng.choice(PROGRESS)[0]}",
                      voter)
    await say(bot, "rank 1 2 3", User("console", "partial"))  # not counted
    poll = polls.find_poll(bot, "")
    items = bot.db.execute(
        "select i.priority_id, i.rank, i.lead, i.progress from ballot_items i join ballots b "
        "on b.id = i.ballot_id where b.poll_id = ? and b.ranked = 1", [poll.id]).fetchall()
    expected = tally(poll.priorities, items, 12)
    got = polls.compute(bot, poll, trend=False, consensus=False)
    assert [(ln.priority.id, ln.score, ln.rank_total, ln.first_places, ln.top_three, ln.leads,
             ln.progress) for ln in got.lines] == [
        (ln.priority.id, ln.score, ln.rank_total, ln.first_places, ln.top_three, ln.leads,
         ln.progress) for ln in expected.lines]
