//! Nothing to export: this package holds the compile-time errors of a
//! `seclog` built without its `seal` feature (`tests/ui.rs`).
