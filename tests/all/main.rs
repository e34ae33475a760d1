//! The integration tests, in one binary. Each test binary links the whole core: as twelve binaries
//! they took ~390 MB of target/debug/deps and ~15 s to compile and link (with the core already
//! built), as one ~50 MB and ~6 s. Run one file's tests with a filter:
//! `cargo test --test all docs_sources::`. Proptest keeps its regression seeds in
//! tests/proptest-regressions/ (the crate root is this main.rs).

mod common;

mod audit;
mod auth;
mod case_list;
mod cases_lifecycle;
mod cases_parts;
mod docs_fonts;
mod docs_issue;
mod docs_layout;
mod docs_render;
mod docs_settings;
mod docs_sources;
mod down;
mod escalation;
mod exchange;
mod exchange_tls;
mod foundation;
mod hardening;
mod layers;
mod ledger_props;
mod ledger_scenarios;
mod reports;
mod rule_sets;
mod serve;
