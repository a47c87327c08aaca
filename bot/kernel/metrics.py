"""Counters for /metrics (Prometheus text format), one registry per bot, no global state."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "dtlbot_requests", "HTTP requests by adapter and status", ["adapter", "status"],
            registry=r,
        )
        self.answers = Counter(
            "dtlbot_answers", "Questions by outcome (answered, unanswered, smalltalk)", ["outcome"],
            registry=r,
        )
        self.reply_seconds = Histogram(
            "dtlbot_reply_seconds", "Time to handle one message", ["platform"], registry=r,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.reminders = Counter(
            "dtlbot_reminders", "Reminder deliveries by outcome (sent, failed)", ["outcome"],
            registry=r,
        )
        self.ballots = Counter("dtlbot_ballots", "Ballots cast (including replacements)",
                               registry=r)
        self.open_polls = Gauge("dtlbot_open_polls", "Polls open now", registry=r)
        self.busy = Counter(
            "dtlbot_busy_refusals",
            "Turns and requests refused at once because too many waited for the bot's core",
            registry=r,
        )
        self.posts = Counter(
            "dtlbot_platform_posts", "Platform API posts by outcome (sent, failed)",
            ["platform", "outcome"], registry=r,
        )
