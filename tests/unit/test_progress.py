"""`tagger train` progress: bars with totals and ETA on a terminal, one summary line elsewhere (issue 13)."""

from __future__ import annotations

import io

from tagger.cli._progress import FamilyProgress, StreamProgress

STEPS = [
    "analysing 60 records",
    "region: cross-validating the ovr scorer (3 folds, 60 records)",
    "region: fitting the ovr scorer on all records (cross-validated micro-F1 0.900)",
    "actor: cross-validating the ovr scorer (3 folds, 60 records)",
    "event_type: cross-validating the ovr scorer (3 folds, 60 records)",
]


def test_family_bar_has_a_total_and_an_eta_on_a_terminal():
    out = io.StringIO()
    progress = FamilyProgress(["region", "actor", "event_type"], file=out, tty=True)
    for step in STEPS:
        progress(step)
    assert "2/3" in out.getvalue() and "<" in out.getvalue()  # tqdm's "elapsed<remaining"
    progress.close(60)
    assert "3/3" in out.getvalue() and "trained 3 families" not in out.getvalue()


def test_off_a_terminal_one_summary_line():
    out = io.StringIO()
    progress = FamilyProgress(["region", "actor", "event_type"], file=out, tty=False)
    for step in STEPS:
        progress(step)
    progress.close(60)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trained 3 families on 60 records in ")


def test_streaming_bar_learns_its_total_after_the_first_pass():
    out = io.StringIO()
    progress = StreamProgress(2, file=out, tty=True)
    for step in ["pass 1: 500 records read", "pass 1: 1000 records read", "pass 2 (epoch 1): 500 records"]:
        progress(step)
    assert "500/2000" in out.getvalue()
    progress("pass 2 (epoch 2): 1000 records")
    assert "2000/2000" in out.getvalue()
    quiet = io.StringIO()
    silent = StreamProgress(1, file=quiet, tty=False)
    silent("pass 1: 10 records read")
    silent.close(10)
    assert quiet.getvalue().startswith("trained (streaming, 1 epoch(s)) on 10 records in ")
