"""mhhs-sec: reference model and conformance suite for the SEC MHHS rules."""

__version__ = "0.1.0"
