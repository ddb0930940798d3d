from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdictor.cli import app

from .conftest import WATCHLIST_FIXTURES as FIXTURES

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def test_import_versions_show_match_dismiss(db: str) -> None:
    r = runner.invoke(app, ["lists", "import", str(FIXTURES / "official" / "SDN.CSV"), "--db", db])
    assert r.exit_code == 0, r.output
    assert "v1: 3 entries — 3 added" in r.output
    r = runner.invoke(app, ["lists", "import", str(FIXTURES / "official" / "SDN.CSV"), "--db", db])
    assert "unchanged" in r.output
    r = runner.invoke(
        app, ["lists", "import", str(FIXTURES / "lookouts.csv"), "--list-id", "lookout-internal", "--db", db]
    )
    assert r.exit_code == 0 and "skipped" in r.output  # the empty row is reported
    r = runner.invoke(app, ["lists", "versions", "--db", db])
    assert "ofac-sdn" in r.output and "lookout-internal" in r.output
    r = runner.invoke(app, ["lists", "show", "ofac-sdn", "90380", "--db", db])
    assert "SHIJIAZHUANG FA KE" in r.output
    r = runner.invoke(app, ["lists", "match", "Hubei Guanleng Biotech", "--country", "CN", "--db", db])
    assert "PARTY_SANCTIONED" in r.output and "90380" in r.output
    r = runner.invoke(
        app,
        [
            "lists",
            "dismiss",
            "--list-id",
            "ofac-sdn",
            "--uid",
            "90401",
            "--name",
            "Changgen Du",
            "--reason",
            "different person (DOB 1990)",
            "--actor",
            "analyst",
            "--db",
            db,
        ],
    )
    assert r.exit_code == 0 and "dismissal 1" in r.output
    r = runner.invoke(app, ["lists", "dismissals", "--db", db])
    assert "Changgen Du" in r.output


def test_bad_file_is_a_clear_error(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n")
    r = runner.invoke(app, ["lists", "import", str(bad), "--db", db])
    assert r.exit_code == 2 and "name" in r.output


def test_update_imports_what_it_fetched(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_fetch(root: Path, *_a: object, **_k: object) -> Path:
        dest = root / "ofac-test"
        shutil.copytree(FIXTURES / "official", dest)
        return dest

    monkeypatch.setattr("interdictor.reference.watchlists.fetch.fetch_ofac", fake_fetch)
    r = runner.invoke(app, ["lists", "update", "--dest", str(tmp_path / "dl"), "--db", db])
    assert r.exit_code == 0, r.output
    assert "ofac-sdn v1: 3 entries" in r.output


def test_fetch_reports_http_errors_without_network(tmp_path: Path) -> None:
    import httpx

    from interdictor.reference.watchlists.fetch import FetchError, fetch_ofac

    ok = httpx.MockTransport(lambda req: httpx.Response(200, content=b'1,"X",-0-,"SDGT"\n'))
    folder = fetch_ofac(tmp_path, "https://lists.example", transport=ok)
    assert (folder / "SDN.CSV").read_bytes().startswith(b"1,")
    bad = httpx.MockTransport(lambda req: httpx.Response(503))
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch_ofac(tmp_path, "https://lists.example", transport=bad)
