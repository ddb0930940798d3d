"""The account commands: an organisation and its key made from the command line work against the store;
a mistake ends with one error line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.service.accounts import principal_for_key
from interdictor.store import open_store

SECRET = "s" * 64


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERDICTOR_SECRET_KEY", SECRET)
    monkeypatch.setenv("COLUMNS", "400")
    return f"sqlite:///{tmp_path / 'accounts.sqlite'}"


def test_key_made_on_the_command_line_authenticates_as_its_partner(db: str) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["orgs", "add", "acme-express", "--name", "Acme Express", "--db", db])
    assert made.exit_code == 0, made.output
    out = runner.invoke(app, ["keys", "create", "--org", "acme-express", "--db", db])
    assert out.exit_code == 0, out.output
    key = out.output.strip().splitlines()[-1].strip()
    store = open_store(db, migrate=False)
    try:
        with store.connect() as conn:
            who = principal_for_key(conn, SECRET, key)
            stranger = principal_for_key(conn, SECRET, key[:-4] + "AAAA")
    finally:
        store.close()
    assert who is not None and who.partner_code == "acme-express" and who.role == "partner"
    assert stranger is None


def test_a_mistake_is_one_error_line_and_exit_2(db: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "add", "acme", "--name", "Acme", "--db", db]).exit_code == 0
    again = runner.invoke(app, ["orgs", "add", "acme", "--name", "Acme", "--db", db])
    assert again.exit_code == 2
    assert "exists already" in again.output and "Traceback" not in again.output
    missing = runner.invoke(app, ["keys", "create", "--org", "nobody", "--db", db])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    unreachable = runner.invoke(app, ["orgs", "add", "x", "--name", "X", "--db",
                                      "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"])
    assert unreachable.exit_code == 2 and "cannot open the database" in unreachable.output
