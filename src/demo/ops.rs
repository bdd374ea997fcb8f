//! One LDAP request in, the replies out. No I/O here: the connection loop does that.

use super::directory::{BindRefusal, Directory, Scope};
use super::filter::matches;
use super::paging::{Cursor, Paging};
use super::render::render_entry;
use super::rootdse::{MAX_PAGE_SIZE, OID_STARTTLS, OID_WHOAMI, root_dse, root_referrals};
use crate::dn::Dn;
use ldap3_proto::control::LdapControl;
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapBindResponse, LdapExtendedRequest, LdapExtendedResponse, LdapMsg, LdapOp,
    LdapResult, LdapResultCode, LdapSearchRequest, LdapSearchResultReference, LdapSearchScope,
};

const AD_NOT_BOUND: &str = "000004DC: LdapErr: DSID-0C090C78, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563";
const AD_READ_ONLY: &str =
    "00002035: LdapErr: DSID-0C090FC6, comment: The adsync demo directory is read-only, data 0, v4563";

/// Per-connection protocol state.
#[derive(Debug, Default)]
pub struct Session {
    /// The bound account's DN; `None` while anonymous.
    pub bound: Option<String>,
    pub tls: bool,
    paging: Paging,
}

impl Session {
    pub fn new(tls: bool) -> Self {
        Self { tls, ..Self::default() }
    }
}

/// What the connection loop must do after sending the replies.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// Reply sent; wrap the connection in TLS now.
    StartTls,
    Close,
}

pub struct Outcome {
    pub replies: Vec<LdapMsg>,
    pub next: Next,
}

fn result(code: LdapResultCode, message: &str) -> LdapResult {
    LdapResult { code, matcheddn: String::new(), message: message.to_string(), referral: Vec::new() }
}

fn reply(msgid: i32, op: LdapOp) -> Outcome {
    Outcome { replies: vec![LdapMsg::new(msgid, op)], next: Next::Continue }
}

/// Answers the requests `bytes` hold, in order, as one connection would (up to `max`,
/// stopping at the first that does not decode): the wire entry point without the wire, for
/// the fuzzer and the tests. Returns how many were answered.
pub fn answer_bytes(dir: &Directory, bytes: &[u8], max: usize) -> usize {
    use tokio_util::codec::Decoder;
    let mut buf = bytes::BytesMut::from(bytes);
    let mut session = Session::new(false);
    let mut codec = ldap3_proto::LdapCodec::default();
    let mut answered = 0;
    while answered < max {
        let Ok(Some(msg)) = codec.decode(&mut buf) else { break };
        handle(dir, &mut session, msg, jiff::Timestamp::UNIX_EPOCH);
        answered += 1;
    }
    answered
}

pub fn handle(dir: &Directory, session: &mut Session, msg: LdapMsg, now: jiff::Timestamp) -> Outcome {
    let id = msg.msgid;
    match msg.op {
        LdapOp::BindRequest(req) => reply(id, LdapOp::BindResponse(bind(dir, session, &req))),
        LdapOp::SearchRequest(req) => search(dir, session, id, &req, &msg.ctrl, now),
        LdapOp::ExtendedRequest(req) => extended(session, id, &req),
        LdapOp::UnbindRequest => Outcome { replies: Vec::new(), next: Next::Close },
        LdapOp::AbandonRequest(_) => Outcome { replies: Vec::new(), next: Next::Continue },
        LdapOp::AddRequest(_) => reply(id, LdapOp::AddResponse(read_only())),
        LdapOp::ModifyRequest(_) => reply(id, LdapOp::ModifyResponse(read_only())),
        LdapOp::DelRequest(_) => reply(id, LdapOp::DelResponse(read_only())),
        LdapOp::ModifyDNRequest(_) => reply(id, LdapOp::ModifyDNResponse(read_only())),
        LdapOp::CompareRequest(_) => reply(id, LdapOp::CompareResult(read_only())),
        // Responses sent to a server are a client bug: say so and hang up.
        _ => Outcome { replies: vec![LdapMsg::new(0, notice_of_disconnection())], next: Next::Close },
    }
}

