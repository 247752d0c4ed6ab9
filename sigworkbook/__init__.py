"""sigworkbook: a Jupyter facilitation workbook for setting up a special interest group."""

__version__ = "0.1.0"
