"""UI strings (gettext catalogs in translations/), language tags (``tags``), the direction
of mixed text shared by the app and the PDF (``bidi``), and locale-aware formatting (Babel).

Instrument wording is not here: it lives in the instrument files, per language.
"""

from screening.i18n.catalogs import N_, Translator, is_rtl
from screening.i18n.tags import REPORT_LANGUAGES, match_language, normalize_language

__all__ = ["N_", "REPORT_LANGUAGES", "Translator", "is_rtl", "match_language",
           "normalize_language"]
