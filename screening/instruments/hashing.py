"""The content hash: SHA-256 over a canonical form of everything an instrument says.

Canonical form: the validated model as JSON with values equal to the schema's defaults left
out (so a later schema field with a default does not change every existing hash), keys
sorted and text NFC-normalised. Formatting, key order and comments do not change the hash;
any change of wording, in any language, or of logic does.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

from screening.instruments.model import Instrument

PREFIX = "sha256:"


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def canonical_json(instrument: Instrument) -> str:
    data = instrument.model_dump(mode="json", exclude={"content_hash"}, exclude_defaults=True)
    return json.dumps(
        _normalise(data), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def content_hash(instrument: Instrument) -> str:
    digest = hashlib.sha256(canonical_json(instrument).encode("utf-8")).hexdigest()
    return PREFIX + digest
