//! The table of every page route and who may use it. A route can only be registered with its
//! access, and `tests/access.rs` walks the whole table with every role, so a new route cannot
//! go unchecked. The handlers enforce the access (they need the signed-in user anyway); the
//! table says what they must enforce. The partner API at `/api/v1` has its own table: its
//! OpenAPI document.

use crate::domain::Role;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Responder};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in, whatever their role.
    SignedIn,
    /// Signed-in users of these roles; anyone else signed in is told "not found".
    Only(&'static [Role]),
}

pub const FARMER: Access = Access::Only(&[Role::Farmer]);
/// Officers and managers, who work with the households of their area.
pub const STAFF: Access = Access::Only(&[Role::Officer, Role::Manager]);
pub const OFFICER: Access = Access::Only(&[Role::Officer]);
pub const MANAGER: Access = Access::Only(&[Role::Manager]);
pub const ADMIN: Access = Access::Only(&[Role::Admin]);

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Only(roles), Some(role)) => roles.contains(&role),
        }
    }
}

/// One registered route.
#[derive(Clone, Debug)]
pub struct RouteEntry {
    pub method: Method,
    /// As registered, with `{name}` for each part taken from the path.
    pub path: String,
    pub access: Access,
}

/// Registers routes into the server, or only lists them (for `table`).
pub struct Routes<'a> {
    server: Option<&'a mut web::ServiceConfig>,
    listed: Vec<RouteEntry>,
}

impl Routes<'_> {
    pub fn get<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, access, || web::get().to(handler))
    }

    pub fn post<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, access, || web::post().to(handler))
    }

    fn add(
        &mut self,
        method: Method,
        path: &str,
        access: Access,
        route: impl FnOnce() -> actix_web::Route,
    ) -> &mut Self {
        if let Some(server) = self.server.as_deref_mut() {
            server.route(path, route());
        }
        self.listed.push(RouteEntry {
            method,
            path: path.to_owned(),
            access,
        });
        self
    }
}

/// Registers every page route.
pub fn register(server: &mut web::ServiceConfig) {
    super::page_routes(&mut Routes {
        server: Some(server),
        listed: Vec::new(),
    });
}

/// Every page route, in the order registered.
pub fn table() -> Vec<RouteEntry> {
    let mut routes = Routes {
        server: None,
        listed: Vec::new(),
    };
    super::page_routes(&mut routes);
    routes.listed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_route_is_registered_twice() {
        let table = table();
        for (n, route) in table.iter().enumerate() {
            assert!(
                !table[..n]
                    .iter()
                    .any(|earlier| earlier.method == route.method && earlier.path == route.path),
                "{} {} twice",
                route.method,
                route.path
            );
        }
        assert!(table.len() > 50, "{} routes", table.len());
    }

    #[test]
    fn a_role_list_admits_only_its_roles_and_never_the_anonymous() {
        assert!(STAFF.allows(Some(Role::Manager)));
        assert!(!STAFF.allows(Some(Role::Farmer)));
        assert!(!STAFF.allows(None));
        assert!(!Access::SignedIn.allows(None));
        assert!(Access::SignedIn.allows(Some(Role::Admin)));
        assert!(Access::Public.allows(None));
    }
}