fn read_only() -> LdapResult {
    result(LdapResultCode::UnwillingToPerform, AD_READ_ONLY)
}

fn notice_of_disconnection() -> LdapOp {
    LdapOp::ExtendedResponse(LdapExtendedResponse {
        res: result(LdapResultCode::ProtocolError, "unexpected protocol operation"),
        name: Some("1.3.6.1.4.1.1466.20036".into()),
        value: None,
    })
}

fn ad_bind_error(data: &str) -> String {
    format!("80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data {data}, v4563")
}

fn bind(dir: &Directory, session: &mut Session, req: &LdapBindRequest) -> LdapBindResponse {
    session.bound = None;
    let res = match &req.cred {
        LdapBindCred::Simple(pw) if req.dn.is_empty() && pw.is_empty() => result(LdapResultCode::Success, ""),
        LdapBindCred::Simple(pw) if pw.is_empty() => {
            result(LdapResultCode::UnwillingToPerform, "unauthenticated bind (DN with no password) disallowed")
        }
        LdapBindCred::Simple(pw) => match dir.authenticate(&req.dn, pw) {
            Ok(index) => {
                session.bound = Some(dir.entry(index).dn.clone());
                result(LdapResultCode::Success, "")
            }
            Err(BindRefusal::BadCredentials) => result(LdapResultCode::InvalidCredentials, &ad_bind_error("52e")),
            Err(BindRefusal::Disabled) => result(LdapResultCode::InvalidCredentials, &ad_bind_error("533")),
        },
        _ => result(LdapResultCode::AuthMethodNotSupported, "only simple binds are supported by the demo directory"),
    };
    LdapBindResponse { res, saslcreds: None }
}

fn extended(session: &mut Session, id: i32, req: &LdapExtendedRequest) -> Outcome {
    let respond = |res: LdapResult, name: Option<&str>, value: Option<Vec<u8>>| {
        LdapOp::ExtendedResponse(LdapExtendedResponse { res, name: name.map(str::to_string), value })
    };
    match req.name.as_str() {
        OID_STARTTLS if session.tls => reply(
            id,
            respond(result(LdapResultCode::OperationsError, "TLS is already active"), Some(OID_STARTTLS), None),
        ),
        OID_STARTTLS => Outcome {
            replies: vec![LdapMsg::new(id, respond(result(LdapResultCode::Success, ""), Some(OID_STARTTLS), None))],
            next: Next::StartTls,
        },
        OID_WHOAMI => {
            let who = session.bound.as_ref().map(|dn| format!("dn:{dn}")).unwrap_or_default();
            reply(id, respond(result(LdapResultCode::Success, ""), None, Some(who.into_bytes())))
        }
        _ => {
            reply(id, respond(result(LdapResultCode::UnwillingToPerform, "unsupported extended operation"), None, None))
        }
    }
}

fn done(id: i32, res: LdapResult, ctrl: Vec<LdapControl>) -> LdapMsg {
    LdapMsg::new_with_ctrls(id, LdapOp::SearchResultDone(res), ctrl)
}

fn search(
    dir: &Directory,
    session: &mut Session,
    id: i32,
    req: &LdapSearchRequest,
    ctrl: &[LdapControl],
    now: jiff::Timestamp,
) -> Outcome {
    if req.base.is_empty() && req.scope == LdapSearchScope::Base {
        return root_search(dir, id, req, now);
    }
    if session.bound.is_none() {
        return reply(id, LdapOp::SearchResultDone(result(LdapResultCode::OperationsError, AD_NOT_BOUND)));
    }
    let paged = ctrl.iter().find_map(|c| match c {
        LdapControl::SimplePagedResults { size, cookie } => Some((*size, cookie.clone())),
        _ => None,
    });
    match paged {
        Some((size, cookie)) if !cookie.is_empty() => resume_page(dir, session, id, size, &cookie),
        Some((size, _)) => match find(dir, req) {
            Ok(cursor) => next_page(dir, session, id, cursor, size),
            Err(res) => reply(id, LdapOp::SearchResultDone(res)),
        },
        None => unpaged(dir, id, req),
    }
}

