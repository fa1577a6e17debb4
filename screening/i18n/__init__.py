"""UI strings (gettext catalogs in translations/) and locale-aware formatting (Babel).

Instrument wording is not here: it lives in the instrument files, per language.
"""

from screening.i18n.catalogs import N_, Translator, is_rtl

__all__ = ["N_", "Translator", "is_rtl"]
