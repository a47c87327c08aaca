"""Privacy: my data, forget me, retention, pseudonyms and the privacy notice."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.features.privacy import FORGET_ACTION, NO_PERSONAL_DATA
from bot.kernel import conversations
from bot.kernel.context import Bot
from bot.kernel.model import Action, Conversation, User
from bot.kernel.registry import PersonalData
from bot.kernel.scheduler import run_due
from tests.conftest import DTL, ORGANISER, REPO, press, say

OTHER = User("console", "sam", name="Sam")


def linked_questions(bot: Bot, user: User) -> int:
    return bot.db.execute(
        "select count(*) from questions where asker = ?", [bot.pseudonym(user)]
    ).fetchone()[0]


async def test_my_data_for_a_newcomer_says_nothing_is_held(bot):
    (reply,) = await say(bot, "my data")
    assert bot.pseudonym(DTL) in reply.text
    assert "Nothing held" in reply.text
    assert "questions you asked" in reply.text


async def test_my_data_lists_questions_and_feedback_with_how_long_they_are_kept(bot):
    await say(bot, "How often does the DTL forum meet?")
    await press(bot, Action("feedback", value="up:forum-meetings"))
    await say(bot, "what is the ARRS", OTHER)
    (reply,) = await say(bot, "my data")
    assert '"How often does the DTL forum meet?"' in reply.text
    assert "what is the ARRS" not in reply.text  # someone else's question
    assert "helpful on" in reply.text
    assert "removed 90 days after you asked" in reply.text
    assert "**Questions you asked**: The link to you" in reply.text


async def test_forget_me_asks_first_and_erases_nothing_until_confirmed(bot):
    await say(bot, "How often does the DTL forum meet?")
    (reply,) = await say(bot, "forget me")
    assert "Questions you asked (1)" in reply.text
    labels = [b.label for b in reply.buttons]
    assert labels == ["Forget me", "Cancel"]
    assert linked_questions(bot, DTL) == 1
    (reply,) = await press(bot, Action(FORGET_ACTION, value="cancel"))
    assert "nothing was erased" in reply.text
    assert linked_questions(bot, DTL) == 1


async def test_forget_me_button_unlinks_only_that_persons_data(bot):
    await say(bot, "How often does the DTL forum meet?")
    await press(bot, Action("feedback", value="down:forum-meetings"))
    await say(bot, "How often does the DTL forum meet?", OTHER)
    await press(bot, Action("feedback", value="up:forum-meetings"), OTHER)
    (reply,) = await press(bot, Action(FORGET_ACTION, value="confirm"))
    assert "Unlinked 1 question from you" in reply.text
    assert "Unlinked 1 feedback vote from you" in reply.text
    assert linked_questions(bot, DTL) == 0
    assert linked_questions(bot, OTHER) == 1
    # The texts and votes stay for organisers, with no link to anyone.
    assert bot.db["questions"].count == 2
    assert bot.db["feedback"].count == 2
    (reply,) = await say(bot, "my data", OTHER)
    assert "How often does the DTL forum meet?" in reply.text


async def test_second_forget_me_finds_nothing(bot):
    await say(bot, "What is the ARRS?")
    (reply,) = await say(bot, "forget me confirm")
    assert reply.text.startswith("Done.")
    (reply,) = await say(bot, "forget me")
    assert "nothing to forget" in reply.text
    assert not reply.buttons
    (reply,) = await say(bot, "forget me confirm")
    assert "nothing to forget" in reply.text


async def test_forget_me_with_unknown_words_explains_how(bot):
    await say(bot, "What is the ARRS?")
    (reply,) = await say(bot, "forget me now please")
    assert "forget me confirm" in reply.text
    assert linked_questions(bot, DTL) == 1


async def test_other_features_personal_data_is_shown_and_forgotten(bot):
    notes: dict[str, list[str]] = {bot.pseudonym(DTL): ["likes Tuesdays"],
                                   bot.pseudonym(OTHER): ["likes Fridays"]}

    def forget(b, user):
        notes.pop(b.pseudonym(user), None)
        return "Deleted your notes."

    bot.registry.holds_personal_data(PersonalData(
        "Notes about you", "until the next poll", lambda b, u: notes.get(b.pseudonym(u), []),
        forget, tables=("notes",),
    ))
    (reply,) = await say(bot, "my data")
    assert "**Notes about you**: until the next poll" in reply.text
    assert "likes Tuesdays" in reply.text
    (reply,) = await say(bot, "forget me confirm")
    assert "Deleted your notes." in reply.text
    assert notes == {bot.pseudonym(OTHER): ["likes Fridays"]}
    (reply,) = await say(bot, "privacy")
    assert "**Notes about you**. Until the next poll." in reply.text


async def test_one_failing_kind_does_not_stop_the_others(bot):
    def broken(b, user):
        raise RuntimeError("disk on fire")

    bot.registry.holds_personal_data(
        PersonalData("Broken things", "forever", lambda b, u: ["one thing"], broken)
    )
    await say(bot, "What is the ARRS?")
    (reply,) = await say(bot, "forget me confirm")
    assert "could not erase broken things" in reply.text
    assert "disk on fire" not in reply.text
    assert linked_questions(bot, DTL) == 0


async def test_direct_chat_is_listed_and_deleted_but_group_channels_are_kept(bot):
    direct = Conversation("console", DTL.id, is_direct=True, reference={"to": "dana"})
    group = Conversation("console", "general", is_direct=False)
    conversations.remember(bot.db, direct, bot.now_iso())
    conversations.remember(bot.db, group, bot.now_iso())
    other = Conversation("console", "sam-dm", is_direct=True)
    conversations.remember(bot.db, other, bot.now_iso(), person=bot.pseudonym(OTHER))
    # Asking from the direct chat links it to the person, so it is listed.
    (reply,) = await say(bot, "my data")
    assert "your direct chat with me on console" in reply.text
    (reply,) = await say(bot, "forget me confirm")
    assert "Deleted 1 stored direct chat:" in reply.text
    assert conversations.recall(bot.db, direct.key) is None
    assert conversations.recall(bot.db, group.key) is not None
    assert conversations.recall(bot.db, other.key) is not None


async def test_organiser_sees_their_audit_records_which_are_kept(bot):
    await say(bot, "content reload", ORGANISER)
    (reply,) = await say(bot, "my data", ORGANISER)
    assert "content reload" in reply.text
    (reply,) = await say(bot, "forget me confirm", ORGANISER)
    assert "stay in the audit trail" in reply.text
    assert bot.db["audit"].count == 1


async def test_retention_unlinks_old_questions_and_feedback_on_the_scheduler(bot, clock):
    await say(bot, "How often does the DTL forum meet?")
    await press(bot, Action("feedback", value="up:forum-meetings"))
    clock.advance(days=30)
    await say(bot, "What is the ARRS?")
    [task] = [t for t in bot.registry.tasks if t.name == "privacy-retention"]
    assert task.next_due(bot) == clock.now() + timedelta(days=60)
    clock.advance(days=59)
    await run_due(bot)
    assert linked_questions(bot, DTL) == 2
    clock.advance(days=1)
    await run_due(bot)
    assert linked_questions(bot, DTL) == 1
    linked_votes = "select count(*) from feedback where asker is not null"
    assert bot.db.execute(linked_votes).fetchone()[0] == 0
    # The text stays, unlinked, for organisers.
    assert bot.db["questions"].count == 2
    clock.advance(days=30)
    await run_due(bot)
    assert linked_questions(bot, DTL) == 0
    assert task.next_due(bot) is None


async def test_retention_period_comes_from_the_config(bot, clock):
    bot.config.privacy.question_retention_days = 7
    await say(bot, "What is the ARRS?")
    (reply,) = await say(bot, "my data")
    assert "removed 7 days after you asked" in reply.text
    clock.advance(days=7)
    await run_due(bot)
    assert linked_questions(bot, DTL) == 0


def test_pseudonym_is_stable_and_secret_dependent(tmp_path):
    from bot.app import create_bot, load_config

    config = load_config(None, env={})
    config.storage.path = str(tmp_path / "p.db")
    first = create_bot(config, env={})
    generated = first.pseudonym(DTL)
    first.close()
    again = create_bot(config, env={})  # the generated secret was stored once
    assert again.pseudonym(DTL) == generated
    again.close()
    keyed = create_bot(config, env={"DTLBOT_SECRET": "another"})
    assert keyed.pseudonym(DTL) != generated
    assert DTL.id not in keyed.pseudonym(DTL)
    keyed.close()


async def test_no_table_stores_a_platform_id_or_name(bot):
    person = User("console", "U0PLATFORMID", name="Pat Lastname")
    await say(bot, "How often does the DTL forum meet?", person)
    await press(bot, Action("feedback", value="up:forum-meetings"), person)
    conversations.remember(bot.db, Conversation("console", "dm-1"), bot.now_iso(),
                           person=bot.pseudonym(person))
    await say(bot, "my data", person)
    for table in bot.db.table_names():
        for row in bot.db[table].rows:
            for value in row.values():
                assert "U0PLATFORMID" not in str(value), table
                assert "Pat Lastname" not in str(value), table


def personal_tables(bot: Bot) -> list[str]:
    names = [t for t in bot.db.table_names() if not t.startswith("sqlite_")]
    # FTS shadow tables belong to their table.
    names = [t for t in names if not re.search(r"_fts(_\w+)?$", t)]
    return [t for t in names if t not in NO_PERSONAL_DATA]


async def test_the_deployers_privacy_document_names_every_table_holding_personal_data(bot):
    tables = personal_tables(bot)
    assert {"questions", "feedback", "conversations", "audit"} <= set(tables)
    registered = {t for kind in bot.registry.personal_data for t in kind.tables}
    document = (REPO / "docs" / "privacy.md").read_text(encoding="utf-8")
    for table in tables:
        assert table in registered, f"no personal data kind names table {table}"
        assert f"`{table}`" in document, f"docs/privacy.md does not name table {table}"


async def test_the_privacy_notice_for_dtls_names_no_database_table(bot):
    (reply,) = await say(bot, "privacy")
    for table in personal_tables(bot):
        assert f"`{table}`" not in reply.text, table
    assert "table" not in reply.text
    assert "**What it keeps**:" in reply.text
    for kind in bot.registry.personal_data:
        assert kind.name[1:] in reply.text


async def test_finished_reminder_deliveries_are_deleted_30_days_after_their_meeting(bot, clock):
    meeting = clock.now() - timedelta(days=1)
    rows = [
        {"occurrence": "m1", "starts_at": meeting.isoformat(timespec="seconds"), "offset": off,
         "conversation": "console:general", "status": status, "attempts": 1}
        for off, status in (("7d", "sent"), ("1d", "failed"), ("1h", "pending"))
    ]
    bot.db["reminder_deliveries"].insert_all(rows)
    [task] = [t for t in bot.registry.tasks if t.name == "reminders-prune"]
    assert task.next_due(bot) == meeting + timedelta(days=30)
    clock.advance(days=28)
    await run_due(bot)
    assert bot.db["reminder_deliveries"].count == 3
    clock.advance(days=2)
    await run_due(bot)
    # Finished records are gone; one still pending is left to the reminders task to settle.
    assert [r["status"] for r in bot.db["reminder_deliveries"].rows] == ["pending"]
    assert task.next_due(bot) is None


async def test_forget_me_across_features_keeps_closed_results_and_touches_no_one_else(bot):
    await say(bot, "poll start Autumn 2026", ORGANISER)
    await say(bot, "rank 1 2 3 4 5 6 7 8")
    await say(bot, "rank 8 7 6 5 4 3 2 1", OTHER)
    await say(bot, "poll close", ORGANISER)
    await say(bot, "poll start Spring 2027", ORGANISER)
    await say(bot, "rank 2 1 3 4 5 6 7 8")
    await say(bot, "What is the ARRS?")
    conversations.remember(bot.db, Conversation("console", DTL.id), bot.now_iso())
    (reply,) = await say(bot, "my data")
    assert 'Your ballot in the poll "Autumn 2026"' in reply.text
    assert 'Your ballot in the poll "Spring 2027"' in reply.text
    assert '"What is the ARRS?"' in reply.text
    assert "your direct chat with me on console" in reply.text
    (before, *_) = await say(bot, "poll results Autumn 2026", ORGANISER)
    assert "Results: Autumn 2026" in before.text and "2 responses" in before.text
    (reply,) = await say(bot, "forget me confirm")
    assert "Deleted your ballot in 1 open poll and unlinked 1 ballot in closed polls" \
        in reply.text
    (after, *_) = await say(bot, "poll results Autumn 2026", ORGANISER)
    assert after.text == before.text  # published results do not change
    (reply,) = await say(bot, "forget me")
    assert "nothing to forget" in reply.text
    (reply,) = await say(bot, "my data", OTHER)
    assert 'Your ballot in the poll "Autumn 2026"' in reply.text
