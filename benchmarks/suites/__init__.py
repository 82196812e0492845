"""One module per suite; each has ``run(budget, progress, workdir) -> dict`` and raises :class:`Skip` when it cannot
run here."""

from __future__ import annotations

SUITES = ("default_model", "conflibert", "reuters", "active_learning", "speed", "scale")