fn root_search(dir: &Directory, id: i32, req: &LdapSearchRequest, now: jiff::Timestamp) -> Outcome {
    let dse = root_dse(dir.base(), now);
    let mut replies = Vec::new();
    if matches(&dse, &req.filter) {
        let entry = render_entry(&dse, &req.attrs, req.typesonly);
        replies.push(LdapMsg::new(id, LdapOp::SearchResultEntry(entry)));
    }
    replies.push(done(id, result(LdapResultCode::Success, ""), Vec::new()));
    Outcome { replies, next: Next::Continue }
}

/// Resolves base and scope and evaluates the filter: the whole result, as entry indexes.
fn find(dir: &Directory, req: &LdapSearchRequest) -> Result<Cursor, LdapResult> {
    let base = Dn::parse(&req.base).map_err(|e| {
        result(
            LdapResultCode::InvalidDNSyntax,
            &format!(
                "0000208F: NameErr: DSID-03100225, problem 2006 (BAD_NAME), data 8350, best match of:\n\t'{}': {e}\n",
                req.base
            ),
        )
    })?;
    let scope = match req.scope {
        LdapSearchScope::Base => Scope::Base,
        LdapSearchScope::OneLevel => Scope::OneLevel,
        _ => Scope::Subtree,
    };
    let Some(candidates) = dir.in_scope(&base, scope) else {
        let best = dir.best_match(&base).unwrap_or("");
        let mut res = result(
            LdapResultCode::NoSuchObject,
            &format!(
                "0000208D: NameErr: DSID-0310028C, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'{best}'\n"
            ),
        );
        res.matcheddn = best.to_string();
        return Err(res);
    };
    let results = candidates.into_iter().filter(|&k| matches(dir.entry(k), &req.filter)).collect();
    let at_root = Dn::parse(dir.base()).is_ok_and(|root| root == base);
    let referrals = if at_root && scope == Scope::Subtree { root_referrals(dir.base()) } else { Vec::new() };
    Ok(Cursor { results, next: 0, attrs: req.attrs.clone(), typesonly: req.typesonly, referrals })
}

fn resume_page(dir: &Directory, session: &mut Session, id: i32, size: i64, cookie: &[u8]) -> Outcome {
    let Some(cursor) = session.paging.resume(cookie) else {
        let res = result(
            LdapResultCode::UnwillingToPerform,
            "00002040: SvcErr: DSID-03140594, problem 5003 (WILL_NOT_PERFORM), data 0 (the paged-results cookie is not valid)",
        );
        return reply(id, LdapOp::SearchResultDone(res));
    };
    if size <= 0 {
        // A page size of 0 with a cookie abandons the paged search (RFC 2696).
        return Outcome {
            replies: vec![done(id, result(LdapResultCode::Success, ""), vec![paged_control(Vec::new())])],
            next: Next::Continue,
        };
    }
    next_page(dir, session, id, cursor, size)
}

fn paged_control(cookie: Vec<u8>) -> LdapControl {
    LdapControl::SimplePagedResults { size: 0, cookie }
}

/// Sends up to `size` entries (never more than AD's MaxPageSize) and parks the rest.
fn next_page(dir: &Directory, session: &mut Session, id: i32, mut cursor: Cursor, size: i64) -> Outcome {
    let page = (size.max(1) as usize).min(MAX_PAGE_SIZE);
    let end = (cursor.next + page).min(cursor.results.len());
    let mut replies: Vec<LdapMsg> = cursor.results[cursor.next..end]
        .iter()
        .map(|&k| {
            LdapMsg::new(id, LdapOp::SearchResultEntry(render_entry(dir.entry(k), &cursor.attrs, cursor.typesonly)))
        })
        .collect();
    cursor.next = end;
    let cookie = if end < cursor.results.len() {
        session.paging.park(cursor)
    } else {
        replies.extend(references(id, &cursor.referrals));
        Vec::new()
    };
    replies.push(done(id, result(LdapResultCode::Success, ""), vec![paged_control(cookie)]));
    Outcome { replies, next: Next::Continue }
}

