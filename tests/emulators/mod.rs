//! Local AWS emulators for the integration tests: moto (S3, Lambda, IAM, STS, CodeDeploy) and
//! ministack (CloudWatch), started on free loopback ports and stopped when dropped.
#![allow(dead_code)]

pub mod ministack;
pub mod moto;
