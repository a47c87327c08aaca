"""The optional semantic signal loads wordllama's bundled files by path, never from the network."""

from __future__ import annotations

import logging
import socket

import numpy as np
import pytest

from bot.kernel.answers import AnswerIndex
from bot.kernel.answers.semantic import embedder_for, load_embedder
from bot.kernel.content import load_content
from tests.conftest import REPO


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_without_the_package_or_its_files_there_is_no_signal_and_one_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="dtlbot"):
        assert load_embedder(tmp_path) is None
    assert "semantic signal off" in caplog.text


def test_it_is_off_unless_configured(config):
    assert config.answers.semantic is False
    assert embedder_for(config) is None


def test_the_bundled_model_loads_with_the_network_blocked(no_network):
    pytest.importorskip("wordllama")
    embedder = load_embedder()
    assert embedder is not None
    vectors = embedder.vectors(["how often does the forum meet", "meeting frequency"])
    assert vectors.shape == (2, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_with_the_semantic_signal_questions_are_still_answered_and_refused(no_network):
    pytest.importorskip("wordllama")
    index = AnswerIndex(load_content(REPO / "content"), semantic=load_embedder())
    assert index.ask("How do I join the DTL forum?").topic == "forum-join"
    assert not index.ask("what's the weather like in Leeds tomorrow").answered
    assert index.ask("what dose of paracetamol").reason == "clinical"
