//! poem-openapi's schemas (OpenAPI 3.0 dialect) turned into the AsyncAPI 3.0 schema
//! dialect, which is JSON Schema draft 7 plus a few keywords: `nullable: true`
//! becomes a `null` type (or an `anyOf` with `null` around a reference), `example`
//! becomes `examples`, the discriminator object becomes its property name, and the
//! boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric bounds.
//!
//! Only schema positions are walked (properties, items, compositions), so an example
//! value that happens to hold a key such as `nullable` is left as it is.

use serde_json::{Map, Value, json};

/// `schema` in the AsyncAPI (JSON Schema draft 7) dialect.
pub(super) fn convert(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for value in properties.values_mut() {
            *value = convert(value.take());
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(value) = map.get_mut(key).filter(|v| v.is_object()) {
            *value = convert(value.take());
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            for value in list.iter_mut() {
                *value = convert(value.take());
            }
        }
    }
    if let Some(example) = map.remove("example") {
        map.insert("examples".to_owned(), json!([example]));
    }
    if let Some(discriminator) = map.remove("discriminator")
        && let Some(name) = discriminator.get("propertyName")
    {
        map.insert("discriminator".to_owned(), name.clone());
    }
    exclusive_bound(&mut map, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut map, "exclusiveMaximum", "maximum");
    if map.remove("nullable") == Some(Value::Bool(true)) {
        return nullable(map);
    }
    Value::Object(map)
}

/// OpenAPI 3.0's `{minimum: n, exclusiveMinimum: true}` is draft 7's `{exclusiveMinimum: n}`.
fn exclusive_bound(map: &mut Map<String, Value>, flag: &str, bound: &str) {
    match map.get(flag) {
        Some(Value::Bool(true)) => {
            map.remove(flag);
            if let Some(value) = map.remove(bound) {
                map.insert(flag.to_owned(), value);
            }
        }
        Some(Value::Bool(false)) => {
            map.remove(flag);
        }
        _ => {}
    }
}

/// `map` also admitting `null`.
fn nullable(mut map: Map<String, Value>) -> Value {
    if let Some(Value::String(ty)) = map.get("type") {
        let ty = ty.clone();
        map.insert("type".to_owned(), json!([ty, "null"]));
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            values.push(Value::Null);
        }
        return Value::Object(map);
    }
    // A reference (or a composition) described here: the annotations stay outside,
    // the rest becomes one branch of an `anyOf` with `null`.
    let mut outer = Map::new();
    for key in [
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
    ] {
        if let Some(value) = map.remove(key) {
            outer.insert(key.to_owned(), value);
        }
    }
    let inner = match map.get("allOf") {
        Some(Value::Array(list)) if list.len() == 1 && map.len() == 1 => list[0].clone(),
        _ => Value::Object(map),
    };
    outer.insert("anyOf".to_owned(), json!([inner, {"type": "null"}]));
    Value::Object(outer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_types_admit_null() {
        assert_eq!(
            convert(json!({"type": "string", "format": "uuid", "nullable": true})),
            json!({"type": ["string", "null"], "format": "uuid"})
        );
        assert_eq!(
            convert(json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn a_nullable_reference_becomes_an_any_of_with_null() {
        let role = json!({"$ref": "#/components/schemas/MemberRole"});
        assert_eq!(
            convert(json!({"description": "The role.", "nullable": true, "allOf": [role]})),
            json!({"description": "The role.", "anyOf": [role, {"type": "null"}]})
        );
    }

    #[test]
    fn nested_schemas_are_converted_and_examples_are_not() {
        let converted = convert(json!({
            "type": "object",
            "properties": {
                "a": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
                "b": {"type": "array", "items": {"type": "string", "nullable": true}},
                "c": {"type": "string", "example": {"nullable": true}},
            },
            "oneOf": [{"type": "object", "example": 1}],
            "discriminator": {"propertyName": "type", "mapping": {"x": "#/X"}},
        }));
        assert_eq!(
            converted,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "exclusiveMinimum": 0},
                    "b": {"type": "array", "items": {"type": ["string", "null"]}},
                    "c": {"type": "string", "examples": [{"nullable": true}]},
                },
                "oneOf": [{"type": "object", "examples": [1]}],
                "discriminator": "type",
            })
        );
    }
}
