"""The gold corpus (pages labelled by hand) and the score of extraction against it."""
