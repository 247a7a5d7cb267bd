//! Renderers: pure functions from a [`crate::findings::ScanReport`] to text.
