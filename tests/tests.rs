//! Appwacht's end-to-end tests, in one binary so a 2-core machine links once.

mod admin;
mod apk;
mod audit;
mod authoring;
mod cli;
mod enforcement;
mod engine;
mod examples;
mod https;
mod indicators;
mod interop;
mod jni;
mod kotlin;
mod parsers;
mod policy_doc;
mod records;
mod report;
mod store;
mod trust;
mod typed_api;
