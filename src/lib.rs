//! jobloop (domain-only build while the store is rewritten).
pub mod display;
pub mod domain;
