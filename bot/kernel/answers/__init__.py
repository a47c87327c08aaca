"""Answering questions from curated content: bm25 candidates, typo tolerance, confidence."""

from bot.kernel.answers.index import Answer, AnswerIndex, Embedder
from bot.kernel.answers.words import STOPWORDS, asked_and_context, content_words

__all__ = ["STOPWORDS", "Answer", "AnswerIndex", "Embedder", "asked_and_context", "content_words"]
