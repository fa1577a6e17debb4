"""FieldScreen's core: instruments, interview engine, encrypted store and reports.

Pure Python: this package never imports Qt, so the command line, the tests and the GUI
all drive the same services.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fieldscreen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
