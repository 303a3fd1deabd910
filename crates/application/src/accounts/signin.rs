//! Getting a session: registering a new account or logging in to an existing one.

use confab_domain::UserId;

use super::input::{parse_login, parse_register};
use super::{AccountService, LoginError, LoginInput, RegisterError, RegisterInput, SignedIn};
use crate::error::InternalError;
use crate::ports::{NewUser, UserWriteError};

impl AccountService {
    /// Creates an account, signs it in on a new session and returns it with tokens.
    ///
    /// # Errors
    /// [`RegisterError::Validation`] listing every bad field; `UsernameTaken` /
    /// `EmailTaken` when another account holds them; `Internal` otherwise.
    #[tracing::instrument(skip(self, input), fields(username = %input.username))]
    pub async fn register(&self, input: RegisterInput) -> Result<SignedIn, RegisterError> {
        let account = parse_register(input)?;
        let password_hash = self.hasher.hash(&account.password).await?;
        let user = self
            .users
            .insert(NewUser {
                id: UserId::generate(),
                username: account.username,
                email: account.email,
                password_hash,
                display_name: account.display_name,
                now: self.clock.now(),
            })
            .await
            .map_err(|error| match error {
                UserWriteError::UsernameTaken => RegisterError::UsernameTaken,
                UserWriteError::EmailTaken => RegisterError::EmailTaken,
                UserWriteError::NotFound => {
                    InternalError::Inconsistent("insert reported a missing user").into()
                }
                UserWriteError::Storage(error) => error.into(),
            })?;
        tracing::info!(user_id = %user.id, "account registered");
        if let Some(email) = &self.verification
            && let Err(error) = email.mail_verification(&user).await
        {
            // The account stands; `POST /auth/email/verify` sends another link.
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "queuing the verification mail failed"
            );
        }
        Ok(self.start_session(user, account.device_name).await?)
    }

    /// Checks a username or email and password and opens a new session.
    ///
    /// Unknown accounts, wrong passwords and passwords no account could have all
    /// cost one full hash verification and end in the same error.
    ///
    /// # Errors
    /// [`LoginError::Validation`] for an empty, over-long or control-character `login`
    /// or a bad `device_name`;
    /// [`LoginError::InvalidCredentials`] for anything wrong with the credentials;
    /// `Internal` otherwise.
    #[tracing::instrument(skip(self, input))]
    pub async fn login(&self, input: LoginInput) -> Result<SignedIn, LoginError> {
        let attempt = parse_login(input)?;
        let stored = self.users.find_credentials(attempt.login.as_str()).await?;
        let Some(password) = attempt.password else {
            self.burn_verification().await?;
            return Err(LoginError::InvalidCredentials);
        };
        let matches = self
            .hasher
            .verify(&password, stored.as_ref().map(|s| &s.password_hash))
            .await?;
        match stored {
            Some(stored) if matches => {
                tracing::info!(user_id = %stored.user.id, "logged in");
                Ok(self.start_session(stored.user, attempt.device_name).await?)
            }
            _ => Err(LoginError::InvalidCredentials),
        }
    }
}
