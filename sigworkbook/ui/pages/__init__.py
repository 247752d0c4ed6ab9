"""The step pages of the workbook, one module per step."""
