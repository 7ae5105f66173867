"""A span-vote ensemble of taggers, with document-level roles before and after the vote.

Several taggers of one document (e.g. the BERT-type baseline trained with three seeds, and
the CRF) disagree most on the labels that matter most for users: which party gives, which
receives, and which mention is only a place. A span-level vote keeps a span only when enough
members predict exactly it (same start, end and label), which removes the spans that one
model invents alone.

Offsets are code-point offsets into the document text, half-open ``[start, end)``, as
everywhere in duikou. The vote is pure: it reads spans and returns spans, and never
changes an offset or a label.

:func:`vote_with_roles` is what ``duikou reproduce`` derives ``vote+roles+rules`` with:
each member's party labels are first decided per document entity
(:func:`duikou.baselines.roles.assign_roles`, which is what a ``+roles`` system predicts);
then the spans are voted on; then the roles are decided once more, because the vote may keep
some mentions of an entity and not others, and one entity keeps one role per document
(guidelines §5). The design (members, threshold, where the roles go) was chosen on the
out-of-fold predictions of the non-test documents (baselines/BENCHMARKS.md, "A vote of
taggers").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from duikou.baselines.roles import RoleSettings, assign_roles
from duikou.spans import Span


def majority(n_members: int) -> int:
    """The smallest number of votes that is more than half of ``n_members``.

    >>> majority(3), majority(4), majority(1)
    (2, 3, 1)
    """
    return n_members // 2 + 1


def vote(members: Sequence[Sequence[Span]], k: int | None = None) -> list[Span]:
    """The spans that at least ``k`` members predict exactly (default: a strict majority,
    :func:`majority`), without overlaps, sorted.

    Each member counts once per ``(start, end, label)``, however often it lists that span.
    Where kept spans overlap, more votes win, then the earlier start, then the longer
    span; the span object returned for a key is the first member's (its ``attrs``, e.g. a
    figure's normalisation, come with it).

    >>> a, b, c = Span(0, 2, "DONOR"), Span(3, 5, "LOC"), Span(3, 6, "LOC")
    >>> vote([[a, b], [a, c], [a, b]])
    [Span(start=0, end=2, label='DONOR', text=None, attrs=None), Span(start=3, end=5, label='LOC', text=None, attrs=None)]
    >>> vote([[a, b], [a, c], [a, c]], k=1)  # b and c overlap: c has more votes
    [Span(start=0, end=2, label='DONOR', text=None, attrs=None), Span(start=3, end=6, label='LOC', text=None, attrs=None)]
    """
    if not members:
        return []
    k = majority(len(members)) if k is None else k
    if k < 1:
        raise ValueError(f"vote: k must be at least 1, got {k}")
    votes: Counter = Counter()
    first: dict[tuple[int, int, str], Span] = {}
    for member in members:
        keys = {s.key for s in member}
        votes.update(keys)
        for s in member:
            first.setdefault(s.key, s)
    ranked = sorted((key for key, n in votes.items() if n >= k),
                    key=lambda t: (-votes[t], t[0], t[0] - t[1], t[2]))
    kept: list[Span] = []
    for start, end, label in ranked:
        if all(end <= s.start or s.end <= start for s in kept):
            kept.append(first[(start, end, label)])
    return sorted(kept)


def vote_with_roles(text: str, members: Sequence[Sequence[Span]],
                    k: int | None = None, settings: RoleSettings | None = None
                    ) -> list[Span]:
    """Document-level roles (with ``settings``, by default :class:`RoleSettings`'s) on each
    member, the :func:`vote`, then the roles again (module docstring)."""
    settings = settings or RoleSettings()
    voted = vote([assign_roles(text, list(m), settings) for m in members], k)
    return assign_roles(text, voted, settings)
