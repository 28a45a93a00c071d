"""The per-user cache of the loaded lexicon: the same matches, and never fatal when broken."""

from __future__ import annotations

import pickle

import pytest

from atc_mine.nlp import lexicon_cache
from atc_mine.nlp.lexicon import COMPILED_NAME, CompiledLexicon, _read_and_build
from atc_mine.nlp.rules import data_path


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(lexicon_cache.CACHE_DIR_VARIABLE, str(directory))
    return directory


@pytest.fixture()
def source(tmp_path):
    path = tmp_path / "names.json"
    path.write_text('{"names": ["lenvatinib"]}')  # hand-written: any file stands for a lexicon here
    return path


class Counter:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_cached_object_is_read_back_without_building(cache, source):
    build = Counter({"names": ["lenvatinib"]})
    first = lexicon_cache.load_or_build(source, build, dict)
    second = lexicon_cache.load_or_build(source, build, dict)
    assert first == second == {"names": ["lenvatinib"]}
    assert build.calls == 1
    assert [p.name for p in cache.iterdir()] == [lexicon_cache.cache_key(source)]


def test_a_changed_source_gets_a_new_entry(cache, source):
    key = lexicon_cache.cache_key(source)
    source.write_text('{"names": ["sorafenib"]}')
    assert lexicon_cache.cache_key(source) != key


def test_a_corrupt_or_foreign_entry_is_rebuilt_and_replaced(cache, source):
    cache.mkdir()
    entry = cache / lexicon_cache.cache_key(source)
    build = Counter({"names": []})
    entry.write_bytes(b"not a pickle")
    assert lexicon_cache.load_or_build(source, build, dict) == {"names": []}
    entry.write_bytes(pickle.dumps(["a list, not the expected type"]))
    assert lexicon_cache.load_or_build(source, build, dict) == {"names": []}
    assert build.calls == 2
    assert pickle.loads(entry.read_bytes()) == {"names": []}


def test_an_unwritable_cache_directory_is_ignored(tmp_path, source, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(lexicon_cache.CACHE_DIR_VARIABLE, str(blocker / "cache"))
    build = Counter({"names": []})
    assert lexicon_cache.load_or_build(source, build, dict) == {"names": []}
    assert lexicon_cache.load_or_build(source, build, dict) == {"names": []}
    assert build.calls == 2


@pytest.mark.parametrize("value", ["off", "", "none"])
def test_the_cache_can_be_switched_off(monkeypatch, value):
    monkeypatch.setenv(lexicon_cache.CACHE_DIR_VARIABLE, value)
    assert lexicon_cache.cache_dir() is None


def test_the_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(lexicon_cache.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lexicon_cache.cache_dir() == tmp_path / "atc-mine"


def test_the_cached_lexicon_matches_as_the_one_read_from_its_file(cache, corpora):
    path = data_path(COMPILED_NAME)
    loaded = lexicon_cache.load_or_build(path, lambda: _read_and_build(path), CompiledLexicon)
    cached = lexicon_cache.load_or_build(path, lambda: pytest.fail("read again"), CompiledLexicon)
    assert cached is not loaded and cached.built == loaded.built
    texts = [p.read_text() for p in sorted((corpora / "abstracts").glob("*.txt"))]
    assert len(texts) >= 10
    for label in ("DRUG", "GENE"):
        assert [cached.lexicons[label].find(t) for t in texts] == [loaded.lexicons[label].find(t) for t in texts]
    assert cached.identifiers("DRUG", "lenvatinib") == loaded.identifiers("DRUG", "lenvatinib") != {}
