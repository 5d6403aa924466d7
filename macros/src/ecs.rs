//! ECS allowed values known at compile time (ECS 9.5.0-dev,
//! `reference/ecs/allowed_values.json`; a test keeps the two in step).

/// The allowed values of `event.category`.
pub(crate) const CATEGORIES: &[&str] = &[
    "api",
    "authentication",
    "configuration",
    "database",
    "driver",
    "email",
    "file",
    "host",
    "iam",
    "intrusion_detection",
    "library",
    "malware",
    "network",
    "package",
    "process",
    "registry",
    "session",
    "threat",
    "vulnerability",
    "web",
];
