//! Yarn Berry `.yarnrc.yml`.
