//! A loopback HTTP fake of the service's API v1, following ARCHITECTURE.md "The service's
//! API": X-User/X-Password on every request (401 otherwise), 403 for an organisation the
//! admin may not manage or a write by a read-only admin, `GET /me`, `GET /endpoints/{domain}`,
//! `GET /orgs/{d}` (licences, the LDAP sync), `GET /orgs/{d}/settings/azure`,
//! `GET /orgs/{partner}/orgs` (a partner admin's child organisations, as a bare list),
//! `GET/POST /orgs/{d}/users`, `GET/PUT/DELETE /orgs/{d}/users/{email}` (201/204/204, 404 for
//! an unknown account, 409 — or 400 — for a duplicate), all errors as
//! `{"errors":[{"status","error_message","identifier"}]}`, `X-Correlator` echoed.
//!
//! What the published description leaves open comes in two [`Mode`]s: lenient (PUT merges
//! the fields sent, `{"endpoints":[…]}`, no Azure settings) and strict (PUT replaces the whole
//! stored user, the bare endpoint list, Azure settings served). Either way renames can be
//! applied, ignored (204, old address kept) or refused (422), and an account can be changed
//! between the listing and the update, as a user editing their own settings would.
//!
//! Tests program faults (429 with or without Retry-After, 500, 403, hangs, a create that is
//! stored but answered too late, a write answered as done but not made), a latency per
//! request and the bare-list answer shape, and read back every request it received (method,
//! path, JSON body, headers without the password).
//!
//! Self-contained (axum, tokio, serde_json only) so a benchmark can include it with `#[path]`.
#![allow(dead_code)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub const DOMAIN: &str = "example.com";
pub const ADMIN: &str = "admin@example.com";
pub const PASSWORD: &str = "fake-Adm1n-pw";

/// One request as the fake received it. The password header is never recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub method: String,
    /// Percent-decoded, e.g. `/api/v1/orgs/example.com/users/a+b@example.com`.
    pub path: String,
    pub body: Option<Value>,
    pub headers: BTreeMap<String, String>,
    /// 0 while the request is still being answered.
    pub status: u16,
}

impl Recorded {
    /// `"POST /api/v1/orgs/example.com/users"`, for compact assertions.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// How the fake settles what the API's published description leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// PUT merges the fields sent into the stored user; `{"endpoints":[…]}`; no Azure settings (404).
    Lenient,
    /// PUT replaces the stored user with the body (only the read-only `uid` survives); the bare
    /// endpoint list of the published description; Azure settings served, sync off.
    Strict,
}

/// What a PUT that changes `primary_email` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renames {
    Apply,
    /// 204, every other field taken, the old address kept.
    Ignore,
    /// 422, nothing changed.
    Refuse,
}

#[derive(Clone, Debug)]
pub enum Fault {
    /// 403 with an error body; nothing is changed.
    Forbidden,
    /// A write answered as done (201/204) but not made.
    Swallow,
    /// 429, with this Retry-After value when given.
    TooMany { retry_after: Option<String> },
    /// 500 with an error body; nothing is changed.
    ServerError,
    /// Waits this long, then answers 504 without changing anything (set it beyond the
    /// client's timeout for a request that never gets an answer).
    Hang(Duration),
    /// Carries the request out, then waits this long before answering: the client times out
    /// although the change was made.
    ApplyThenHang(Duration),
}

#[derive(Clone, Debug)]
struct FaultRule {
    method: Option<Method>,
    path_contains: Option<String>,
    path_is: Option<String>,
    remaining: u32,
    fault: Fault,
}

#[derive(Clone, Debug)]
pub struct Admin {
    pub password: String,
    pub domains: Vec<String>,
    pub read_only: bool,
    pub kind: String,
    /// The partner organisation of a partner admin, whose children it may list and manage.
    pub partner: Option<String>,
}

