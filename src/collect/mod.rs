//! Live collection from AWS (read-only by construction).
