"""Use cases: each opens one transaction, checks its input against the stored record, and
either commits all of it or nothing."""
