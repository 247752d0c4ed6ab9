"""Live editing on a page: saving as people type, others' edits, who changed what, who is here."""
