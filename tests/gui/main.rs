//! The app's flows in egui_kittest, against the fake tenant on loopback: no window, real HTTP.
//! One test binary (linking egui once), one module per topic. The state transitions themselves
//! are unit-tested in src/app/update_tests.rs; these check what needs rendering and input.

#[path = "../support/mod.rs"]
mod support;

mod crop;
mod current;
mod design;
mod executor;
mod faces;
mod harness;
mod phone;
mod setup;
mod snapshots;
mod upload;
