"""Benchmarks of tagger: accuracy next to published results and to peers, and speed — outside the test run.

    python -m benchmarks            # full run (about 20 minutes on 2 cores), writes benchmarks/results/
    python -m benchmarks --quick    # seconds, small inputs, writes benchmarks/results/quick/ (CI runs it)

See benchmarks/README.md for what is measured and how.
"""
