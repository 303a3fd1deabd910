//! The OpenAPI document as served: poem-openapi's output, finished with what its
//! derive macros cannot state. Public operations get `security: []` (an explicit
//! "no authentication", which linters and generators read, rather than a missing
//! key); an empty `servers` list is left out (clients then use the origin the
//! document came from); and a nullable reference (`{nullable, allOf: [{$ref}]}`)
//! becomes `{nullable, oneOf: [{$ref}]}`: openapi-python-client reads that as
//! "the schema or null", while beside an `allOf`, or beside a `type`, it drops
//! `nullable` and then fails on the `null` the server sends. Redocly's
//! `nullable-type-sibling` rule wants a `type` there; `.ci/spec-lint.sh` reports it
//! as a warning, since working clients matter more.
//!
//! Each operation's error responses come from its use case's error type
//! (`error::Refused`); here the ones the edge adds before a handler runs are added
//! from the operation's shape: a request body can be malformed (`400
//! invalid_json`), too large, of the wrong type, late, or have refused fields
//! (`422`); a parameter can be refused (`400 validation_failed`); a protected
//! route can lack a token (`401`). `default` names what any request can meet
//! before it reaches a route.

use serde_json::{Map, Value, json};

use crate::error::{ErrorCode, describe};

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
            paths.values_mut().for_each(add_edge_errors);
        }
        let types = schema_types(root);
        if let Some(schemas) = root
            .get_mut("components")
            .and_then(|components| components.get_mut("schemas"))
        {
            type_nullable_references(schemas, &types);
            if let Some(schemas) = schemas.as_object_mut() {
                give_unions_examples(schemas);
            }
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

/// The document as Swagger UI shows it: only the `http` (bearer) scheme. The
/// query-string token exists for browsers opening the WebSocket, which Swagger UI
/// cannot; offered in its "Authorize" dialog it would only confuse. `spec` is
/// returned unchanged if it is not JSON.
pub fn for_swagger(spec: &str) -> String {
    let Ok(mut document) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    let Some(schemes) = document
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    else {
        return spec.to_owned();
    };
    let hidden: Vec<String> = schemes
        .iter()
        .filter(|(_, scheme)| scheme["type"] != "http")
        .map(|(name, _)| name.clone())
        .collect();
    schemes.retain(|name, _| !hidden.contains(name));
    let operations = document
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    for operation in operations {
        if let Some(requirements) = operation.get_mut("security").and_then(Value::as_array_mut) {
            requirements.retain(|requirement| {
                requirement
                    .as_object()
                    .is_none_or(|names| !names.keys().any(|name| hidden.contains(name)))
            });
        }
    }
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| spec.to_owned())
}

/// What any request can meet before it reaches a route (`default`).
const BEFORE_ANY_ROUTE: &str = "Before any route runs, any request can be refused: 400 `bad_request` \
     (bytes that are not HTTP/1.1), 408 `request_timeout` (a head or body too slow), 414 \
     `uri_too_long`, 431 `headers_too_large`.";

/// Adds to each operation of `path_item` the errors the edge answers for its shape.
fn add_edge_errors(path_item: &mut Value) {
    let Some(operations) = path_item.as_object_mut() else {
        return;
    };
    for operation in operations.values_mut().filter_map(Value::as_object_mut) {
        let has_body = operation.contains_key("requestBody");
        let has_parameters = operation
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|parameters| !parameters.is_empty());
        let protected = operation
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|schemes| !schemes.is_empty());
        let mut codes = Vec::new();
        if has_body {
            codes.extend([
                ErrorCode::InvalidJson,
                ErrorCode::ValidationFailed,
                ErrorCode::RequestTimeout,
                ErrorCode::PayloadTooLarge,
                ErrorCode::UnsupportedMediaType,
            ]);
        }
        if protected {
            codes.push(ErrorCode::Unauthorized);
        }
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for code in codes {
            add_code(responses, code.parts().0.as_u16(), code);
        }
        if has_parameters {
            add_code(responses, 400, ErrorCode::ValidationFailed);
        }
        responses.insert(
            "default".to_owned(),
            json!({
                "description": BEFORE_ANY_ROUTE,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }),
        );
    }
}

/// Documents `code` under `status` in `responses`, unless it already is.
fn add_code(responses: &mut Map<String, Value>, status: u16, code: ErrorCode) {
    let entry = responses.entry(status.to_string()).or_insert_with(|| {
        json!({
            "description": "",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        })
    });
    let (_, wire, _) = code.parts();
    let description = entry["description"].as_str().unwrap_or_default();
    if description.contains(&format!("`{wire}`")) {
        return;
    }
    let added = describe(&[code]);
    entry["description"] = Value::String(if description.is_empty() {
        added
    } else {
        format!("{description} {added}")
    });
}

