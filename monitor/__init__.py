"""regwatch: rare-earth export-control change monitor (import package `monitor`)."""

__version__ = "0.1.0"
