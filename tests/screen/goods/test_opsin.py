"""The OPSIN resolver: one process for many batches, answers kept between runs, a stalled process
given up on.  A stand-in 'java' (a shell script answering one line per name) keeps these tests free of
a JVM; the last test uses the real OPSIN when Java and the jar are present."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from interdictor.screen.goods.opsin import OpsinResolver, find_opsin

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stand-in java is a POSIX shell script")


def _fake_java(tmp_path: Path, body: str) -> tuple[str, Path]:
    script = tmp_path / "java"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    jar = tmp_path / "opsin.jar"
    jar.write_bytes(b"not a jar")
    return str(script), jar


ECHO = 'while IFS= read -r line; do case "$line" in bad*) echo "";; *) echo "S($line)";; esac; done'


def test_one_process_answers_many_batches(tmp_path: Path) -> None:
    java, jar = _fake_java(tmp_path, f"echo started >> {tmp_path}/starts; {ECHO}")
    r = OpsinResolver(jar=jar, java=java)
    assert r(["ethyl benzoate", "bad name"]) == {"ethyl benzoate": "S(ethyl benzoate)", "bad name": None}
    assert r(["methyl benzoate", "ethyl benzoate"]) == {"methyl benzoate": "S(methyl benzoate)",
                                                        "ethyl benzoate": "S(ethyl benzoate)"}
    r.close()
    assert (tmp_path / "starts").read_text().count("started") == 1


def test_answers_are_kept_between_runs(tmp_path: Path) -> None:
    java, jar = _fake_java(tmp_path, f"echo started >> {tmp_path}/starts; {ECHO}")
    answers = tmp_path / "cache" / "opsin.jsonl"
    first = OpsinResolver(jar=jar, java=java, cache_file=answers)
    first(["ethyl benzoate", "bad name"])
    first.close()
    second = OpsinResolver(jar=jar, java=java, cache_file=answers)
    assert second(["ethyl benzoate", "bad name"]) == {"ethyl benzoate": "S(ethyl benzoate)", "bad name": None}
    second.close()
    assert (tmp_path / "starts").read_text().count("started") == 1  # the second run started no process


def test_a_cut_short_answers_file_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    java, jar = _fake_java(tmp_path, ECHO)
    answers = tmp_path / "opsin.jsonl"
    answers.write_text('["ethyl benzoate", "CCOC(=O)c1ccccc1"]\n["methyl', encoding="utf-8")
    r = OpsinResolver(jar=jar, java=java, cache_file=answers)
    assert r(["ethyl benzoate"]) == {"ethyl benzoate": "CCOC(=O)c1ccccc1"}
    assert r(["methyl benzoate"]) == {"methyl benzoate": "S(methyl benzoate)"}
    r.close()


def test_a_stalled_process_is_given_up_on(tmp_path: Path) -> None:
    java, jar = _fake_java(tmp_path, "sleep 30")
    r = OpsinResolver(jar=jar, java=java, timeout_s=0.5)
    t = time.monotonic()
    assert r(["ethyl benzoate"]) == {"ethyl benzoate": None}
    assert time.monotonic() - t < 10
    r.close()


def test_a_missing_java_is_no_error(tmp_path: Path) -> None:
    jar = tmp_path / "opsin.jar"
    jar.write_bytes(b"x")
    r = OpsinResolver(jar=jar, java=str(tmp_path / "no-such-java"))
    assert r(["ethyl benzoate"]) == {"ethyl benzoate": None}


@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime")
def test_real_opsin_reads_a_systematic_name(tmp_path: Path) -> None:
    r = find_opsin(os.environ.get("INTERDICTOR_OPSIN_JAR"), cache_dir=tmp_path)
    if r is None:
        pytest.skip("no OPSIN jar (install the chemistry extra)")
    out = r(["1-(2-phenylethyl)piperidin-4-one", "not a chemical at all"])
    r.close()
    assert out["1-(2-phenylethyl)piperidin-4-one"] is not None
    assert out["not a chemical at all"] is None
    assert r.cache_file is not None and r.cache_file.is_file()
