//! actix-session's storage backend on our own database, so sessions survive restarts, can be
//! ended server-side (logout, password reset, disabled account) and work on both backends.

use crate::db::{self, sessions, Pool};
use crate::domain::Clock;
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use actix_web::web;
use rand::distributions::{Alphanumeric, DistString};
use std::collections::HashMap;

/// The session-state entry that holds the signed-in user's id.
pub const USER_ID: &str = "user_id";

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
    clock: Clock,
}

impl DbSessionStore {
    pub fn new(pool: Pool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    fn expiry(&self, ttl: &Duration) -> chrono::NaiveDateTime {
        self.clock.now() + chrono::Duration::seconds(ttl.whole_seconds())
    }

    async fn run<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut db::DbConn) -> anyhow::Result<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }
}

fn hash_key(key: &SessionKey) -> String {
    crate::domain::sha256_hex(key.as_ref())
}

fn user_of(state: &HashMap<String, String>) -> Option<i32> {
    state
        .get(USER_ID)
        .and_then(|v| serde_json::from_str::<i32>(v).ok())
}

fn new_key() -> anyhow::Result<SessionKey> {
    let key = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 64);
    SessionKey::try_from(key).map_err(|e| anyhow::anyhow!("session key: {e}"))
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let key_hash = hash_key(session_key);
        let now = self.clock.now();
        let state = self
            .run(move |conn| Ok(sessions::load(conn, &key_hash, now)?))
            .await
            .map_err(LoadError::Other)?;
        state
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let json = serde_json::to_string(&session_state)
            .map_err(|e| SaveError::Serialization(e.into()))?;
        let key = new_key().map_err(SaveError::Other)?;
        let key_hash = hash_key(&key);
        let user_id = user_of(&session_state);
        let expires_at = self.expiry(ttl);
        self.run(move |conn| {
            Ok(sessions::insert(
                conn, &key_hash, user_id, &json, expires_at,
            )?)
        })
        .await
        .map_err(SaveError::Other)?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let json = serde_json::to_string(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        let key_hash = hash_key(&session_key);
        let user_id = user_of(&session_state);
        let expires_at = self.expiry(ttl);
        let updated = self
            .run(move |conn| {
                Ok(sessions::update(
                    conn, &key_hash, user_id, &json, expires_at,
                )?)
            })
            .await
            .map_err(UpdateError::Other)?;
        if updated {
            Ok(session_key)
        } else {
            // The session was ended meanwhile: start a fresh one rather than revive the old key.
            self.save(session_state, ttl).await.map_err(|e| match e {
                SaveError::Serialization(e) => UpdateError::Serialization(e),
                SaveError::Other(e) => UpdateError::Other(e),
            })
        }
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        let key_hash = hash_key(session_key);
        let expires_at = self.expiry(ttl);
        self.run(move |conn| Ok(sessions::extend(conn, &key_hash, expires_at)?))
            .await
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        let key_hash = hash_key(session_key);
        self.run(move |conn| Ok(sessions::delete(conn, &key_hash)?))
            .await
    }
}