/// The `type` of every component schema that has one, by name.
fn schema_types(root: &Map<String, Value>) -> Map<String, Value> {
    root.get("components")
        .and_then(|components| components.get("schemas"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| Some((name.clone(), schema.get("type")?.clone())))
        .collect()
}

/// Makes the `allOf` of each nullable schema under `value` that has no `type` and
/// names one component schema a `oneOf` (the same for one schema, and read as
/// nullable by generators).
fn type_nullable_references(value: &mut Value, types: &Map<String, Value>) {
    match value {
        Value::Object(object) => {
            let referenced_type = || {
                let [only] = object.get("allOf")?.as_array()?.as_slice() else {
                    return None;
                };
                let name = only.get("$ref")?.as_str()?;
                types
                    .get(name.strip_prefix("#/components/schemas/")?)
                    .cloned()
            };
            let untyped_nullable =
                object.get("nullable") == Some(&Value::Bool(true)) && !object.contains_key("type");
            if untyped_nullable
                && referenced_type().is_some()
                && let Some(reference) = object.remove("allOf")
            {
                object.insert("oneOf".to_owned(), reference);
            }
            object
                .values_mut()
                .for_each(|child| type_nullable_references(child, types));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|child| type_nullable_references(child, types)),
        _ => {}
    }
}

/// Gives each discriminated union (`oneOf` + `discriminator`) without an example
/// its first variant's: the discriminator value and that variant object's example.
/// poem-openapi's unions take no example, and Swagger UI's "Try it out" and the
/// spec's own example test need one that succeeds as sent.
fn give_unions_examples(schemas: &mut Map<String, Value>) {
    let examples: Vec<(String, Value)> = schemas
        .iter()
        .filter(|(_, schema)| {
            schema.get("discriminator").is_some() && schema.get("example").is_none()
        })
        .filter_map(|(name, schema)| {
            let first = schema.get("oneOf")?.get(0)?.get("$ref")?.as_str()?;
            Some((name.clone(), variant_example(schemas, first)?))
        })
        .collect();
    for (name, example) in examples {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            schema.insert("example".to_owned(), example);
        }
    }
    drop_repeated_variant_descriptions(schemas);
}

/// poem-openapi gives each variant wrapper of a union the union's description; said
/// once, on the union, it is not repeated on every generated variant type.
fn drop_repeated_variant_descriptions(schemas: &mut Map<String, Value>) {
    let repeated: Vec<(String, Value)> = schemas
        .values()
        .filter(|schema| schema.get("discriminator").is_some())
        .filter_map(|schema| {
            let description = schema.get("description")?.clone();
            let variants = schema.get("oneOf")?.as_array()?;
            Some(variants.iter().filter_map(move |variant| {
                let name = variant
                    .get("$ref")?
                    .as_str()?
                    .strip_prefix("#/components/schemas/")?;
                Some((name.to_owned(), description.clone()))
            }))
        })
        .flatten()
        .collect();
    for (name, description) in repeated {
        if let Some(variant) = schemas.get_mut(&name).and_then(Value::as_object_mut)
            && variant.get("description") == Some(&description)
        {
            variant.remove("description");
        }
    }
}

/// The example of the union variant `reference` names (`allOf` of the
/// discriminator property, whose example is its value, and the variant object);
/// none when the variant object has no example of its own.
fn variant_example(schemas: &Map<String, Value>, reference: &str) -> Option<Value> {
    let component = |reference: &str| schemas.get(reference.strip_prefix("#/components/schemas/")?);
    let mut example = Map::new();
    let mut variant_has_one = false;
    for part in component(reference)?.get("allOf")?.as_array()? {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(inner) => component(inner)?,
            None => part,
        };
        if let Some(Value::Object(whole)) = part.get("example") {
            example.extend(whole.clone());
            variant_has_one = true;
        }
        for (property, schema) in part
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(value) = schema.get("example") {
                example.insert(property.clone(), value.clone());
            }
        }
    }
    variant_has_one.then_some(Value::Object(example))
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

    #[test]
    fn swagger_ui_is_offered_the_bearer_scheme_only() {
        let spec = r#"{"components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "access_token": {"type": "apiKey", "in": "query", "name": "access_token"}}},
            "paths": {"/ws": {"get": {"security": [{"bearer": []}, {"access_token": []}]}},
                      "/me": {"get": {"security": [{"bearer": []}]}}}}"#;
        let shown: Value = serde_json::from_str(&for_swagger(spec)).expect("json");
        let schemes = shown["components"]["securitySchemes"]
            .as_object()
            .expect("schemes");
        assert_eq!(schemes.keys().collect::<Vec<_>>(), ["bearer"]);
        assert_eq!(
            shown["paths"]["/ws"]["get"]["security"],
            serde_json::json!([{"bearer": []}])
        );
        assert_eq!(
            shown["paths"]["/me"]["get"]["security"],
            serde_json::json!([{"bearer": []}])
        );
    }

    #[test]
    fn a_nullable_reference_is_a_one_of_without_a_type() {
        let raw = r##"{"components": {"schemas": {
            "Role": {"type": "string", "enum": ["a"]},
            "Thing": {"type": "object", "properties": {
                "role": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Role"}]},
                "kept": {"allOf": [{"$ref": "#/components/schemas/Role"}]}}}}}}"##;
        let finished: Value = serde_json::from_str(&finish(raw)).expect("json");
        let properties = &finished["components"]["schemas"]["Thing"]["properties"];
        assert!(properties["role"].get("type").is_none(), "{properties}");
        assert_eq!(
            properties["role"]["oneOf"][0]["$ref"],
            "#/components/schemas/Role"
        );
        assert!(properties["role"].get("allOf").is_none(), "{properties}");
        assert!(properties["kept"].get("type").is_none(), "{properties}");
    }
}
