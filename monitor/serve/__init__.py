"""HTTP: the JSON feed, controls, health and metrics, and the command-line views."""
