"""The release of hallq (one place: the package metadata and the API document read it)."""

__version__ = "0.1.0"
