//! Helpers for the real Docker Engine on this machine (being written).
