"""Small furniture line classifiers (cleaning rulesets 3–7 on top of the ruleset-2 rules,
rulesets 15–17 on top of ruleset 14's; 17 also judges lines of running text and averages in
the sentence-encoder score of :mod:`duikou.ingest.lineencoder`).

The rules of :mod:`duikou.ingest.furniture` remove what a closed pattern can name; every new
batch of pages brings furniture families they do not know (site slogans, app prompts,
periodical issue lines). This model scores each line the rules keep from its shape and
context and removes it when the score reaches a threshold chosen for precision first.

Features (strings, hashed into ``2**BITS`` buckets with CRC-32 so the model file is small and
training deterministic): character 1–3-grams of the folded line (digits → ``0``), bins of
length, Han share, digit share and clause marks, sentence-final punctuation, running-text
shape, the line's relative position and whether it lies above the first or below the last
paragraph, and the rules' decision on the line and its neighbours.

The model is logistic regression trained by :mod:`duikou.ingest.train_linemodel` on the
labelled lines in ``annotation/furniture`` (the training sets are named in the model file);
inference is plain Python (no scikit-learn needed).
"""

from __future__ import annotations

import functools
import json
import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from duikou.ingest import furniture

BITS = 18
MODEL_FILE = Path(__file__).with_name("furniture_model.json")  # ruleset 3
#: the line model of each cleaning ruleset that has one (a retrained model is a new ruleset)
MODEL_FILES = {3: MODEL_FILE, 4: Path(__file__).with_name("furniture_model_4.json"),
               5: Path(__file__).with_name("furniture_model_5.json"),
               6: Path(__file__).with_name("furniture_model_6.json"),
               7: Path(__file__).with_name("furniture_model_6.json"),  # 6 + the R9 guard
               15: Path(__file__).with_name("furniture_model_15.json"),  # on ruleset 14
               16: Path(__file__).with_name("furniture_model_16.json"),  # 15's, to fresh22
               17: Path(__file__).with_name("furniture_model_17.json")}  # + encoder, body
RULE = "R20-line-model"
HEADLINE_MIN_HAN = 2  # 6 when the model was trained and scored on fresh3 (eval/FURNITURE.md)
_DIGIT = re.compile(r"\d")


def _bin(x: float, edges: tuple[float, ...]) -> int:
    return sum(x >= e for e in edges)


def body_lines(norms: list[str], rules: list[str | None]) -> list[int]:
    """Indices of the kept lines of running text."""
    return [j for j, r in enumerate(rules) if r is None and furniture.is_body(norms[j])]


def line_features(norms: list[str], rules: list[str | None], k: int,
                  body: list[int] | None = None, feature_set: int = 1) -> list[str]:
    """Feature strings of line ``k`` given every line of the page and the rules' decisions
    (None: kept); ``body`` is :func:`body_lines` (computed when not given). Feature set 2
    adds :func:`shape_features`, feature set 3 also :func:`context_features`."""
    line = norms[k]
    f = _DIGIT.sub("0", furniture.fold(line))
    n = len(f)
    han = furniture.han_count(f)
    body = body_lines(norms, rules) if body is None else body
    feats = [f"g:{f[i:i + m]}" for m in (1, 2, 3) for i in range(max(0, n - m + 1))]
    feats += [
        f"len:{_bin(n, (2, 4, 7, 11, 16, 25, 40, 60, 100))}",
        f"han:{_bin(han / max(n, 1), (0.01, 0.3, 0.6, 0.8, 0.95))}",
        f"dig:{_bin(f.count('0') / max(n, 1), (0.01, 0.1, 0.3))}",
        f"clause:{min(len(furniture._CLAUSE.findall(f)), 4)}",
        f"end:{bool(furniture._SENTENCE_END.search(f))}",
        f"body:{furniture.is_body(line)}",
        f"tok:{min(len(f.split()), 6)}",
        f"pos:{_bin(k / max(len(norms) - 1, 1), (0.1, 0.3, 0.7, 0.9))}",
        "zone:" + ("none" if not body else "above" if k < body[0] else
                   "below" if k > body[-1] else "inside"),
        f"rule:{(rules[k] or 'kept').split('-')[0]}",
        "prev:" + ("start" if k == 0 else (rules[k - 1] or "kept").split("-")[0]),
        "next:" + ("end" if k + 1 >= len(norms) else (rules[k + 1] or "kept").split("-")[0]),
        f"first:{_char_class(f[:1])}", f"last:{_char_class(f[-1:])}", "bias",
    ]
    if feature_set >= 2:
        feats += shape_features(f)
    if feature_set >= 3:
        feats += context_features(norms, rules, k, body)
    return feats


