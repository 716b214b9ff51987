"""A one-time code works once, even when several processes spend it at the same moment:
invite codes (each redeemer a different clinician) and reset codes, on a real SQLite file and
the real PostgreSQL server. (Before, on PostgreSQL, 14 of 15 such races let every clinician in.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from restride.services import athletes
from restride.storage import tables as t
from restride.storage.database import Database
from restride.web import accounts, invites
from tests.web.conftest import FAST_HASHER, PASSWORD, People

REDEEMER = Path(__file__).with_name("code_redeemer.py")
REPO = Path(__file__).resolve().parents[2]
RACERS = 6
ROUNDS = 2


def race(db: Database, kind: str, code: str, who: list[str], folder: Path) -> list[str]:
    gate = folder / f"gate-{code}"
    gate.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    fixed = [sys.executable, str(REDEEMER), db.url, kind, code]
    processes = [
        subprocess.Popen(
            [*fixed, person, str(gate), str(i), str(len(who))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i, person in enumerate(who)
    ]
    outcomes = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        outcomes.append(stdout.strip())
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_an_invite_code_redeemed_by_several_clinicians_at_once_opens_one_share(
    people: People, tmp_path: Path, round_: int
) -> None:
    clinicians = [
        athletes.create_account(
            people.db, email=f"c{round_}.{n}@example.org", name=f"C{n}", role="clinician"
        ).id
        for n in range(RACERS)
    ]
    code = invites.create_invite(people.db, people.dave.id).code

    outcomes = race(people.db, "invite", code, clinicians, tmp_path)

    assert sorted(outcomes) == ["refused"] * (RACERS - 1) + ["won"]
    with people.db.read() as tx:
        shares = tx.scalar(
            select(func.count())
            .select_from(t.Share)
            .where(t.Share.athlete_id == people.dave.id, t.Share.clinician_id.in_(clinicians))
        )
    assert shares == 1


def test_a_reset_code_spent_by_several_at_once_sets_one_password(
    people: People, tmp_path: Path
) -> None:
    code = accounts.create_reset_code(people.db, people.alice.email)

    outcomes = race(people.db, "reset", code, [people.alice.email] * RACERS, tmp_path)

    assert sorted(outcomes) == ["refused"] * (RACERS - 1) + ["won"]
    winner = outcomes.index("won")
    accounts.sign_in(
        people.db, FAST_HASHER, email=people.alice.email, password=f"new password {winner}"
    )
    with pytest.raises(accounts.SignInError):
        accounts.sign_in(people.db, FAST_HASHER, email=people.alice.email, password=PASSWORD)
