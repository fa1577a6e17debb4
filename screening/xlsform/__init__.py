"""XLSForm interoperability: import ODK/Kobo forms, export instruments and interview data.

* ``import_xlsform(path_or_bytes, file_name=None) -> ImportResult``: an XLSForm (.xlsx,
  .xls, .csv, .md) as an instrument, with every warning located by sheet and row; raises
  ``InstrumentError`` listing every problem when the form cannot be run
* ``instrument_yaml(instrument) -> str``: an instrument as an instrument file
* ``export_xlsform(instrument) -> bytes`` / ``write_xlsform(instrument, path)``: an .xlsx
  XLSForm that pyxform, ODK Central and KoboToolbox accept; importing it gives back the
  same content hash
* ``screening.xlsform.odk_export`` (``odk_rows``, ``odk_json``, ``Submission``) and
  ``screening.xlsform.dictionary.data_dictionary``: interview data in the shapes ODK
  Central and KoboToolbox export (pure functions, no store access)

See docs/xlsform.md.
"""

from screening.xlsform.exporter import export_xlsform, write_xlsform
from screening.xlsform.importer import ImportResult, import_xlsform, instrument_yaml

__all__ = ["ImportResult", "export_xlsform", "import_xlsform", "instrument_yaml", "write_xlsform"]
