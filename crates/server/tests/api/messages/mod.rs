//! Messages tests (being written).
