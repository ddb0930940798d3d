"""Compiled tables kept in the cache come back exactly as compiled, and a changed KB is a new key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl

from interdictor.reference.kb import load_kb
from interdictor.screen.goods.artefacts import build, cache_key, load_or_build, read


def test_cached_tables_read_back_as_compiled(tmp_path: Path) -> None:
    kb = load_kb()
    fresh = build(kb)
    load_or_build(kb, tmp_path)  # compiles and writes
    (entry,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    cached = read(entry)
    assert cached is not None
    assert cached.compiled.patterns.equals(fresh.compiled.patterns)
    assert cached.compiled.groups.equals(fresh.compiled.groups)
    for view in ("token", "skeleton", "compact", "classes", "uses"):
        assert getattr(cached.compiled, view).texts == getattr(fresh.compiled, view).texts
        assert getattr(cached.compiled, view).table.equals(getattr(fresh.compiled, view).table)
    assert cached.compiled.fuzzy_vocabulary == fresh.compiled.fuzzy_vocabulary
    assert cached.compiled.known_words == fresh.compiled.known_words
    assert cached.compiled.subsumes == fresh.compiled.subsumes
    assert cached.vague == fresh.vague
    assert cached.near_cas == fresh.near_cas


def test_second_load_reads_the_cache(tmp_path: Path) -> None:
    kb = load_kb()
    load_or_build(kb, tmp_path)
    (entry,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    marker = pl.DataFrame({"view": ["token"], "text": [" marker "], "gid": [0]}, schema={"view": pl.String, "text": pl.String, "gid": pl.Int32})
    marker.write_parquet(entry / "keys.parquet")  # what the cache holds is what comes back
    again = load_or_build(kb, tmp_path)
    assert again.compiled.token.texts == [" marker "]


def test_unreadable_entry_is_compiled_again(tmp_path: Path) -> None:
    kb = load_kb()
    load_or_build(kb, tmp_path)
    (entry,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    (entry / "meta.json").write_text("{not json", encoding="utf-8")
    art = load_or_build(kb, tmp_path)
    assert len(art.compiled.token) > 1000


def test_a_changed_knowledge_base_is_a_new_key() -> None:
    kb = load_kb()
    assert cache_key(kb) == cache_key(load_kb())
    for f in dataclasses.fields(kb):  # any field the compiler might read
        if f.name in ("by_id", "by_cas", "version"):
            continue
        value = getattr(kb, f.name)
        changed = (*value, value[0]) if isinstance(value, tuple) and value else (
            {**value, "extra": ("x",)} if isinstance(value, dict) else 0.123)
        assert cache_key(dataclasses.replace(kb, **{f.name: changed})) != cache_key(kb), f.name


def test_no_cache_dir_compiles_in_memory(tmp_path: Path) -> None:
    art = load_or_build(load_kb(), None)
    assert len(art.compiled.token) > 1000
    assert not any(tmp_path.iterdir())
