//! Appwacht's end-to-end tests, in one binary so a 2-core machine links once.

mod authoring;
mod cli;
mod engine;
mod enforcement;
mod examples;
mod policy_doc;
mod report;
mod store;
