"""Widget forms built from the plan model, and the page furniture of each workbook step."""
