"""Text → facts (pure): document numbers, dates, acts, codes, HS codes, elements."""
