//! shiftdeck: a terminal release cockpit for signed Lambda artifacts shifted by CodeDeploy.

pub mod app;
pub mod audit_log;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod environment;
pub mod git;
pub mod notification;
pub mod ops;
pub mod ports;
pub mod report;
pub mod sim;
pub mod tui;
pub mod ui;
