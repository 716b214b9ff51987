"""Hold the database's write lock until told to let go; run by test_busy.py.

SQLite: BEGIN IMMEDIATE (the one write lock). PostgreSQL: the check-ins table locked in
EXCLUSIVE mode, which lets reads through and makes every write wait. Prints "held" once it
holds the lock, then waits for a line on stdin, then commits (writing nothing).
"""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def main() -> None:
    url = sys.argv[1]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("BEGIN"))
            connection.execute(text("LOCK TABLE checkins IN EXCLUSIVE MODE"))
        print("held", flush=True)
        sys.stdin.readline()
        connection.exec_driver_sql("COMMIT")
    engine.dispose()


if __name__ == "__main__":
    main()
