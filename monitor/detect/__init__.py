"""What a page means (pure): identity, the decision, diffs, relevance, events."""
