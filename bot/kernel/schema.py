"""The schema, as named migrations applied in order (append new ones; never edit old ones)."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("dtlbot")


@migrations(name="0001_core")
def _core(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    # A logged question keeps its text, time and a pseudonymous asker key, never a name.
    db["questions"].create(
        {
            "id": int,
            "asked_at": str,
            "text": str,
            "asker": str,
            "platform": str,
            "answered": int,
            "topic": str,
            "score": float,
        },
        pk="id",
    )
    db["questions"].create_index(["answered", "asked_at"])
    db["questions"].create_index(["asker"])
    db["feedback"].create(
        {"id": int, "at": str, "topic": str, "vote": int, "asker": str},
        pk="id",
    )
    db["feedback"].create_index(["asker"])
    # Where the bot can post later: adapter-specific reference data, kept per conversation.
    db["conversations"].create(
        {
            "key": str,
            "platform": str,
            "conversation_id": str,
            "is_direct": int,
            "reference": str,
            "updated_at": str,
        },
        pk="key",
    )


@migrations(name="0002_audit")
def _audit(db: Database) -> None:
    # Organisers act in their forum role, so their display name is kept with their actions.
    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "actor_name": str,
            "platform": str,
            "action": str,
            "detail": str,
        },
        pk="id",
    )


@migrations(name="0010_meetings")
def _meetings(db: Database) -> None:
    # One-off meetings added from chat; times in UTC.
    db["meetings"].create(
        {
            "id": int,
            "starts_at": str,
            "duration_minutes": int,
            "title": str,
            "location": str,
            "changed_at": str,
            "cancelled_at": str,
        },
        pk="id",
    )
    # Changes to single occurrences of the configured series, keyed by the rule's own start.
    db["meeting_changes"].create(
        {
            "original_start": str,
            "action": str,
            "new_start": str,
            "changed_at": str,
        },
        pk="original_start",
    )
    # Conversations that get reminders. set_by is the pseudonym of whoever set it.
    db["reminder_subscriptions"].create(
        {
            "conversation": str,
            "is_direct": int,
            "enabled": int,
            "source": str,
            "set_by": str,
            "since": str,
        },
        pk="conversation",
    )
    # One row per (occurrence, offset, conversation): the database knows what was sent.
    db["reminder_deliveries"].create(
        {
            "id": int,
            "occurrence": str,
            "starts_at": str,
            "offset": str,
            "conversation": str,
            "due_at": str,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "sent_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["reminder_deliveries"].create_index(
        ["occurrence", "offset", "conversation"], unique=True
    )
    db["reminder_deliveries"].create_index(["status", "next_attempt_at"])


@migrations(name="0020_polls")
def _polls(db: Database) -> None:
    # A poll keeps its own copy of the priority list (JSON), so later content edits
    # do not change what an old poll asked or how its results read.
    db["polls"].create(
        {
            "id": int,
            "title": str,
            "status": str,
            "priorities": str,
            "opened_at": str,
            "opened_by": str,
            "closes_at": str,
            "closed_at": str,
            "conversation": str,
            "results_posted": int,
            # Priority ids in results order, kept once a closed poll is first tallied, so
            # the next poll's trend does not tally this one again.
            "final_order": str,
        },
        pk="id",
        not_null={"title", "status", "priorities", "opened_at"},
        defaults={"results_posted": 0},
    )
    # At most one open poll, even when two processes start one at the same moment.
    db.execute("create unique index idx_polls_one_open on polls(status) where status = 'open'")
    # One ballot per person per poll; `voter` is a pseudonym, set to NULL when a person
    # asks to be forgotten after the poll closed (the ballot still counts, unlinked).
    # `voter_name` is only filled when [polls] named_export is on at voting time.
    db["ballots"].create(
        {
            "id": int,
            "poll_id": int,
            "voter": str,
            "voter_name": str,
            "pcn": str,
            "ranked": int,
            "submitted_at": str,
        },
        pk="id",
        foreign_keys=[("poll_id", "polls", "id")],
        not_null={"poll_id", "submitted_at"},
        defaults={"ranked": 0},
    )
    db["ballots"].create_index(["poll_id", "voter"], unique=True)
    db["ballots"].create_index(["voter"])
    # WITHOUT ROWID keeps each ballot's items together in the primary key's b-tree, so a
    # tally reads them in one pass (about 4x faster for 10,000 ballots than a rowid table).
    db.execute(
        """create table ballot_items (
            ballot_id integer not null references ballots(id),
            priority_id text not null,
            rank integer,
            lead text,
            progress text,
            primary key (ballot_id, priority_id)
        ) without rowid"""
    )
    # The PCN name a person gave on their last ballot, offered again on the next one.
    db["pcn_names"].create({"person": str, "pcn": str, "updated_at": str}, pk="person")
@migrations(name="0030_privacy")
def _privacy(db: Database) -> None:
    # Whose direct chat a stored conversation is (a pseudonym), so `forget me` can remove it.
    db["conversations"].add_column("person", str)
    db["conversations"].create_index(["person"])
    # Retention pruning looks for the oldest row still linked to someone.
    db.execute(
        "create index questions_linked_asked_at on questions(asked_at) where asker is not null"
    )
    db.execute("create index feedback_linked_at on feedback(at) where asker is not null")
@migrations(name="0040_seen_events")
def _seen_events(db: Database) -> None:
    # Platform event ids already answered, so a retried delivery is never answered twice
    # (an adapter keeps them as long as its platform may retry: Slack's, a day).
    db["seen_events"].create(
        {"platform": str, "event_id": str, "seen_at": str}, pk=("platform", "event_id")
    )
    db["seen_events"].create_index(["platform", "seen_at"])


@migrations(name="0041_welcomed")
def _welcomed(db: Database) -> None:
    # People the bot has introduced itself to, by pseudonym, so the introduction is given once.
    db["welcomed"].create({"person": str, "at": str}, pk="person")


@migrations(name="0050_meeting_people")
def _meeting_people(db: Database) -> None:
    # `meeting` is a meeting's ref ("forum/<the rule's start, UTC>" or "meeting-<id>"), which a
    # move keeps. An RSVP: one per person per meeting (a later answer replaces it); `name` is
    # the display name, shown to organisers only; deleted 30 days after the meeting.
    db["meeting_rsvps"].create(
        {"meeting": str, "person": str, "name": str, "answer": str, "answered_at": str,
         "starts_at": str},
        pk=("meeting", "person"),
    )
    db["meeting_rsvps"].create_index(["person"])
    db["meeting_rsvps"].create_index(["starts_at"])
    # What is left of a meeting's RSVPs once they are deleted: the counts only.
    db["meeting_rsvp_counts"].create(
        {"meeting": str, "yes": int, "maybe": int, "no": int}, pk="meeting"
    )
    # Agenda topics proposed for a meeting; `number` is the topic's number within its meeting.
    # `proposer` (a pseudonym) becomes NULL when they are forgotten; `proposer_name` is set only
    # when the proposer chose to be named; `closed_votes` keeps the votes when the agenda closed.
    db["agenda_topics"].create(
        {"id": int, "meeting": str, "number": int, "text": str, "proposer": str,
         "proposer_name": str, "proposed_at": str, "removed_at": str, "closed_votes": int},
        pk="id",
    )
    db["agenda_topics"].create_index(["meeting", "number"], unique=True)
    db["agenda_topics"].create_index(["proposer"])
    db["agenda_votes"].create(
        {"topic_id": int, "voter": str, "voted_at": str}, pk=("topic_id", "voter")
    )
    db["agenda_votes"].create_index(["voter"])
    # Per meeting: when the agenda was closed, and the notes posted after it.
    db["meeting_records"].create(
        {"meeting": str, "agenda_closed_at": str, "notes": str, "notes_at": str}, pk="meeting"
    )
    # Messages pushed at once (a meeting added, moved or skipped; notes; the 1-hour direct
    # message to those coming), each delivery recorded so a restart loses and repeats nothing.
    # `key` makes a notice that must go once (e.g. "rsvp-dm/<meeting>") unique.
    db["meeting_notices"].create(
        {"id": int, "key": str, "kind": str, "meeting": str, "day": str, "text": str,
         "created_at": str},
        pk="id",
    )
    db["meeting_notices"].create_index(["key"], unique=True)
    # `person` is set for a direct message to someone (so `forget me` removes it).
    db["notice_deliveries"].create(
        {"id": int, "notice_id": int, "conversation": str, "person": str, "status": str,
         "attempts": int, "next_attempt_at": str, "last_error": str, "sent_at": str,
         "updated_at": str},
        pk="id",
        foreign_keys=[("notice_id", "meeting_notices", "id")],
    )
    db["notice_deliveries"].create_index(["notice_id", "conversation"], unique=True)
    db["notice_deliveries"].create_index(["status", "next_attempt_at"])
    db["notice_deliveries"].create_index(["person"])
    # How many times a meeting was changed, for the calendar's SEQUENCE (raised on each move).
    db["meetings"].add_column("sequence", int, not_null_default=0)
    db["meeting_changes"].add_column("sequence", int, not_null_default=0)


@migrations(name="0060_peers")
def _peers(db: Database) -> None:
    # People who chose to be found by other DTLs (`peers on`), by pseudonym: when they agreed,
    # and the way to reach them that their platform gave (user id, display name, chat link).
    db["peers"].create(
        {
            "person": str,
            "platform": str,
            "user_id": str,
            "name": str,
            "link": str,
            "consented_at": str,
        },
        pk="person",
        not_null={"platform", "user_id", "consented_at"},
    )
    # Who was suggested to whom (both pseudonyms) and when, so nobody is suggested to the
    # same person twice within three months.
    db["peer_introductions"].create(
        {"id": int, "person": str, "peer": str, "at": str, "poll_id": int},
        pk="id",
        not_null={"person", "peer", "at"},
    )
    db["peer_introductions"].create_index(["person", "at"])
    db["peer_introductions"].create_index(["peer"])


@migrations(name="0070_name_claims")
def _name_claims(db: Database) -> None:
    # On platforms where people type their own name (the web chat), the first client to use a
    # name holds it with a secret token; only the token's SHA-256 is kept, under the pseudonym.
    db["name_claims"].create(
        {"platform": str, "person": str, "token_hash": str, "claimed_at": str},
        pk=("platform", "person"),
    )


@migrations(name="0080_teach")
def _teach(db: Database) -> None:
    # What became of a question the bot could not answer: answered (with the entry that now
    # covers it) or dismissed by an organiser, and when.
    db["questions"].add_column("resolved", str)
    db["questions"].add_column("resolved_at", str)
    db["questions"].add_column("entry", str)
    # Entries taught or edited in chat: a layer over content/'s files (same id: replaces the
    # file's entry; retired: left out). `base_hash` is the file entry's hash when it was edited.
    db["taught_entries"].create(
        {
            "id": str,
            "title": str,
            "body": str,
            "source": str,
            "phrasings": str,
            "tags": str,
            "related": str,
            "reviewed": str,
            "review_by": str,
            "retired": int,
            "base_hash": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        defaults={"retired": 0},
    )
    # The priority list set in chat (replaces priorities.toml's while present), by position.
    db["taught_priorities"].create(
        {"position": int, "id": str, "title": str, "description": str, "source": str,
         "updated_at": str},
        pk="position",
    )
    # An organiser's last `unanswered` list, so `answer N` means the item they were shown.
    db["teach_listings"].create({"person": str, "items": str, "at": str}, pk="person")
    # Where to tell the asker once an open question is answered: kept only while it is open.
    db["teach_askers"].create(
        {
            "question_id": int,
            "person": str,
            "conversation": str,
            "platform": str,
            "conversation_id": str,
            "is_direct": int,
            "reference": str,
            "asked_at": str,
            # Once answered: the entry to tell them about, by whom, and delivery attempts.
            "entry": str,
            "answered_by": str,
            "due_at": str,
            "attempts": int,
        },
        pk="question_id",
        defaults={"attempts": 0},
    )
    db["teach_askers"].create_index(["person"])
    db["teach_askers"].create_index(["due_at"])


@migrations(name="0081_teach_forum")
def _teach_forum(db: Database) -> None:
    # Conversations organisers chose for "ask the forum" questions (`questions here on`).
    db["forum_channels"].create({"conversation": str, "set_by": str, "since": str},
                                pk="conversation")
    # Questions posted to the forum; `asker_name` only when the asker chose to give it.
    db["forum_posts"].create(
        {
            "id": int,
            "question_id": int,
            "text": str,
            "asker": str,
            "asker_name": str,
            "posted_at": str,
            "status": str,
        },
        pk="id",
    )
    db["forum_posts"].create_index(["asker"])
    # Peers' answers waiting for (or past) an organiser's review.
    db["peer_answers"].create(
        {
            "id": int,
            "post_id": int,
            "text": str,
            "source": str,
            "name": str,
            "answerer": str,
            "at": str,
            "status": str,
            "entry": str,
            "decided_at": str,
        },
        pk="id",
    )
    db["peer_answers"].create_index(["answerer"])


@migrations(name="0082_teach_feedback")
def _teach_feedback(db: Database) -> None:
    # What was wrong with an answer marked not helpful (a category, and optional words).
    db["feedback_reasons"].create(
        {"feedback_id": int, "reason": str, "text": str, "at": str}, pk="feedback_id"
    )


@migrations(name="0090_suggestions")
def _suggestions(db: Database) -> None:
    # How a logged question was handled (answered, unknown, suggest, partial, clinical...);
    # for a near miss the topics offered as "did you mean" (a JSON list, so that a typed 1, 2
    # or 3 picks one) and the one the person then chose (a phrasing to add).
    db["questions"].add_column("reason", str)
    db["questions"].add_column("offered", str)
    db["questions"].add_column("chosen", str)


@migrations(name="0095_poll_participation")
def _poll_participation(db: Database) -> None:
    # How many could vote where a poll was announced, as last counted (rosters come from the
    # running adapters; the command line reads this count).
    db["polls"].add_column("eligible", int)
    db["polls"].add_column("eligible_at", str)
    # Each nudge round of a poll (a configured time before closing, or `poll nudge`), planned
    # once: its recipients are recorded before any is sent, so a restart neither loses nor
    # repeats one.
    db["poll_nudge_rounds"].create(
        {"poll_id": int, "nudge": str, "planned_at": str}, pk=("poll_id", "nudge"))
    # One row per person per nudge round (`person` is a pseudonym; `target` the stored key of
    # where their direct message goes).
    db["poll_nudges"].create(
        {"id": int, "poll_id": int, "nudge": str, "person": str, "target": str,
         "status": str, "attempts": int, "next_attempt_at": str, "last_error": str,
         "sent_at": str,
         "updated_at": str},
        pk="id")
    db["poll_nudges"].create_index(["poll_id", "nudge", "person"], unique=True)
    db["poll_nudges"].create_index(["person"])
    db["poll_nudges"].create_index(["status"])
    # People who said `poll reminders off` (pseudonyms).
    db["poll_reminders_off"].create({"person": str, "at": str}, pk="person")
