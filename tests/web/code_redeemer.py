"""Spend one one-time code at a moment shared with other processes; run by test_one_time_codes.py.

    python code_redeemer.py URL KIND CODE WHO GATE INDEX WORKERS

KIND is "invite" (WHO: the clinician redeeming it) or "reset" (WHO: the account's email).
Every process waits at the gate until all are there, then tries at once; each prints
"won" or "refused" and exits 0, or exits 1 with a traceback on anything else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from argon2 import PasswordHasher

from restride.services.errors import ConflictError, InvalidInputError
from restride.storage.database import Database
from restride.web import accounts, invites
from tests.storage.concurrency_worker import wait_at

HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def main() -> None:
    url, kind, code, who, gate, index, workers = sys.argv[1:8]
    db = Database(url, busy_timeout_s=30)
    wait_at(Path(gate), "go", int(workers), int(index))
    try:
        if kind == "invite":
            invites.redeem_invite(db, who, code)
        else:
            accounts.reset_password(
                db, HASHER, email=who, code=code, password=f"new password {index}"
            )
    except (InvalidInputError, ConflictError):
        print("refused", flush=True)
    else:
        print("won", flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
