"""Recipient-key hand-over of referral packets (issue #15), in the age format.

``keys``: agency key pairs (age X25519 identities in age-keygen's file format, optionally
wrapped with a passphrase as ``age -p`` does), public keys and their short fingerprints, and
sealing/opening bytes for a recipient. ``container``: the documented zip that travels inside
the age file (``referral.pdf``, ``case.json``, ``instrument.json`` and ``manifest.json`` with
the SHA-256 of each). ``casefile``: the structured case in it. ``opening``: decrypting and
checking a packet before anything is stored. The casework service that builds and imports
packets is ``screening.casework.handover``.
"""
