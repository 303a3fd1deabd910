//! Numbers and path ids whose documented schema carries their limits (`minimum`,
//! `maximum`, `format: uuid`) while parsing accepts any value of the JSON type: the
//! service checks the limits itself and names the refused field, so clients get
//! `errors[].field` and the spec still tells generators and fuzzers what is valid.
//! (Text fields are in [`super::text`].)

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;
use uuid::Uuid;

/// An integer documented as lying in `MIN..=MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundedInt<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Type for BoundedInt<MIN, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("integer_int64_{MIN}_{MAX}").into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("integer", "int64");
        schema.minimum = Some(bound(MIN));
        schema.maximum = (MAX != i64::MAX).then(|| bound(MAX));
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

// Bounds are small integers (seconds, page sizes, seqs); `f64` holds them exactly.
#[allow(clippy::cast_precision_loss)]
fn bound(value: i64) -> f64 {
    value as f64
}

impl<const MIN: i64, const MAX: i64> ParseFromJSON for BoundedInt<MIN, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::Number(n) => n
                .as_i64()
                .map(Self)
                .ok_or_else(|| ParseError::custom("expected a whole number")),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MIN: i64, const MAX: i64> BoundedInt<MIN, MAX> {
    /// What text that is no 64-bit whole number reads as: a value below every
    /// documented range, so the service refuses it with the parameter's rule ("must
    /// be a whole number from 1 to 100") as it would any number outside it.
    const NOT_A_NUMBER: Self = Self(i64::MIN);
}

impl<const MIN: i64, const MAX: i64> ParseFromParameter for BoundedInt<MIN, MAX> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(value.parse().map_or(Self::NOT_A_NUMBER, Self))
    }
}

impl<const MIN: i64, const MAX: i64> ToJSON for BoundedInt<MIN, MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::from(self.0))
    }
}

/// A path id of type `T` (`ChatId`, `UserId`, …), a UUID. Text that is not one is a
/// refused path parameter (`400 validation_failed` naming it, as every refused
/// parameter); a UUID that names nothing gets the route's 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathId<T>(pub T);

impl<T: Copy> PathId<T> {
    /// The typed id.
    pub const fn id(&self) -> T {
        self.0
    }
}

impl<T: From<Uuid> + Send + Sync + 'static> Type for PathId<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_uuid".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "uuid")))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<T: From<Uuid> + Send + Sync + 'static> ParseFromParameter for PathId<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Uuid::parse_str(value)
            .map(|id| Self(T::from(id)))
            .map_err(|_| ParseError::custom("is not a UUID"))
    }
}

/// The number inside an optional bounded parameter, for the service to check.
pub fn raw<const MIN: i64, const MAX: i64>(value: Option<BoundedInt<MIN, MAX>>) -> Option<i64> {
    value.map(|v| v.0)
}

/// A page size: 1..=100 (default 50).
pub type Limit = BoundedInt<1, 100>;
/// A seq: 0 or more.
pub type SeqNumber = BoundedInt<0, { i64::MAX }>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_carry_the_limits_but_parsing_is_lenient() {
        let MetaSchemaRef::Inline(schema) = Limit::schema_ref() else {
            panic!("inline schema");
        };
        assert_eq!((schema.minimum, schema.maximum), (Some(1.0), Some(100.0)));
        assert_eq!(Limit::parse_from_parameter("0").map(|l| l.0).ok(), Some(0));
        for not_a_number in ["x", "1.5", "99999999999999999999", ""] {
            let parsed = Limit::parse_from_parameter(not_a_number).map(|l| l.0).ok();
            assert_eq!(parsed, Some(i64::MIN), "{not_a_number}");
        }
    }

    #[test]
    fn path_ids_parse_typed_and_a_malformed_one_is_refused() {
        let chat = confab_domain::ChatId::generate();
        let parsed = PathId::<confab_domain::ChatId>::parse_from_parameter(&chat.to_string());
        assert_eq!(parsed.ok().map(|p| p.id()), Some(chat));
        let malformed = PathId::<confab_domain::ChatId>::parse_from_parameter("not-a-uuid");
        assert!(malformed.is_err());
    }
}
