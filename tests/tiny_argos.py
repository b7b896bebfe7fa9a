"""Build tiny but genuine translation models offline, for tests and benchmarks.

An Argos package is real in every part that werger touches: a sentencepiece model trained on the
given text, a CTranslate2 Transformer converted from numpy weights (random, so output is
gibberish), metadata.json, and the zip layout with one top-level folder that ``werger models
install`` reads. The same builder makes the benchmark's model of the real Argos shape (6+6
layers, d_model 512, 8 heads, FFN 2048, 32k vocabulary) and an NLLB-shaped CTranslate2
conversion folder (language tags in the vocabulary, ``sentencepiece.bpe.model``).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np


def _converter_class():
    from ctranslate2.converters import Converter
    from ctranslate2.specs import transformer_spec

    class NumpyTransformerConverter(Converter):
        """A converter whose source model is random numpy weights of a chosen shape."""

        def __init__(self, vocab: list[str], d_model: int, heads: int, ffn: int, layers: int, seed: int):
            self.vocab, self.d, self.heads, self.ffn, self.layers = vocab, d_model, heads, ffn, layers
            self.rng = np.random.default_rng(seed)

        def _weight(self, *shape: int, scale: float | None = None) -> np.ndarray:
            scale = scale if scale is not None else 1.0 / np.sqrt(shape[-1])
            return (self.rng.standard_normal(shape) * scale).astype(np.float32)

        def _linear(self, spec, out_dim: int, in_dim: int) -> None:
            spec.weight = self._weight(out_dim, in_dim)
            spec.bias = np.zeros(out_dim, dtype=np.float32)

        def _norm(self, spec) -> None:
            spec.gamma = np.ones(self.d, dtype=np.float32)
            spec.beta = np.zeros(self.d, dtype=np.float32)

        def _load(self):
            d, size = self.d, len(self.vocab)
            spec = transformer_spec.TransformerSpec.from_config((self.layers, self.layers), self.heads)
            for side in (spec.encoder, spec.decoder):
                embeddings = side.embeddings[0] if isinstance(side.embeddings, list) else side.embeddings
                embeddings.weight = self._weight(size, d, scale=1.0)
                self._norm(side.layer_norm)
                for layer in side.layer:
                    self._norm(layer.self_attention.layer_norm)
                    self._linear(layer.self_attention.linear[0], 3 * d, d)
                    self._linear(layer.self_attention.linear[1], d, d)
                    if getattr(layer, "attention", None) is not None:
                        self._norm(layer.attention.layer_norm)
                        self._linear(layer.attention.linear[0], d, d)
                        self._linear(layer.attention.linear[1], 2 * d, d)
                        self._linear(layer.attention.linear[2], d, d)
                    self._norm(layer.ffn.layer_norm)
                    self._linear(layer.ffn.linear_0, self.ffn, d)
                    self._linear(layer.ffn.linear_1, d, self.ffn)
            self._linear(spec.decoder.projection, size, d)
            spec.decoder.projection.bias[self.vocab.index("</s>")] = 2.0
            spec.register_source_vocabulary(self.vocab)
            spec.register_target_vocabulary(self.vocab)
            return spec

    return NumpyTransformerConverter


def train_sentencepiece(lines: list[str], prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_argos_package(
    workdir: Path,
    corpus_lines: list[str],
    source: str,
    target: str = "en",
    *,
    version: str = "0.0.1",
    vocab_size: int = 800,
    d_model: int = 64,
    heads: int = 4,
    ffn: int = 128,
    layers: int = 2,
    seed: int = 0,
    model_vocab: int = 0,
    quantization: str | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Write ``translate-<source>_<target>.argosmodel`` in ``workdir`` and return its path.

    ``model_vocab`` pads the model's vocabulary with unused tokens up to that size, so the output
    layer costs what a real model's does even when the training text is small.
    """
    name = f"translate-{source}_{target}-{version.replace('.', '_')}"
    package_dir = workdir / "build" / name
    package_dir.mkdir(parents=True, exist_ok=True)
    sp_model = train_sentencepiece(corpus_lines, workdir / f"spm-{source}", vocab_size)
    (package_dir / "sentencepiece.model").write_bytes(sp_model.read_bytes())
    vocab = _padded(_pieces(sp_model), model_vocab)
    converter = _converter_class()(vocab, d_model, heads, ffn, layers, seed)
    converter.convert(str(package_dir / "model"), quantization=quantization, force=True)
    for relative, content in (extra_files or {}).items():
        (package_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (package_dir / relative).write_bytes(content)
    metadata = {
        "package_version": version,
        "argos_version": "1.9.0",
        "from_code": source,
        "from_name": source,
        "to_code": target,
        "to_name": target,
        "type": "translate",
        "links": [],
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (package_dir / "README.md").write_text("Random-weight test package built offline.\n", encoding="utf-8")
    archive = workdir / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package_dir.rglob("*")):
            zf.write(path, path.relative_to(package_dir.parent))
    return archive


def _pieces(sp_model: Path) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(sp_model))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _padded(vocab: list[str], size: int) -> list[str]:
    return vocab + [f"<unused{i}>" for i in range(max(0, size - len(vocab)))]


NLLB_CODES = ("eng_Latn", "rus_Cyrl", "arb_Arab", "ckb_Arab", "kmr_Latn")


