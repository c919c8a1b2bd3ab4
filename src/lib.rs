//! pmrc reads the registry, auth and network settings of JavaScript package managers into
//! one model and writes that model into other managers' files as surgical edits.
//!
//! Data flow: discover files → read (one module per format) → [`model::Model`] →
//! translate (target manager's rules) → plan (one edit per file, re-parse guard) →
//! preview (redacted diff) or apply (atomic write). `ARCHITECTURE.md` is the map.
//!
//! Modules are public only where the integration tests, property tests and fuzz targets
//! drive them directly; the rest is crate-private, so unused code there is reported.

pub mod apply;
pub(crate) mod ci;
pub mod cli;
pub(crate) mod commands;
pub mod diagnostics;
pub mod discover;
pub mod doctor;
pub mod env_config;
pub mod env_layer;
pub mod error;
pub(crate) mod explain;
pub mod formats;
pub mod managers;
pub mod model;
pub(crate) mod output;
pub mod plan;
pub mod redact;
pub(crate) mod registry_url;
pub mod resolve;
pub(crate) mod sync_config;
pub mod template;
pub mod translate;
pub mod warning;
