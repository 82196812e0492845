"""A family's label tree as arrays, and the decision rule that applies thresholds through it.

A tagged label tags its ancestors (``iq-nineveh`` ⇒ ``iq`` ⇒ ``middle-east``) with at least its own score. With
``prefer_specific``, a label that passes its threshold while none of its descendants does hands the decision to
its best-scoring child that has any evidence: a record whose text names a country is never tagged with the world
region alone ("Israeli jets struck Gaza" gives ``ps``, not only ``middle-east``).

The rule runs in the compiled kernel (one pass over the labels per document, children before parents);
:meth:`LabelTree.decide_reference` is the same per level of the tree with numpy array operations.
"""

from __future__ import annotations

import numpy as np

from . import _kernel
from .taxonomy import Family

__all__ = ["LabelTree"]


class LabelTree:
    """Parents, depths and ancestors of a family's labels by index.

    >>> from tagger import load_taxonomy
    >>> tree = LabelTree(load_taxonomy()["region"])
    >>> family = load_taxonomy()["region"]
    >>> [family.labels[i].id for i in tree.ancestors[family.index("iq-nineveh")]]
    ['iq', 'middle-east']
    """

    def __init__(self, family: Family):
        self.ancestors: list[list[int]] = [
            [family.index(a) for a in family.ancestors(label.id)] for label in family.labels
        ]
        n = len(self.ancestors)
        self.parent = np.asarray([a[0] if a else -1 for a in self.ancestors], dtype=np.int64)
        self.depth = np.asarray([len(a) for a in self.ancestors], dtype=np.int64)
        # the labels of each depth, deepest level first, for propagating decisions upwards
        self.levels = [np.flatnonzero(self.depth == d) for d in range(int(self.depth.max(initial=0)), 0, -1)]
        has_children = np.zeros(n, dtype=bool)
        has_children[self.parent[self.parent >= 0]] = True
        self.has_children = has_children
        # for the compiled rule: children labels deepest first; parents shallowest first with their children
        by_depth = np.argsort(-self.depth, kind="stable")
        self._up = by_depth[self.parent[by_depth] >= 0].astype(np.int64)
        shallow_first = np.argsort(self.depth, kind="stable")
        self._down = shallow_first[has_children[shallow_first]].astype(np.int64)
        kids = np.flatnonzero(self.parent >= 0)
        kids = kids[np.argsort(self.parent[kids], kind="stable")]  # by parent, ascending within each
        self._children = kids.astype(np.int64)
        self._child_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.parent[kids], minlength=n), out=self._child_ptr[1:])

    def __len__(self) -> int:
        return len(self.ancestors)

    def decide(
        self, scores: np.ndarray, thresholds: np.ndarray, *, prefer_specific: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Selected labels and their effective scores: thresholds applied, decisions carried up the tree.

        >>> from tagger import load_taxonomy
        >>> family = load_taxonomy()["region"]
        >>> tree = LabelTree(family)
        >>> scores = np.zeros((1, len(family)), dtype=np.float32)
        >>> scores[0, family.index("middle-east")] = 0.9  # the world region alone passes its threshold
        >>> scores[0, family.index("ps")] = 0.3           # the country has evidence, but a low score
        >>> selected, _ = tree.decide(scores, np.full(len(family), 0.5, np.float32), prefer_specific=True)
        >>> sorted(family.labels[j].id for j in np.flatnonzero(selected[0]))
        ['middle-east', 'ps']
        """
        scores = np.ascontiguousarray(scores, dtype=np.float32)
        if scores.ndim != 2 or scores.shape[1] != len(self):
            raise ValueError(f"scores of shape {scores.shape} for a tree of {len(self)} labels")
        return _kernel.decide_tree(
            scores,
            np.ascontiguousarray(thresholds, dtype=np.float32),
            self.parent,
            self._up,
            self._down,
            self._child_ptr,
            self._children,
            prefer_specific,
        )

    def decide_reference(
        self, scores: np.ndarray, thresholds: np.ndarray, *, prefer_specific: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`decide` level by level with numpy (the reference the compiled rule is tested against)."""
        selected = scores >= thresholds
        effective = scores.copy()
        if prefer_specific and selected.size:
            self._hand_down(scores, selected)
        if not self.levels:
            return selected, effective
        sel_t, eff_t = selected.T.copy(), effective.T.copy()
        for level in self.levels:
            parents = self.parent[level]
            chosen = sel_t[level]
            np.logical_or.at(sel_t, parents, chosen)
            np.maximum.at(eff_t, parents, np.where(chosen, eff_t[level], -np.inf))
        return sel_t.T, eff_t.T

    def _hand_down(self, scores: np.ndarray, selected: np.ndarray) -> None:
        """Top-down: a selected parent none of whose children is selected selects its best child with evidence."""
        for level in reversed(self.levels):  # shallowest children first
            parents = self.parent[level]
            child_selected = np.zeros_like(selected)
            np.logical_or.at(child_selected.T, parents, selected[:, level].T)
            alone = selected & ~child_selected & self.has_children
            for doc, parent in zip(*np.nonzero(alone), strict=True):
                kids = level[parents == parent]
                if kids.size == 0:
                    continue
                best = kids[int(np.argmax(scores[doc, kids]))]
                if scores[doc, best] > 0:
                    selected[doc, best] = True