def build_nllb_model(
    workdir: Path,
    corpus_lines: list[str],
    *,
    name: str = "nllb-200-tiny-ct2",
    vocab_size: int = 800,
    d_model: int = 64,
    heads: int = 4,
    ffn: int = 128,
    layers: int = 2,
    seed: int = 1,
) -> Path:
    """Write an NLLB-shaped CTranslate2 conversion folder (random weights) and return its path.

    Like ``ct2-transformers-converter`` output for NLLB-200: ``model.bin``, ``config.json``,
    ``shared_vocabulary.json`` holding the sentencepiece pieces plus the FLORES language tags, and
    the tokenizer copied in as ``sentencepiece.bpe.model``.
    """
    folder = workdir / name
    sp_model = train_sentencepiece(corpus_lines, workdir / "spm-nllb", vocab_size)
    vocab = _pieces(sp_model) + list(NLLB_CODES)
    _converter_class()(vocab, d_model, heads, ffn, layers, seed).convert(str(folder), force=True)
    (folder / "sentencepiece.bpe.model").write_bytes(sp_model.read_bytes())
    return folder


MADLAD_TAGS = ("<2en>", "<2ru>", "<2ar>", "<2ckb>", "<2ku>")


def _t5_converter_class():
    from ctranslate2.converters import Converter
    from ctranslate2.specs import common_spec, transformer_spec

    class NumpyT5Converter(Converter):
        """Random weights in the shape ``ct2-transformers-converter`` gives a T5 model (MADLAD-400):
        pre-norm with RMS norms, gated-GELU feed-forward, relative position buckets shared by the
        layers of a stack, no biases, decoder starting from ``<pad>``."""

        def __init__(self, vocab: list[str], d_model: int, heads: int, ffn: int, layers: int, seed: int):
            self.vocab, self.d, self.heads, self.ffn, self.layers = vocab, d_model, heads, ffn, layers
            self.rng = np.random.default_rng(seed)

        def _weight(self, *shape: int, scale: float | None = None) -> np.ndarray:
            scale = scale if scale is not None else 1.0 / np.sqrt(shape[-1])
            return (self.rng.standard_normal(shape) * scale).astype(np.float32)

        def _norm(self, spec) -> None:
            spec.gamma = np.ones(self.d, dtype=np.float32)

        def _stack(self, stack, decoder: bool) -> None:
            d = self.d
            self._norm(stack.layer_norm)
            embeddings = stack.embeddings[0] if isinstance(stack.embeddings, list) else stack.embeddings
            embeddings.weight = self._weight(len(self.vocab), d, scale=1.0)
            stack.scale_embeddings = False
            first = stack.layer[0].self_attention
            for layer in stack.layer:
                attention = layer.self_attention
                attention.queries_scale = 1.0
                self._norm(attention.layer_norm)
                attention.linear[0].weight = self._weight(3 * d, d)
                attention.linear[1].weight = self._weight(d, d)
                if attention is first:
                    attention.relative_attention_bias = self._weight(32, self.heads, scale=0.1)
                    attention.relative_attention_max_distance = np.dtype("int32").type(128)
                else:
                    attention.relative_attention_bias = first.relative_attention_bias
                    attention.relative_attention_max_distance = first.relative_attention_max_distance
                if decoder:
                    cross = layer.attention
                    cross.queries_scale = 1.0
                    self._norm(cross.layer_norm)
                    cross.linear[0].weight = self._weight(d, d)
                    cross.linear[1].weight = self._weight(2 * d, d)
                    cross.linear[2].weight = self._weight(d, d)
                self._norm(layer.ffn.layer_norm)
                layer.ffn.linear_0.weight = self._weight(self.ffn, d)
                layer.ffn.linear_0_noact.weight = self._weight(self.ffn, d)
                layer.ffn.linear_1.weight = self._weight(d, self.ffn)

        def _load(self):
            spec = transformer_spec.TransformerSpec.from_config(
                (self.layers, self.layers),
                self.heads,
                pre_norm=True,
                activation=common_spec.Activation.GELUTanh,
                ffn_glu=True,
                relative_attention_bias=True,
                rms_norm=True,
            )
            self._stack(spec.encoder, decoder=False)
            self._stack(spec.decoder, decoder=True)
            spec.decoder.projection.weight = self._weight(len(self.vocab), self.d)
            spec.register_source_vocabulary(self.vocab)
            spec.register_target_vocabulary(self.vocab)
            spec.config.bos_token = "<pad>"
            spec.config.eos_token = "</s>"
            spec.config.unk_token = "<unk>"
            spec.config.decoder_start_token = "<pad>"
            return spec

    return NumpyT5Converter


def build_madlad_model(
    workdir: Path,
    corpus_lines: list[str],
    *,
    name: str = "madlad400-tiny-ct2",
    vocab_size: int = 800,
    d_model: int = 64,
    heads: int = 4,
    ffn: int = 128,
    layers: int = 2,
    seed: int = 3,
) -> Path:
    """Write a MADLAD-400-shaped CTranslate2 conversion folder (a T5, random weights); return it.

    Like ``ct2-transformers-converter --model google/madlad400-3b-mt --copy_files spiece.model``:
    ``model.bin``, ``config.json``, ``shared_vocabulary.json`` and the T5 tokenizer
    ``spiece.model`` (``<pad>`` 0, ``</s>`` 1, ``<unk>`` 2) whose pieces include the ``<2xx>``
    target-language tokens.
    """
    import sentencepiece as spm

    folder = workdir / name
    prefix = workdir / "spm-madlad"
    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(corpus_lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        user_defined_symbols=list(MADLAD_TAGS),
        minloglevel=2,
    )
    sp_model = prefix.with_suffix(".model")
    vocab = _pieces(sp_model)
    _t5_converter_class()(vocab, d_model, heads, ffn, layers, seed).convert(str(folder), force=True)
    (folder / "spiece.model").write_bytes(sp_model.read_bytes())
    return folder
