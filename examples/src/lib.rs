//! Runnable examples of seclog.
