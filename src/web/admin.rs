//! The administrator's pages: staff accounts (officers, managers, administrators) with their
//! area scope, and disabling or re-enabling any account. A new staff member receives an e-mail
//! link to choose their own password; the administrator never knows it.

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, NoFields, Posted};
use super::officer::Choice;
use super::routes::{Routes, ADMIN};
use crate::db::{geography, users};
use crate::domain::{AreaScope, Email, Role};
use crate::error::AppError;
use crate::services::staff::{self, Created, NewStaff};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/admin/users", ADMIN, list)
        .post("/admin/users", ADMIN, create)
        .get("/admin/users/new", ADMIN, new)
        .post("/admin/users/{id}/disable", ADMIN, disable)
        .post("/admin/users/{id}/enable", ADMIN, enable);
}

pub struct UserLine {
    pub id: i32,
    pub name: String,
    pub login: String,
    pub role: String,
    pub scope: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<UserLine>,
    query: String,
    me: i32,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

pub async fn list(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let me = ctx.admin()?.id;
    let text = query.q.clone().unwrap_or_default().trim().to_owned();
    let tr = ctx.tr;
    let rows = {
        let text = text.clone();
        ctx.db(move |conn| {
            let rows = if text.is_empty() {
                users::list_staff(conn)?
            } else {
                let key = crate::domain::NationalId::parse(&text)
                    .map(|id| id.as_str().to_owned())
                    .unwrap_or_else(|_| text.to_lowercase());
                users::find_by_login(conn, &key)?.into_iter().collect()
            };
            let mut lines = Vec::new();
            for row in rows {
                // Farmers and administrators have no area.
                let scope = if matches!(row.role, Role::Farmer | Role::Admin) {
                    String::new()
                } else {
                    let scope = AreaScope::from_codes(
                        row.scope_province_code.as_deref(),
                        row.scope_amphoe_code.as_deref(),
                    );
                    super::officer::scope_name(conn, &tr, &scope)?
                };
                lines.push(UserLine {
                    id: row.id,
                    name: row.display_name.clone(),
                    // A farmer's national ID is shown masked, as everywhere it is not needed.
                    login: row
                        .email
                        .clone()
                        .or_else(|| {
                            row.national_id
                                .as_deref()
                                .map(crate::domain::NationalId::mask_stored)
                        })
                        .unwrap_or_default(),
                    role: tr.t(row.role.label_key()).to_owned(),
                    scope,
                    disabled: row.disabled_at.is_some(),
                });
            }
            Ok(lines)
        })
        .await?
    };
    render(&UsersPage {
        ctx,
        users: rows,
        query: text,
        me,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StaffForm {
    role: String,
    display_name: String,
    email: String,
    province_code: String,
    amphoe_code: String,
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct StaffFormPage {
    ctx: Ctx,
    form: StaffForm,
    errors: FieldErrors,
    roles: Vec<Choice>,
    provinces: Vec<Choice>,
}

async fn form_page(
    ctx: Ctx,
    form: StaffForm,
    errors: FieldErrors,
) -> Result<StaffFormPage, AppError> {
    let provinces = ctx.db(|conn| Ok(geography::provinces(conn)?)).await?;
    let tr = ctx.tr;
    Ok(StaffFormPage {
        roles: super::officer::choices(
            &tr,
            &[Role::Officer, Role::Manager, Role::Admin],
            Role::code,
            Role::label_key,
            &form.role,
        ),
        provinces: super::officer::province_choices(&tr, &provinces, &form.province_code),
        ctx,
        form,
        errors,
    })
}

pub async fn new(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.admin()?;
    let page = form_page(ctx, StaffForm::default(), FieldErrors::default()).await?;
    render(&page)
}

fn parse_staff(form: &StaffForm) -> Result<NewStaff, FieldErrors> {
    let mut errors = FieldErrors::default();
    let role = errors
        .check("role", Role::parse(&form.role))
        .filter(|r| *r != Role::Farmer);
    if role.is_none() && errors.get("role").is_none() {
        errors.add("role", "error.choice");
    }
    let name = form.display_name.trim();
    if name.is_empty() {
        errors.add("display_name", "error.required");
    }
    let email = errors.check("email", Email::parse(&form.email));
    let province = Some(form.province_code.trim().to_owned()).filter(|c| !c.is_empty());
    let amphoe = Some(form.amphoe_code.trim().to_owned()).filter(|c| !c.is_empty());
    if role == Some(Role::Officer) && province.is_none() {
        errors.add("province_code", "admin.error.officer_needs_area");
    }
    if let (Some(p), Some(a)) = (&province, &amphoe) {
        if !a.starts_with(p.as_str()) || a.len() != 4 {
            errors.add("amphoe_code", "admin.error.amphoe_outside_province");
        }
    }
    match (role, email) {
        (Some(role), Some(email)) if errors.is_empty() => Ok(NewStaff {
            role,
            name: name.to_owned(),
            email,
            // Administrators work nationally; an area on their account would mean nothing.
            province: province.filter(|_| role != Role::Admin),
            amphoe: amphoe.filter(|_| role != Role::Admin),
        }),
        _ => Err(errors),
    }
}

pub async fn create(ctx: Ctx, Posted(form): Posted<StaffForm>) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let admin = ctx.admin()?.clone();
    let new_staff = match parse_staff(&form) {
        Ok(staff) => staff,
        Err(errors) => return render_invalid(&form_page(ctx, form, errors).await?),
    };
    // No one knows this password: the new colleague chooses theirs through the e-mailed link.
    let placeholder = staff::placeholder_password();
    let hash = web::block(move || placeholder.hash()).await?;
    let (tr, public_url) = (ctx.tr, ctx.state.public_url.clone());
    let actor = admin.actor();
    let outcome = ctx
        .db(move |conn| {
            Ok(staff::invite(
                conn,
                tr,
                &actor,
                &new_staff,
                &hash,
                &public_url,
                now,
            )?)
        })
        .await?;
    let mut errors = FieldErrors::default();
    match outcome {
        Created::Yes => {
            ctx.state.mail_wake.notify_one();
            Ok(redirect("/admin/users"))
        }
        Created::EmailTaken => {
            errors.add("email", "error.email.taken");
            render_invalid(&form_page(ctx, form, errors).await?)
        }
        Created::UnknownAmphoe => {
            errors.add("amphoe_code", "admin.error.amphoe_outside_province");
            render_invalid(&form_page(ctx, form, errors).await?)
        }
    }
}

async fn set_disabled(ctx: Ctx, id: i32, disabled: bool) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let admin = ctx.admin()?.clone();
    if admin.id == id {
        // Locking oneself out leaves no one to undo it.
        return Err(AppError::NotFound);
    }
    let actor = admin.actor();
    let found = ctx
        .db(move |conn| Ok(staff::set_disabled(conn, &actor, id, disabled, now)?))
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(redirect("/admin/users"))
}

pub async fn disable(
    ctx: Ctx,
    path: web::Path<i32>,
    _: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_disabled(ctx, path.into_inner(), true).await
}

pub async fn enable(
    ctx: Ctx,
    path: web::Path<i32>,
    _: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_disabled(ctx, path.into_inner(), false).await
}
