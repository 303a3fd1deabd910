//! The object-store contract: every test is written once, against the port, and run
//! on the in-memory store, the local directory and a real S3 endpoint
//! (`CONFAB_TEST_S3_ENDPOINT`, e.g. moto_server; credentials from `AWS_*`). Without
//! the endpoint the S3 runs say they skipped and pass.

mod contract;
mod local;
mod s3;
mod support;