def context_features(norms: list[str], rules: list[str | None], k: int,
                     body: list[int]) -> list[str]:
    """What the neighbouring lines say (feature set 3): the character 1–2-grams, length bin,
    running-text shape and credit cues of the line above (``p``) and below (``n``), and the
    distance in lines to the nearest paragraph. Credits and teaser lists come in runs, and a
    byline sits next to the lead or the last paragraph."""
    out = []
    for tag, j in (("p", k - 1), ("n", k + 1)):
        if not 0 <= j < len(norms):
            out.append(f"{tag}:none")
            continue
        g = _DIGIT.sub("0", furniture.fold(norms[j]))
        out += [f"{tag}g:{g[i:i + m]}" for m in (1, 2) for i in range(max(0, len(g) - m + 1))]
        out += [f"{tag}len:{_bin(len(g), (2, 7, 16, 40, 100))}",
                f"{tag}body:{furniture.is_body(norms[j])}",
                f"{tag}role:{bool(_ROLE_WORD.search(g))}"]
    dist = min((abs(k - b) for b in body), default=None)
    out.append("dist:none" if dist is None else f"dist:{_bin(dist, (1, 2, 3, 5, 9))}")
    return out


_ROLE_WORD = re.compile(furniture._ROLE)
_SITE_WORD = re.compile(r"\S{1,8}(?:网|报|台|在线|客户端|频道|融媒)(?:\s|$|[·/|])")
_LINK = re.compile(r"https?:|www\.|\.com|\.cn|\.net|\.org")


def shape_features(f: str) -> list[str]:
    """Cues of credits, mastheads and links in a folded line: a role word (记者, 编辑 …), how
    many tokens look like personal names, a site-name-like token, a link, the opening
    bracket."""
    tokens = re.split(r"[\s、,/|·]+", f)
    names = sum(furniture.looks_like_name(t) for t in tokens)
    return [f"role:{bool(_ROLE_WORD.search(f))}", f"names:{min(names, 3)}",
            f"site:{bool(_SITE_WORD.search(f))}", f"link:{bool(_LINK.search(f))}",
            f"open:{f[:1] if f[:1] in '【[(《<' else '-'}"]


def _char_class(ch: str) -> str:
    if not ch:
        return "none"
    if furniture.han_count(ch):
        return "han"
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "latin"
    return ch


def bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << BITS) - 1)


@dataclass(frozen=True)
class LineModel:
    weights: dict[int, float]
    threshold: float
    trained_on: tuple[str, ...] = ()
    feature_set: int = 1
    #: the likely :func:`headline` is judged too, at this (higher) threshold; None: never
    headline_threshold: float | None = None
    #: the cleaning ruleset whose decisions the model was trained on and runs on top of
    base_ruleset: int = 2
    #: kept lines of running text are judged too, at this threshold; None: never (3-16)
    body_threshold: float | None = None
    #: weight of the :mod:`lineencoder` score in the line's score (0: n-grams alone)
    blend: float = 0.0
    #: the encoder perceptron's file, beside this one (needed when ``blend`` > 0)
    encoder_file: str | None = None

    def score(self, feats: list[str]) -> float:
        """P(furniture): each feature bucket counts once, as in training (a line of digits
        repeats ``g:0`` many times)."""
        return self.score_buckets({bucket(f) for f in feats})

    def score_buckets(self, buckets: Iterable[int]) -> float:
        """P(furniture) from distinct feature buckets."""
        z = sum(self.weights.get(b, 0.0) for b in buckets)
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))

    def to_json(self) -> str:
        data = {"bits": BITS, "threshold": self.threshold, "feature_set": self.feature_set,
                "trained_on": list(self.trained_on),
                "weights": {str(b): round(w, 6) for b, w in sorted(self.weights.items())
                            if round(w, 6)}}
        if self.headline_threshold is not None:  # absent from the ruleset-3 file
            data["headline_threshold"] = self.headline_threshold
        if self.base_ruleset != 2:  # absent from the files of rulesets 3-7
            data["base_ruleset"] = self.base_ruleset
        if self.body_threshold is not None:  # absent before ruleset 17
            data["body_threshold"] = self.body_threshold
        if self.blend:
            data["blend"] = self.blend
            data["encoder_file"] = self.encoder_file
        return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


@functools.cache
def load_model(path: Path = MODEL_FILE) -> LineModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("bits") != BITS:
        raise ValueError(f"{path}: model hashed into 2**{data.get('bits')} buckets, "
                         f"expected 2**{BITS}")
    head = data.get("headline_threshold")
    if head is not None and float(head) < float(data["threshold"]):
        raise ValueError(f"{path}: headline_threshold {head} is below threshold "
                         f"{data['threshold']}; the headline must be the harder line to remove")
    if float(data.get("blend", 0.0)) and not data.get("encoder_file"):
        raise ValueError(f"{path}: blend {data['blend']} needs an encoder_file beside the model")
    return LineModel({int(b): float(w) for b, w in data["weights"].items()},
                     float(data["threshold"]), tuple(data.get("trained_on", ())),
                     int(data.get("feature_set", 1)), None if head is None else float(head),
                     int(data.get("base_ruleset", 2)), _opt(data.get("body_threshold")),
                     float(data.get("blend", 0.0)), data.get("encoder_file"))


