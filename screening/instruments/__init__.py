"""Instruments: versioned, multilingual questionnaires as data (resources/instruments/*.yaml).

``load_instrument(path)`` returns a ``LoadResult`` (instrument + warnings) or raises
``InstrumentError`` listing every problem found, each with file, line and item.
"""

from screening.instruments.loader import LoadResult, load_instrument, load_instrument_text
from screening.instruments.model import Instrument, Item, ItemType
from screening.instruments.registry import (
    find_instrument,
    list_instruments,
)

__all__ = [
    "Instrument",
    "Item",
    "ItemType",
    "LoadResult",
    "find_instrument",
    "list_instruments",
    "load_instrument",
    "load_instrument_text",
]
