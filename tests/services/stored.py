"""A runner with a whole history in the database at once, for tests that need one months in:
the rows go in as the demo writes its runner, in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from restride.services import athletes
from restride.services.demo import store_case

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.storage.database import Database


def athlete_with_history(db: Database, case: Case, *, name: str = "Alice") -> str:
    account = athletes.create_account(db, email=f"{name.lower()}@example.org", name=name)
    with db.transaction() as tx:
        store_case(tx, account.id, case)
    return account.id
