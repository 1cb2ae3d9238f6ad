//! opk-registry
