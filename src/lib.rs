//! jobloop (store rebuild in progress).
pub mod demo;
pub mod display;
pub mod domain;
pub mod files;
pub mod store;
