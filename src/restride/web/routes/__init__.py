"""The app's routes, one module per area: auth, athlete pages, clinician pages, JSON API."""
