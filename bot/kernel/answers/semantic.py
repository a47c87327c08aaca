"""The optional semantic signal: wordllama's static word embeddings, loaded from its wheel.

wordllama 0.4 ships its 256-dimension weights and its tokenizer inside the package, but its
`WordLlama.load()` looks for the tokenizer under `tokenizer/` (the wheel has `tokenizers/`) and
then tries the Hugging Face hub. So the two files are opened here by path, explicitly: loading
never touches the network, and a missing package or file means no semantic signal (the lexical
engine answers alone), never a download.
"""

from __future__ import annotations

import logging
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from bot.kernel.config import Config

log = logging.getLogger("dtlbot")

CONFIG_NAME = "l2_supercat"
DIMENSIONS = 256


class WordLlamaEmbedder:
    """Texts to unit vectors: the mean of the words' static embeddings (wordllama's own)."""

    def __init__(self, folder: Path):
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference

        weights = folder / "weights" / f"{CONFIG_NAME}_{DIMENSIONS}.safetensors"
        tokenizer = folder / "tokenizers" / f"{CONFIG_NAME}_tokenizer_config.json"
        with safe_open(str(weights), framework="np", device="cpu") as tensors:
            embedding = tensors.get_tensor("embedding.weight")
        self._model = WordLlamaInference(embedding, Tokenizer.from_file(str(tokenizer)))

    def vectors(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        return np.asarray(self._model.embed(texts, norm=True), dtype=np.float32)


def embedder_for(config: Config) -> WordLlamaEmbedder | None:
    """The semantic model when `[answers] semantic` is on (and loadable), else None."""
    return load_embedder() if config.answers.semantic else None


def package_folder() -> Path | None:
    spec = find_spec("wordllama")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def load_embedder(folder: Path | None = None) -> WordLlamaEmbedder | None:
    """The bundled model, or None (with one warning) when the package or its files are missing."""
    folder = folder or package_folder()
    if folder is None:
        log.warning("semantic signal off: the wordllama package is not installed")
        return None
    try:
        return WordLlamaEmbedder(folder)
    except (OSError, ImportError, ValueError) as exc:
        log.warning("semantic signal off: could not load the bundled wordllama model (%s)",
                    type(exc).__name__)
        return None