fn references(id: i32, uris: &[String]) -> impl Iterator<Item = LdapMsg> + '_ {
    uris.iter().map(move |uri| {
        LdapMsg::new(id, LdapOp::SearchResultReference(LdapSearchResultReference { uris: vec![uri.clone()] }))
    })
}

/// Without paging AD stops at MaxPageSize with sizeLimitExceeded, as does a client sizelimit.
fn unpaged(dir: &Directory, id: i32, req: &LdapSearchRequest) -> Outcome {
    let cursor = match find(dir, req) {
        Ok(c) => c,
        Err(res) => return reply(id, LdapOp::SearchResultDone(res)),
    };
    let client_limit = if req.sizelimit > 0 { req.sizelimit as usize } else { usize::MAX };
    let limit = client_limit.min(MAX_PAGE_SIZE);
    let mut replies: Vec<LdapMsg> = cursor
        .results
        .iter()
        .take(limit)
        .map(|&k| {
            LdapMsg::new(id, LdapOp::SearchResultEntry(render_entry(dir.entry(k), &cursor.attrs, cursor.typesonly)))
        })
        .collect();
    let res = if cursor.results.len() > limit {
        result(LdapResultCode::SizeLimitExceeded, "Size limit exceeded")
    } else {
        replies.extend(references(id, &cursor.referrals));
        result(LdapResultCode::Success, "")
    };
    replies.push(done(id, res, Vec::new()));
    Outcome { replies, next: Next::Continue }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::company::{CompanySpec, generate};
    use bytes::BytesMut;
    use ldap3_proto::LdapCodec;
    use tokio_util::codec::Encoder;

    fn seeds() -> Vec<u8> {
        let search = LdapSearchRequest {
            base: "dc=example,dc=com".into(),
            scope: LdapSearchScope::Subtree,
            aliases: ldap3_proto::proto::LdapDerefAliases::Never,
            sizelimit: 0,
            timelimit: 0,
            typesonly: false,
            filter: ldap3_proto::parse_ldap_filter_str("(|(mail=a*)(userAccountControl:1.2.840.113556.1.4.803:=2))")
                .unwrap(),
            attrs: vec!["mail".into(), "member;range=2-5".into()],
        };
        let bind = LdapBindRequest {
            version: 3,
            dn: "svc-sync@example.com".into(),
            cred: LdapBindCred::Simple("SyncPassw0rd!".into()),
        };
        let msgs = [
            LdapMsg::new(1, LdapOp::BindRequest(bind)),
            LdapMsg::new_with_ctrls(
                2,
                LdapOp::SearchRequest(search),
                vec![LdapControl::SimplePagedResults { size: 3, cookie: vec![] }],
            ),
        ];
        let mut buf = BytesMut::new();
        for m in msgs {
            LdapCodec::default().encode(m, &mut buf).unwrap();
        }
        buf.to_vec()
    }

    /// The handler behind the codec, fed thousands of mutated requests in-process: any panic fails.
    #[test]
    fn mutated_requests_never_panic_the_handler() {
        let dir = Directory::new(generate(&CompanySpec::new(40)), "dc=example,dc=com");
        let seed = seeds();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut step = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let mut bytes = seed.clone();
            for _ in 0..(1 + step() % 4) {
                let at = (step() % bytes.len() as u64) as usize;
                bytes[at] = step() as u8;
            }
            answer_bytes(&dir, &bytes, 4);
        }
    }
}
