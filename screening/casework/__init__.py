"""Casework: what is true of a case, decided once for the CLI and the desktop app.

Consent and its scope, the interview lifecycle and its one result schema, the instrument
catalog (shipped + installed in the store, with the snapshot of every text an interview used),
the referral directory and what it may offer under a consent, and the typed preferences.
``screening.workspace.Workspace`` puts them together for one data folder.
"""
