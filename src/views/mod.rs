//! The page's views, one concept per file. They render what `session` gathered; none of them
//! fetches or verifies anything.

pub mod attestation;
pub mod banner;
pub mod common;
pub mod explorer;
pub mod fetch_log;
pub mod layer_browser;
pub mod object;
pub mod offline;
pub mod policy_form;
pub mod provenance;
pub mod sbom;
pub mod tags;
pub mod verdict;
