//! Browser harness: written next.