struct Inner {
    base_url: String,
    admins: HashMap<String, Admin>,
    /// Organisation → lower-cased primary address → the stored user object.
    orgs: BTreeMap<String, BTreeMap<String, Value>>,
    /// Partner organisation → its child Organization objects.
    children: HashMap<String, Vec<Value>>,
    endpoints: HashMap<String, Vec<Value>>,
    mode: Mode,
    renames: Renames,
    /// Fields laid over each organisation's `GET /orgs/{d}` answer.
    org_facts: HashMap<String, Value>,
    /// `GET /orgs/{d}/settings/azure`: a document, `None` for 404; unset follows the mode.
    azure: HashMap<String, Option<Value>>,
    /// (organisation, address, fields): merged into the user once the next listing is answered.
    edits_after_listing: Vec<(String, String, Value)>,
    faults: Vec<FaultRule>,
    latency: Duration,
    bare_list: bool,
    duplicate_status: u16,
    log: Vec<Recorded>,
    next_uid: u64,
    in_flight: usize,
    max_in_flight: usize,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running fake. Dropping it stops the server.
pub struct FakeService {
    pub addr: std::net::SocketAddr,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeService {
    /// Organisation `example.com` with admin `admin@example.com` / [`PASSWORD`], no users, lenient.
    pub fn start() -> Self {
        Self::start_in(Mode::Lenient)
    }

    pub fn start_in(mode: Mode) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake service");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Shared(Arc::new(Mutex::new(Inner::new(format!("http://{addr}/api/v1"), mode))));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        std::thread::spawn(move || serve(listener, app, stopped));
        let fake = Self { addr, shared, stop: Some(stop) };
        fake.add_org(DOMAIN);
        fake.add_admin(ADMIN, PASSWORD, &[DOMAIN], false);
        fake
    }

    pub fn base_url(&self) -> String {
        self.shared.lock().base_url.clone()
    }

    pub fn add_org(&self, domain: &str) {
        self.shared.lock().orgs.entry(domain.to_lowercase()).or_default();
    }

    pub fn add_admin(&self, user: &str, password: &str, domains: &[&str], read_only: bool) {
        let admin = Admin {
            password: password.into(),
            domains: domains.iter().map(|d| d.to_lowercase()).collect(),
            read_only,
            kind: "organization_admin".into(),
            partner: None,
        };
        self.shared.lock().admins.insert(user.to_lowercase(), admin);
    }

    /// A partner organisation with these child organisations (Organization objects, each with
    /// `primary_domain`), and its admin, who may manage every child.
    pub fn add_partner(&self, partner: &str, user: &str, password: &str, children: Vec<Value>) {
        let partner = partner.to_lowercase();
        self.add_org(&partner);
        let mut domains = vec![partner.clone()];
        for child in &children {
            let domain = child["primary_domain"].as_str().expect("children need primary_domain").to_lowercase();
            self.add_org(&domain);
            domains.push(domain);
        }
        let admin = Admin {
            password: password.into(),
            domains,
            read_only: false,
            kind: "strategic_partner_admin".into(),
            partner: Some(partner.clone()),
        };
        let mut inner = self.shared.lock();
        inner.admins.insert(user.to_lowercase(), admin);
        inner.children.insert(partner, children);
    }

    /// Stores users as given (with any extra fields), keyed by their primary address.
    pub fn seed(&self, domain: &str, users: impl IntoIterator<Item = Value>) {
        let mut inner = self.shared.lock();
        let org = inner.orgs.entry(domain.to_lowercase()).or_default();
        for user in users {
            let key = user["primary_email"].as_str().expect("seeded users need primary_email").to_lowercase();
            org.insert(key, user);
        }
    }

    /// The organisation's users, sorted by primary address.
    pub fn users(&self, domain: &str) -> Vec<Value> {
        self.shared.lock().orgs.get(&domain.to_lowercase()).map(|o| o.values().cloned().collect()).unwrap_or_default()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().log.clone()
    }

    /// `"METHOD /path"` of every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests().iter().map(Recorded::line).collect()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The next `count` requests of any kind get `fault`.
    pub fn fail_next(&self, count: u32, fault: Fault) {
        self.fail_matching(None, None, count, fault);
    }

    /// The next `count` requests with this method (and path containing `path_contains`) get `fault`.
    pub fn fail_matching(&self, method: Option<Method>, path_contains: Option<&str>, count: u32, fault: Fault) {
        let rule =
            FaultRule { method, path_contains: path_contains.map(Into::into), path_is: None, remaining: count, fault };
        self.shared.lock().faults.push(rule);
    }

