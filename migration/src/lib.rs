//! confab's schema as append-only migrations: one file per change, never edited once
//! landed, each with its own identifiers (no entity imports).

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_accounts;
mod m20261121_000002_chats;
mod m20261202_000010_email;
mod m20261202_000020_admin;
mod m20261203_000030_uploads;
mod m20261203_000040_avatars;
mod m20261203_000050_deletion;
mod m20261203_000060_attachments;
mod m20261203_000070_erasure;
mod m20261203_000080_message_entries;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_accounts::Migration),
            Box::new(m20261121_000002_chats::Migration),
            Box::new(m20261202_000010_email::Migration),
            Box::new(m20261202_000020_admin::Migration),
            Box::new(m20261203_000030_uploads::Migration),
            Box::new(m20261203_000040_avatars::Migration),
            Box::new(m20261203_000050_deletion::Migration),
            Box::new(m20261203_000060_attachments::Migration),
            Box::new(m20261203_000070_erasure::Migration),
            Box::new(m20261203_000080_message_entries::Migration),
        ]
    }
}
