"""Peers: an opt-in directory of DTLs by priority and progress ("who else is working on
this?"), and introductions to DTLs further along after each poll closes."""

from __future__ import annotations

from bot.features.peers import commands
from bot.features.peers.data import PEERS_DATA
from bot.features.peers.suggest import INTRODUCTIONS
from bot.kernel.registry import Registry


def register(registry: Registry) -> None:
    registry.command("peers", usage="peers PRIORITY",
                     help="DTLs who share their progress and are working on a priority, "
                          "e.g. `peers cloud phones`")(commands.peers)
    registry.command("peers on", usage="peers on [confirm]",
                     help="let other DTLs find you by what you are working on (asks first)"
                     )(commands.peers_on)
    registry.command("peers off", takes="none",
                     help="stop sharing your progress with other DTLs, at once"
                     )(commands.peers_off)
    registry.command("peers suggest", takes="none",
                     help="DTLs further along on your own top three priorities"
                     )(commands.peers_suggest)
    registry.command("peers count", takes="none", organiser=True,
                     help="how many DTLs share their progress (never who)")(commands.peers_count)
    registry.action(commands.CONSENT_ACTION)(commands.consent_pressed)
    registry.use(commands.natural_question)
    registry.task(INTRODUCTIONS)
    registry.holds_personal_data(PEERS_DATA)