    /// The next `count` requests for exactly `path` (e.g. `/api/v1/orgs/example.com`) get `fault`.
    pub fn fail_path(&self, method: Option<Method>, path: &str, count: u32, fault: Fault) {
        let rule = FaultRule { method, path_contains: None, path_is: Some(path.into()), remaining: count, fault };
        self.shared.lock().faults.push(rule);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Answer `GET …/users` with a bare list instead of `{"users":[…]}`.
    pub fn set_bare_list(&self, bare: bool) {
        self.shared.lock().bare_list = bare;
    }

    /// 409 (default) or 400 for a create of an existing address.
    pub fn set_duplicate_status(&self, status: u16) {
        self.shared.lock().duplicate_status = status;
    }

    /// What `GET /endpoints/{domain}` lists (default: this fake's own base URL for known orgs).
    pub fn set_endpoints(&self, domain: &str, endpoints: Vec<Value>) {
        self.shared.lock().endpoints.insert(domain.to_lowercase(), endpoints);
    }

    pub fn mode(&self) -> Mode {
        self.shared.lock().mode
    }

    pub fn set_renames(&self, renames: Renames) {
        self.shared.lock().renames = renames;
    }

    /// Lays `fields` over the organisation's `GET /orgs/{d}` answer (licences, `ldap_url`, …).
    pub fn set_org_facts(&self, domain: &str, fields: Value) {
        self.shared.lock().org_facts.insert(domain.to_lowercase(), fields);
    }

    /// `GET /orgs/{d}/settings/azure` answers `settings`, or 404 for `None`.
    pub fn set_azure(&self, domain: &str, settings: Option<Value>) {
        self.shared.lock().azure.insert(domain.to_lowercase(), settings);
    }

    /// Once the next listing of `domain` is answered, `fields` are merged into `email`'s stored
    /// user: the account changes between a plan and its apply.
    pub fn edit_after_listing(&self, domain: &str, email: &str, fields: Value) {
        self.shared.lock().edits_after_listing.push((domain.to_lowercase(), email.to_lowercase(), fields));
    }

    /// The most requests that were ever being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.lock().max_in_flight
    }
}

impl Drop for FakeService {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Inner {
    fn new(base_url: String, mode: Mode) -> Self {
        Self {
            base_url,
            admins: HashMap::new(),
            orgs: BTreeMap::new(),
            children: HashMap::new(),
            endpoints: HashMap::new(),
            mode,
            renames: Renames::Apply,
            org_facts: HashMap::new(),
            azure: HashMap::new(),
            edits_after_listing: Vec::new(),
            faults: Vec::new(),
            latency: Duration::ZERO,
            bare_list: false,
            duplicate_status: 409,
            log: Vec::new(),
            next_uid: 1000,
            in_flight: 0,
            max_in_flight: 0,
        }
    }

    fn take_fault(&mut self, method: &Method, path: &str) -> Option<Fault> {
        let rule = self.faults.iter_mut().find(|r| {
            r.remaining > 0
                && r.method.as_ref().is_none_or(|m| m == method)
                && r.path_contains.as_deref().is_none_or(|p| path.contains(p))
                && r.path_is.as_deref().is_none_or(|p| path == p)
        })?;
        rule.remaining -= 1;
        Some(rule.fault.clone())
    }
}

/// Runs the server on its own runtime in its own thread, so sync tests (the binary as a black
/// box) and async tests can both use it, and dropping it never happens inside a runtime.
fn serve(listener: std::net::TcpListener, app: Router, stopped: tokio::sync::oneshot::Receiver<()>) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = stopped => {}
        }
    });
}

/// Counts a request as in flight until it is answered or abandoned.
struct InFlight(Shared);

