"""The plan and the record in other people's formats: a calendar, watch workouts, a clinician
report, spreadsheets.

Each module here is pure, data in and bytes (or text) out, with no database and no clock, so
the CLI writes the bytes to files and the web app can serve the same bytes. The use cases that
read the database and call them live in `restride.services.exports`.
"""
