"""The one registry of taggers: name → ``module:Class``. The CLI, ``duikou reproduce`` and
the benchmarks all find taggers here. Modules are imported only when a tagger is used, so
the neural dependencies (torch, transformers) are needed only for the ``bert`` tagger.

To add a tagger: write a module with a :class:`duikou.baselines.base.Tagger` subclass and
add one line below.
"""

from __future__ import annotations

import importlib

from duikou.baselines.base import Tagger
from duikou.errors import ModelError, Problem

TAGGERS: dict[str, str] = {
    "rules": "duikou.baselines.rules:RulesTagger",
    "crf": "duikou.baselines.crf:CrfTagger",
    "bert": "duikou.baselines.bert:BertTagger",
    "crf+roles": "duikou.baselines.roles:CrfRolesTagger",
    "bert+roles": "duikou.baselines.roles:BertRolesTagger",
    "crf+rules": "duikou.baselines.combined:CombinedTagger",
    "crf+roles+rules": "duikou.baselines.combined:CombinedRolesTagger",
    "bert+rules": "duikou.baselines.combined:BertCombinedTagger",
    "bert+roles+rules": "duikou.baselines.combined:BertCombinedRolesTagger",
}
KINDS: tuple[str, ...] = tuple(TAGGERS)


def tagger_class(kind: str) -> type[Tagger]:
    """The tagger class registered as ``kind``; :class:`ModelError` for an unknown name or a
    tagger whose module is missing from this installation."""
    if kind not in TAGGERS:
        raise ModelError(Problem(f"unknown model kind {kind!r}; expected one of {KINDS}",
                                 code="DK-MODEL-001"))
    module_name, _, class_name = TAGGERS[kind].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ModelError(Problem(f"the {kind} baseline is not available in this duikou "
                                 f"({module_name} is missing)", code="DK-MODEL-002")) from None
    return getattr(module, class_name)
