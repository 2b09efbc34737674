//! End-to-end tests live in `tests/` of this package; this library holds their shared harness.
