//! sea-orm entities, private to this crate.