def _opt(x: float | None) -> float | None:
    return None if x is None else float(x)


def headline(norms: list[str], rules: list[str | None], body: list[int],
             min_han: int = HEADLINE_MIN_HAN) -> int | None:
    """The likely headline: of the kept lines above the first paragraph, the one with the most
    Han characters (at least ``min_han``; the first on a tie). On fresh2 the
    first line model removed headlines with junk appended (``标题 | ||||``), so the ruleset-3
    model never judges this line, and later ones only at their ``headline_threshold``
    (:func:`judged_headline`)."""
    if not body:
        return None
    above = [(furniture.han_count(norms[k]), -k) for k in range(body[0]) if rules[k] is None]
    best = max(above, default=(0, 0))
    return -best[1] if best[0] >= min_han else None


def candidates(norms: list[str], rules: list[str | None], cut: int,
               headline_min_han: int = HEADLINE_MIN_HAN) -> list[int]:
    """The lines the model may remove: kept by the rules, above the tail cut, not running
    text themselves (nor Latin-script prose) and not the :func:`headline`, on a page that has
    running text (so a page never loses its paragraphs and a one-line input is never
    emptied)."""
    body = body_lines(norms, rules)
    if not body:
        return []
    skip = {*body, headline(norms, rules, body, headline_min_han)}
    return [k for k in range(cut) if rules[k] is None and k not in skip
            and not _latin_prose(norms[k])]


_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")


def _latin_prose(line: str) -> bool:
    """A sentence in a Latin-script language (is_body only knows Chinese punctuation): four
    or more words and no Han character. Never judged by the model."""
    return furniture.han_count(line) == 0 and len(_LATIN_WORDS.findall(line)) >= 4


def judged_headline(norms: list[str], rules: list[str | None], cut: int,
                    min_han: int = HEADLINE_MIN_HAN) -> int | None:
    """The :func:`headline` when a model with a ``headline_threshold`` may judge it: kept
    by the rules, above the tail cut, not Latin-script prose."""
    body = body_lines(norms, rules)
    k = headline(norms, rules, body, min_han) if body else None
    if k is None or k >= cut or _latin_prose(norms[k]):
        return None
    return k


def judged_body(norms: list[str], rules: list[str | None], cut: int) -> list[int]:
    """The kept lines of running text above the tail cut that a model with a
    ``body_threshold`` judges (ruleset 17): every :func:`body_lines` line but the likely
    :func:`headline`."""
    body = body_lines(norms, rules)
    head = headline(norms, rules, body) if body else None
    return [k for k in body if k < cut and k != head]


def apply_line_model(norms: list[str], rules: list[str | None], cut: int,
                     model: LineModel | None = None,
                     model_path: Path | None = None) -> list[str | None]:
    """Remove (as :data:`RULE`) each :func:`candidates` line that the model scores at or
    above its threshold, the :func:`judged_headline` at or above the model's
    ``headline_threshold`` when it has one, and each :func:`judged_body` line at or above its
    ``body_threshold`` when it has one, unless that would remove every paragraph (a page
    keeps its running text). A model with a ``blend`` scores
    ``(1 - blend) * n-gram score + blend * encoder score`` (the encoder file is looked up
    beside ``model_path``)."""
    model = model or load_model()
    body = body_lines(norms, rules)
    out = list(rules)
    asked = [(k, model.threshold) for k in candidates(norms, rules, cut)]
    head = judged_headline(norms, rules, cut) if model.headline_threshold is not None else None
    if head is not None:
        asked.append((head, model.headline_threshold))
    in_body = judged_body(norms, rules, cut) if model.body_threshold is not None else []
    asked += [(k, model.body_threshold) for k in in_body]
    probs = [model.score(line_features(norms, rules, k, body, model.feature_set))
             for k, _ in asked]
    if model.blend and asked:
        from duikou.ingest import lineencoder

        folder = (model_path or MODEL_FILE).parent
        weights = lineencoder.load_weights(folder / str(model.encoder_file))
        enc = lineencoder.scores(weights, lineencoder.context_vectors(norms, [k for k, _ in asked]))
        probs = [(1 - model.blend) * p + model.blend * float(e) for p, e in zip(probs, enc)]
    removed = {k for (k, threshold), p in zip(asked, probs) if p >= threshold}
    paragraphs = {k for k in body if k < cut}
    if paragraphs and paragraphs <= removed:  # never every paragraph: keep the running text
        removed -= set(in_body)
    for k in removed:
        out[k] = RULE
    return out
