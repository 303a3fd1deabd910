//! Every chat as admins list it: newest activity first, with member counts.

use confab_application::RepositoryError;
use confab_application::ports::{AdminChatView, ChatListCursor};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use crate::persistence::chat_queries::{chat_from_row, member_counts};
use crate::persistence::entities::chats;
use crate::persistence::storage;
use crate::persistence::user_repository::prefix_upper_bound;

/// Group names whose lower-cased form starts with `prefix` (a range, so `%` and `_`
/// are plain characters). SQLite's `lower` folds ASCII letters only.
fn name_starts_with(prefix: &str) -> Condition {
    let lowered = || Expr::expr(Func::lower(Expr::col(chats::Column::Name)));
    let lower = Condition::all().add(lowered().gte(prefix));
    match prefix_upper_bound(prefix) {
        Some(upper) => lower.add(lowered().lt(upper)),
        None => lower,
    }
}

pub(super) async fn list(
    db: &DatabaseConnection,
    prefix: &str,
    after: Option<ChatListCursor>,
    limit: u64,
) -> Result<Vec<AdminChatView>, RepositoryError> {
    let named = (!prefix.is_empty()).then(|| name_starts_with(prefix));
    let after = after.map(|cursor| {
        let at = cursor.last_activity_at;
        Condition::any()
            .add(Expr::col(chats::Column::LastActivityAt).lt(at))
            .add(
                Condition::all()
                    .add(Expr::col(chats::Column::LastActivityAt).eq(at))
                    .add(Expr::col(chats::Column::Id).lt(cursor.chat_id.as_uuid())),
            )
    });
    let rows = chats::Entity::find()
        .apply_if(named, QueryFilter::filter)
        .apply_if(after, QueryFilter::filter)
        .order_by_desc(chats::Column::LastActivityAt)
        .order_by_desc(chats::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .map_err(storage)?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|row| row.id).collect();
    let counts = member_counts(db, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let members = counts.get(&row.id).copied().unwrap_or(0);
            Ok(AdminChatView {
                member_count: u64::try_from(members).unwrap_or(0),
                chat: chat_from_row(row)?,
            })
        })
        .collect()
}
