//! Turning raw register and login fields into domain values, gathering every refusal.

use confab_domain::{DeviceName, DisplayName, Email, LoginIdentifier, Password, Username};

use super::types::{LoginInput, RegisterInput};
use crate::error::ValidationErrors;

/// A registration whose every field is valid.
#[derive(Debug)]
pub(super) struct NewAccount {
    pub(super) username: Username,
    pub(super) email: Email,
    pub(super) password: Password,
    pub(super) display_name: Option<DisplayName>,
    pub(super) device_name: Option<DeviceName>,
}

/// A login attempt ready for the credential check.
#[derive(Debug)]
pub(super) struct LoginAttempt {
    /// The trimmed username or email.
    pub(super) login: LoginIdentifier,
    /// `None` when the password breaks the policy: such a password cannot match any
    /// stored hash, but saying so would reveal the policy, so it only fails the check.
    pub(super) password: Option<Password>,
    pub(super) device_name: Option<DeviceName>,
}

/// Checks every registration field, reporting all failures at once.
pub(super) fn parse_register(input: RegisterInput) -> Result<NewAccount, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let username = errors.check("username", Username::parse(input.username));
    let email = errors.check("email", Email::parse(input.email));
    let password = errors.check("password", Password::parse(input.password));
    let display_name = errors.check(
        "display_name",
        input.display_name.map(DisplayName::parse).transpose(),
    );
    let device_name = errors.check(
        "device_name",
        input.device_name.map(DeviceName::parse).transpose(),
    );
    errors.finish(|| {
        Some(NewAccount {
            username: username?,
            email: email?,
            password: password?,
            display_name: display_name?,
            device_name: device_name?,
        })
    })
}

/// Checks the shape of a login; only an empty, absurdly long or control-character
/// `login` or a bad `device_name` is refused here.
pub(super) fn parse_login(input: LoginInput) -> Result<LoginAttempt, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let login = errors.check("login", LoginIdentifier::parse(input.login));
    let device_name = errors.check(
        "device_name",
        input.device_name.map(DeviceName::parse).transpose(),
    );
    let password = Password::parse(input.password).ok();
    errors.finish(|| {
        Some(LoginAttempt {
            login: login?,
            password,
            device_name: device_name?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &ValidationErrors) -> Vec<&'static str> {
        errors.0.iter().map(|e| e.field).collect()
    }

    #[test]
    fn register_reports_every_bad_field_by_its_json_name() {
        let input = RegisterInput {
            username: "a!".into(),
            email: "nope".into(),
            password: "short".into(),
            display_name: Some("   ".into()),
            device_name: Some("d".repeat(65)),
        };
        let errors = parse_register(input).expect_err("all fields are bad");
        assert_eq!(
            fields(&errors),
            [
                "username",
                "email",
                "password",
                "display_name",
                "device_name"
            ]
        );
    }

    #[test]
    fn register_folds_the_username_and_keeps_optional_fields_optional() {
        let input = RegisterInput {
            username: "Alice_01".into(),
            email: "Alice@Example.com".into(),
            password: "correct horse".into(),
            display_name: None,
            device_name: Some("Phone".into()),
        };
        let account = parse_register(input).expect("valid");
        assert_eq!(account.username.as_str(), "alice_01");
        assert_eq!(account.email.as_str(), "Alice@Example.com");
        assert_eq!(account.display_name, None);
        assert_eq!(account.device_name.map(String::from), Some("Phone".into()));
    }

    #[test]
    fn login_never_reports_the_password_policy() {
        for password in ["", "short", &"x".repeat(129)] {
            let attempt = parse_login(LoginInput {
                login: "alice".into(),
                password: password.to_owned(),
                device_name: None,
            })
            .expect("a bad password is not a validation error");
            assert!(attempt.password.is_none());
        }
    }

    #[test]
    fn login_refuses_only_malformed_login_and_device_name() {
        let errors = parse_login(LoginInput {
            login: "   ".into(),
            password: "whatever1".into(),
            device_name: Some(String::new()),
        })
        .expect_err("empty login and device name");
        assert_eq!(fields(&errors), ["login", "device_name"]);
        let long = parse_login(LoginInput {
            login: "a".repeat(255),
            password: "whatever1".into(),
            device_name: None,
        });
        assert!(long.is_err());
        let ok = parse_login(LoginInput {
            login: "  Alice@Example.com ".into(),
            password: "whatever1".into(),
            device_name: None,
        })
        .expect("valid");
        assert_eq!(ok.login.as_str(), "Alice@Example.com");
        assert!(ok.password.is_some());
    }
}
