//! The OpenAPI document as served: poem-openapi's output, finished with what its
//! derive macros cannot state. Public operations get `security: []` (an explicit
//! "no authentication", which linters and generators read, rather than a missing
//! key), and an empty `servers` list is left out (clients then use the origin the
//! document came from).

use serde_json::{Map, Value};

/// `raw` (poem-openapi's document) finished; `raw` unchanged if it is not JSON,
/// which would be a poem-openapi bug rather than anything a client can cause.
pub fn finish(raw: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(raw) else {
        return raw.to_owned();
    };
    if let Some(root) = document.as_object_mut() {
        drop_empty_servers(root);
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            paths.values_mut().for_each(mark_public_operations);
        }
    }
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| raw.to_owned())
}

fn drop_empty_servers(root: &mut Map<String, Value>) {
    if root
        .get("servers")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        root.remove("servers");
    }
}

/// Gives every operation of `path_item` without a security requirement an empty one.
fn mark_public_operations(path_item: &mut Value) {
    let Some(operations) = path_item.as_object_mut() else {
        return;
    };
    for operation in operations.values_mut().filter_map(Value::as_object_mut) {
        operation
            .entry("security")
            .or_insert_with(|| Value::Array(Vec::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_operations_say_so_and_protected_ones_keep_their_scheme() {
        let raw = r#"{"servers": [], "paths": {"/a": {
            "get": {"responses": {}},
            "post": {"responses": {}, "security": [{"bearer": []}]}}}}"#;
        let finished: Value = serde_json::from_str(&finish(raw)).expect("json");
        assert_eq!(
            finished["paths"]["/a"]["get"]["security"],
            serde_json::json!([])
        );
        assert_eq!(
            finished["paths"]["/a"]["post"]["security"],
            serde_json::json!([{"bearer": []}])
        );
        assert!(finished.get("servers").is_none());
    }
}
