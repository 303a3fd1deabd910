//! [`AvatarRepository`] on the `users` table: the avatar is a column of the
//! account, a foreign key to `uploads` that clears itself when the upload goes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use confab_application::RepositoryError;
use confab_application::ports::AvatarRepository;
use confab_domain::{UploadId, User, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::super::entities::users;
use super::super::storage;
use super::{SeaOrmUserRepository, to_user};

#[async_trait]
impl AvatarRepository for SeaOrmUserRepository {
    async fn set_avatar(
        &self,
        user: UserId,
        avatar: Option<UploadId>,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, RepositoryError> {
        users::Entity::update_many()
            .col_expr(
                users::Column::AvatarUploadId,
                Expr::value(avatar.map(|id| id.as_uuid())),
            )
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.as_uuid()))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        let row = users::Entity::find_by_id(user.as_uuid())
            .one(&self.db)
            .await
            .map_err(storage)?;
        Ok(row.map(to_user))
    }
}

/// Whether upload `id` is some user's avatar (then any signed-in user may read it).
pub(in crate::persistence) async fn is_avatar<C: ConnectionTrait>(
    conn: &C,
    id: UploadId,
) -> Result<bool, RepositoryError> {
    let holders = users::Entity::find()
        .filter(users::Column::AvatarUploadId.eq(id.as_uuid()))
        .count(conn)
        .await
        .map_err(storage)?;
    Ok(holders > 0)
}