impl InFlight {
    fn enter(shared: &Shared) -> Self {
        let mut inner = shared.lock();
        inner.in_flight += 1;
        inner.max_in_flight = inner.max_in_flight.max(inner.in_flight);
        Self(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
    }
}

async fn handle(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let path = percent_decode(uri.path());
    let (index, latency, fault) = {
        let mut inner = shared.lock();
        inner.log.push(record(&method, &path, &headers, &body));
        (inner.log.len() - 1, inner.latency, inner.take_fault(&method, &path))
    };
    tokio::time::sleep(latency).await;
    let (status, mut extra, payload) = answer(&shared, &method, &path, &headers, &body, fault).await;
    shared.lock().log[index].status = status.as_u16();
    if let Some(correlator) = headers.get("x-correlator").and_then(|v| v.to_str().ok()) {
        extra.push(("x-correlator", correlator.to_string()));
    }
    let mut response = match payload {
        Some(value) => (status, axum::Json(value)).into_response(),
        None => status.into_response(),
    };
    for (name, value) in extra {
        response.headers_mut().insert(name, value.parse().expect("header value"));
    }
    response
}

type Answer = (StatusCode, Vec<(&'static str, String)>, Option<Value>);

async fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    fault: Option<Fault>,
) -> Answer {
    match fault {
        Some(Fault::TooMany { retry_after }) => {
            let extra = retry_after.map(|v| vec![("retry-after", v)]).unwrap_or_default();
            (StatusCode::TOO_MANY_REQUESTS, extra, Some(error_body(429, "Too many requests", "")))
        }
        Some(Fault::ServerError) => {
            (StatusCode::INTERNAL_SERVER_ERROR, vec![], Some(error_body(500, "Internal error", "")))
        }
        Some(Fault::Forbidden) => (StatusCode::FORBIDDEN, vec![], Some(error_body(403, "Not authorized", path))),
        Some(Fault::Swallow) if method != Method::GET => swallowed(method, body),
        Some(Fault::Hang(wait)) => {
            tokio::time::sleep(wait).await;
            (StatusCode::GATEWAY_TIMEOUT, vec![], None)
        }
        Some(Fault::ApplyThenHang(wait)) => {
            let done = route(&mut shared.lock(), method, path, headers, body);
            tokio::time::sleep(wait).await;
            (done.0, vec![], done.1)
        }
        Some(Fault::Swallow) | None => {
            let (status, payload) = route(&mut shared.lock(), method, path, headers, body);
            (status, vec![], payload)
        }
    }
}

/// A write answered as if it had been made.
fn swallowed(method: &Method, body: &[u8]) -> Answer {
    match method.as_str() {
        "POST" => (StatusCode::CREATED, vec![], serde_json::from_slice(body).ok()),
        _ => (StatusCode::NO_CONTENT, vec![], None),
    }
}

fn record(method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> Recorded {
    let headers = headers
        .iter()
        .filter(|(name, _)| name.as_str() != "x-password")
        .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let body = if body.is_empty() { None } else { Some(serde_json::from_slice(body).unwrap_or(Value::Null)) };
    Recorded { method: method.to_string(), path: path.to_string(), body, headers, status: 0 }
}

fn error_body(status: u16, message: &str, identifier: &str) -> Value {
    json!({"errors": [{"status": status, "error_message": message, "identifier": identifier}]})
}

fn fail(status: StatusCode, message: &str, identifier: &str) -> (StatusCode, Option<Value>) {
    (status, Some(error_body(status.as_u16(), message, identifier)))
}

fn route(
    inner: &mut Inner,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> (StatusCode, Option<Value>) {
    let segments: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
    if let ["endpoints", domain] = segments.as_slice() {
        return endpoints(inner, domain);
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let user = header("x-user").to_lowercase();
    let admin = match inner.admins.get(&user) {
        Some(admin) if admin.password == header("x-password") => admin.clone(),
        _ => return fail(StatusCode::UNAUTHORIZED, "Invalid username or password", &user),
    };
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["me"]) => (StatusCode::OK, Some(me(&user, &admin))),
        ("GET", ["orgs", domain]) => org_read(inner, &admin, &domain.to_lowercase(), org_doc),
        ("GET", ["orgs", domain, "settings", "azure"]) => org_read(inner, &admin, &domain.to_lowercase(), azure_doc),
        ("GET", ["orgs", domain, "orgs"]) => partner_orgs(inner, &admin, &domain.to_lowercase()),
        (_, ["orgs", domain, "users", rest @ ..]) if rest.len() <= 1 => {
            org_request(inner, &admin, method, &domain.to_lowercase(), rest.first().copied(), body)
        }
        _ => fail(StatusCode::NOT_FOUND, "No such resource", path),
    }
}

fn org_read(
    inner: &Inner,
    admin: &Admin,
    domain: &str,
    doc: fn(&Inner, &str) -> (StatusCode, Option<Value>),
) -> (StatusCode, Option<Value>) {
    if !inner.orgs.contains_key(domain) {
        return fail(StatusCode::NOT_FOUND, "Organization not found", domain);
    }
    if !admin.domains.iter().any(|d| d == domain) {
        return fail(StatusCode::FORBIDDEN, "Not an administrator of this organization", domain);
    }
    doc(inner, domain)
}

/// The Organization object: generous licences, the active users counted, no LDAP server,
/// with whatever the test laid over it.
fn org_doc(inner: &Inner, domain: &str) -> (StatusCode, Option<Value>) {
    let active = inner.orgs[domain].values().filter(|u| u["is_active"] != Value::Bool(false)).count();
    let mut doc = json!({"primary_domain": domain, "name": domain, "type": "organization", "domains": [domain],
        "user_licenses": 1_000_000, "active_users": active, "ldap_url": "", "ldap_basedn": ""});
    merge(&mut doc, inner.org_facts.get(domain));
    (StatusCode::OK, Some(doc))
}

/// A partner admin's own organisation lists its children; anyone else is refused.
fn partner_orgs(inner: &Inner, admin: &Admin, domain: &str) -> (StatusCode, Option<Value>) {
    match (&admin.partner, inner.children.get(domain)) {
        (Some(partner), Some(children)) if partner == domain => (StatusCode::OK, Some(Value::Array(children.clone()))),
        _ => fail(StatusCode::FORBIDDEN, "Not a partner administrator of this organization", domain),
    }
}

fn azure_doc(inner: &Inner, domain: &str) -> (StatusCode, Option<Value>) {
    let default = (inner.mode == Mode::Strict).then(|| {
        json!({"primary_domain": domain, "application_id": "", "ad_key": "****", "sync_frequency": 0,
               "remove_deleted_users": false, "default_user_role_name": "silent_user"})
    });
    match inner.azure.get(domain).cloned().unwrap_or(default) {
        Some(doc) => (StatusCode::OK, Some(doc)),
        None => fail(StatusCode::NOT_FOUND, "no domain or settings found", domain),
    }
}

/// Top-level fields of `fields` replace those of `doc`.
fn merge(doc: &mut Value, fields: Option<&Value>) {
    if let (Some(doc), Some(Value::Object(fields))) = (doc.as_object_mut(), fields) {
        doc.extend(fields.clone());
    }
}

fn endpoints(inner: &Inner, domain: &str) -> (StatusCode, Option<Value>) {
    let domain = domain.to_lowercase();
    match inner.endpoints.get(&domain) {
        Some(list) => (StatusCode::OK, Some(endpoint_list(inner.mode, list.clone()))),
        None if inner.orgs.contains_key(&domain) => {
            (StatusCode::OK, Some(endpoint_list(inner.mode, vec![json!(inner.base_url)])))
        }
        None => fail(StatusCode::NOT_FOUND, "Domain not found", &domain),
    }
}

/// The published description's bare list, or the wrapped shape one client reads.
fn endpoint_list(mode: Mode, list: Vec<Value>) -> Value {
    match mode {
        Mode::Strict => Value::Array(list),
        Mode::Lenient => json!({ "endpoints": list }),
    }
}

fn me(user: &str, admin: &Admin) -> Value {
    json!({"primary_email": user, "type": admin.kind, "is_admin": true, "read_only_user": admin.read_only,
           "is_partner_admin": admin.partner.is_some(), "entity_primary_domain": admin.domains.first()})
}

fn org_request(
    inner: &mut Inner,
    admin: &Admin,
    method: &Method,
    domain: &str,
    email: Option<&str>,
    body: &[u8],
) -> (StatusCode, Option<Value>) {
    if !inner.orgs.contains_key(domain) {
        return fail(StatusCode::NOT_FOUND, "Organization not found", domain);
    }
    if !admin.domains.iter().any(|d| d == domain) {
        return fail(StatusCode::FORBIDDEN, "Not an administrator of this organization", domain);
    }
    if admin.read_only && method != Method::GET {
        return fail(StatusCode::FORBIDDEN, "Read-only administrators cannot make changes", domain);
    }
    let body: Option<Value> = serde_json::from_slice(body).ok();
    match (method.as_str(), email) {
        ("GET", None) => {
            let answer = list(inner, domain);
            apply_edits(inner, domain);
            answer
        }
        ("POST", None) => create(inner, domain, body),
        ("GET", Some(email)) => match inner.orgs[domain].get(&email.to_lowercase()) {
            Some(user) => (StatusCode::OK, Some(user.clone())),
            None => fail(StatusCode::NOT_FOUND, "User not found", email),
        },
        ("PUT", Some(email)) => update(inner, domain, email, body),
        ("DELETE", Some(email)) => match inner.orgs.get_mut(domain).and_then(|o| o.remove(&email.to_lowercase())) {
            Some(_) => (StatusCode::NO_CONTENT, None),
            None => fail(StatusCode::NOT_FOUND, "User not found", email),
        },
        _ => fail(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed", ""),
    }
}

fn list(inner: &Inner, domain: &str) -> (StatusCode, Option<Value>) {
    let users: Vec<Value> = inner.orgs[domain].values().cloned().collect();
    (StatusCode::OK, Some(if inner.bare_list { Value::Array(users) } else { json!({ "users": users }) }))
}

/// The edits waiting for this organisation's listing, made now that it is answered.
fn apply_edits(inner: &mut Inner, domain: &str) {
    let (now, later): (Vec<_>, Vec<_>) =
        std::mem::take(&mut inner.edits_after_listing).into_iter().partition(|(d, _, _)| d == domain);
    inner.edits_after_listing = later;
    let Some(org) = inner.orgs.get_mut(domain) else { return };
    for (_, email, fields) in now {
        if let Some(user) = org.get_mut(&email) {
            merge(user, Some(&fields));
        }
    }
}

fn email_of(body: &Option<Value>) -> Option<String> {
    body.as_ref()?.get("primary_email")?.as_str().filter(|e| !e.is_empty()).map(str::to_string)
}

fn create(inner: &mut Inner, domain: &str, body: Option<Value>) -> (StatusCode, Option<Value>) {
    let Some(email) = email_of(&body) else {
        return fail(StatusCode::BAD_REQUEST, "primary_email is required", "");
    };
    let mut user = body.unwrap_or_default();
    if inner.orgs[domain].contains_key(&email.to_lowercase()) {
        let status = StatusCode::from_u16(inner.duplicate_status).unwrap_or(StatusCode::CONFLICT);
        return fail(status, "User already exists", &email);
    }
    if let Some(map) = user.as_object_mut() {
        map.remove("send_welcome_email");
        if !map.contains_key("uid") {
            inner.next_uid += 1;
            map.insert("uid".into(), json!(inner.next_uid));
        }
    }
    inner.orgs.get_mut(domain).map(|o| o.insert(email.to_lowercase(), user.clone()));
    (StatusCode::CREATED, Some(user))
}

fn update(inner: &mut Inner, domain: &str, email: &str, body: Option<Value>) -> (StatusCode, Option<Value>) {
    let Some(new_email) = email_of(&body) else {
        return fail(StatusCode::BAD_REQUEST, "primary_email is required", email);
    };
    let (old, new) = (email.to_lowercase(), new_email.to_lowercase());
    let (mode, renames) = (inner.mode, inner.renames);
    let Some(org) = inner.orgs.get_mut(domain) else {
        return fail(StatusCode::NOT_FOUND, "Organization not found", domain);
    };
    let Some(stored) = org.get(&old).cloned() else {
        return fail(StatusCode::NOT_FOUND, "User not found", email);
    };
    let renamed = new != old;
    if renamed && renames == Renames::Refuse {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, "primary_email cannot be changed", email);
    }
    if renamed && renames == Renames::Apply && org.contains_key(&new) {
        return fail(StatusCode::CONFLICT, "User already exists", &new_email);
    }
    let mut user = match mode {
        Mode::Strict => body.unwrap_or_default(),
        Mode::Lenient => {
            let mut merged = stored.clone();
            merge(&mut merged, body.as_ref());
            merged
        }
    };
    if let (Some(map), Some(uid)) = (user.as_object_mut(), stored.get("uid")) {
        map.insert("uid".into(), uid.clone());
    }
    let key = if renamed && renames == Renames::Ignore {
        user["primary_email"] = stored["primary_email"].clone();
        old.clone()
    } else {
        new
    };
    org.remove(&old);
    org.insert(key, user);
    (StatusCode::NO_CONTENT, None)
}

/// `%40` → `@` and friends; the fake must see addresses as the client meant them.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = (bytes[at] == b'%').then(|| bytes.get(at + 1..at + 3)).flatten();
        match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
