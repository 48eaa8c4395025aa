"""`regwatch demo`: the offline walk-through."""
