"""Pin the public API: every name users import, and nothing else, is exported."""

import tagger

PUBLIC = {
    "__version__",
    "tag",
    "Tagger",
    "TagResult",
    "LabelScore",
    "train",
    "evaluate",
    "load_taxonomy",
    "Taxonomy",
    "read_records",
    "Record",
    "TaggerError",
    "TaxonomyError",
    "DataError",
    "ModelError",
    "ModelNotFoundError",
    "ParameterError",
    "TrainingError",
}


def test_all_is_exactly_the_public_api():
    assert set(tagger.__all__) == PUBLIC


def test_every_public_name_imports():
    for name in PUBLIC:
        assert getattr(tagger, name) is not None


def test_errors_subclass_builtins():
    assert issubclass(tagger.TaxonomyError, ValueError)
    assert issubclass(tagger.DataError, ValueError)
    assert issubclass(tagger.ModelError, ValueError)
    assert issubclass(tagger.ModelNotFoundError, FileNotFoundError)
    assert issubclass(tagger.ParameterError, ValueError)


def test_train_is_the_function_even_after_importing_the_training_module():
    import tagger.training  # noqa: F401
    from tagger import train

    assert callable(train) and train.__module__ == "tagger.training"


def test_tagging_imports_neither_scikit_learn_nor_scipy_nor_the_readers():
    import subprocess
    import sys

    code = (
        "import sys, tagger; tagger.tag('Clashes near Mosul');"
        "tagger.tag('Clashes near Mosul', explain=True);"
        "print(sorted(m for m in ('sklearn', 'scipy', 'tagger.readers', 'tagger.training') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_tagging_pauses_the_collector_only_for_the_call_and_keeps_a_callers_choice():
    import gc

    from tagger.model import _collector_paused

    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller disabled it: it stays disabled
    finally:
        gc.enable()
    try:
        with _collector_paused():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()
