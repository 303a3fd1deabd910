//! Getting a session: registering a new account or logging in to an existing one.

use confab_domain::UserId;

use super::input::{parse_login, parse_register};
use super::{
    AccountService, LoginError, LoginInput, RegisterError, RegisterInput, RegistrationPolicy,
    SignedIn,
};
use crate::error::InternalError;
use crate::ports::{InvitedInsertError, NewUser, UserWriteError};

/// The register outcome of a refused account write.
fn register_error(error: UserWriteError) -> RegisterError {
    match error {
        UserWriteError::UsernameTaken => RegisterError::UsernameTaken,
        UserWriteError::EmailTaken => RegisterError::EmailTaken,
        UserWriteError::NotFound => {
            InternalError::Inconsistent("insert reported a missing user").into()
        }
        UserWriteError::Storage(error) => error.into(),
    }
}

impl AccountService {
    /// Creates an account, signs it in on a new session and returns it with tokens.
    ///
    /// # Errors
    /// As [`register_invited`](Self::register_invited) without an invite token.
    pub async fn register(&self, input: RegisterInput) -> Result<SignedIn, RegisterError> {
        self.register_invited(input, None).await
    }

    /// Creates an account under the registration policy, spending `invite_token`
    /// when the server is invite-only (a token is ignored on an open server), signs
    /// it in on a new session and returns it with tokens.
    ///
    /// # Errors
    /// [`RegisterError::RegistrationClosed`] on a closed server;
    /// [`RegisterError::InviteRequired`] on an invite-only server without a usable
    /// token (checked before anything else only when none is given);
    /// [`RegisterError::Validation`] listing every bad field; `UsernameTaken` /
    /// `EmailTaken` when another account holds them; `Internal` otherwise.
    #[tracing::instrument(skip(self, input, invite_token), fields(username = %input.username))]
    pub async fn register_invited(
        &self,
        input: RegisterInput,
        invite_token: Option<String>,
    ) -> Result<SignedIn, RegisterError> {
        match self.registration {
            RegistrationPolicy::Closed => return Err(RegisterError::RegistrationClosed),
            RegistrationPolicy::Invite if invite_token.is_none() => {
                return Err(RegisterError::InviteRequired);
            }
            RegistrationPolicy::Open | RegistrationPolicy::Invite => {}
        }
        let account = parse_register(input)?;
        let password_hash = self.hasher.hash(&account.password).await?;
        let new_user = NewUser {
            id: UserId::generate(),
            username: account.username,
            email: account.email,
            password_hash,
            display_name: account.display_name,
            now: self.clock.now(),
        };
        let user = match (self.registration, invite_token, &self.invites) {
            (RegistrationPolicy::Invite, Some(token), Some(invites)) => {
                let hash = self.tokens.hash_refresh_token(&token);
                invites
                    .insert_invited(new_user, &hash)
                    .await
                    .map_err(|error| match error {
                        InvitedInsertError::InviteUnusable => RegisterError::InviteRequired,
                        InvitedInsertError::User(error) => register_error(error),
                    })?
            }
            (RegistrationPolicy::Invite, _, _) => {
                return Err(InternalError::Inconsistent(
                    "invite-only registration without an invite store",
                )
                .into());
            }
            _ => self.users.insert(new_user).await.map_err(register_error)?,
        };
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
        // A brand-new account is never disabled.
        self.start_session(user, account.device_name)
            .await?
            .ok_or_else(|| InternalError::Inconsistent("a new account was disabled").into())
    }

    /// Checks a username or email and password and opens a new session.
    ///
    /// Unknown accounts, wrong passwords and passwords no account could have all
    /// cost one full hash verification and end in the same error. A disabled
    /// account is said to be one only to whoever knows its password.
    ///
    /// # Errors
    /// [`LoginError::Validation`] for an empty, over-long or control-character `login`
    /// or a bad `device_name`;
    /// [`LoginError::InvalidCredentials`] for anything wrong with the credentials;
    /// [`LoginError::AccountDisabled`] for the right credentials of a disabled account;
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
            Some(stored) if matches && stored.user.disabled_at.is_some() => {
                Err(LoginError::AccountDisabled)
            }
            Some(stored) if matches => {
                // The account may have been disabled since it was read: the session
                // store refuses then, under the account row's lock.
                let user_id = stored.user.id;
                let signed_in = self
                    .start_session(stored.user, attempt.device_name)
                    .await?
                    .ok_or(LoginError::AccountDisabled)?;
                tracing::info!(%user_id, "logged in");
                Ok(signed_in)
            }
            _ => Err(LoginError::InvalidCredentials),
        }
    }
}
