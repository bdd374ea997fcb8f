//! The embedded demo directory as a protocol peer: paging, binds, unsupported operations,
//! and abuse (garbage, oversized messages, clients vanishing mid-page, fuzzed requests).

use adsync::demo::{DemoOptions, DemoServer};
use ldap3::controls::{Control, ControlType, PagedResults, RawControl};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PW: &str = "SyncPassw0rd!";
const SVC: &str = "cn=svc-sync,ou=Service Accounts,dc=example,dc=com";
const BASE: &str = "dc=example,dc=com";
const USERS_FILTER: &str = "(&(objectCategory=person)(objectClass=user))";

async fn server(users: u32) -> DemoServer {
    DemoServer::start(&DemoOptions { users, ..Default::default() }).await.expect("demo starts")
}

async fn connect(server: &DemoServer) -> Ldap {
    let (conn, ldap) = LdapConnAsync::with_settings(
        LdapConnSettings::new().set_conn_timeout(Duration::from_secs(5)),
        &server.ldap_url(),
    )
    .await
    .expect("connect");
    ldap3::drive!(conn);
    ldap
}

async fn bound(server: &DemoServer) -> Ldap {
    let mut ldap = connect(server).await;
    ldap.simple_bind(SVC, PW).await.unwrap().success().expect("bind");
    ldap
}

/// Proof of life: a bound base search answers within a second.
async fn assert_alive(server: &DemoServer) {
    let mut ldap = bound(server).await;
    let res =
        tokio::time::timeout(Duration::from_secs(2), ldap.search(BASE, Scope::Base, "(objectClass=*)", vec!["dc"]))
            .await
            .expect("server answers")
            .unwrap();
    assert_eq!(res.0.len(), 1);
}

async fn paged_count(ldap: &mut Ldap, size: i32) -> (usize, usize) {
    let (mut entries, mut pages, mut cookie) = (0, 0, Vec::new());
    loop {
        let ctrl: RawControl = PagedResults { size, cookie }.into();
        let res = ldap.with_controls(vec![ctrl]).search(BASE, Scope::Subtree, USERS_FILTER, vec!["1.1"]).await.unwrap();
        let (found, done) = res.success().unwrap();
        entries += found.iter().filter(|e| !e.is_ref()).count();
        pages += 1;
        cookie = done
            .ctrls
            .iter()
            .find_map(|Control(t, raw)| {
                matches!(t, Some(ControlType::PagedResults)).then(|| raw.parse::<PagedResults>().cookie)
            })
            .unwrap_or_default();
        if cookie.is_empty() || pages > 1000 {
            return (entries, pages);
        }
    }
}

#[tokio::test]
async fn paged_results_use_real_cookies() {
    let server = server(2000).await;
    let mut ldap = bound(&server).await;
    let (entries, pages) = paged_count(&mut ldap, 100).await;
    assert_eq!(entries, 2001, "2000 people and the service account");
    assert_eq!(pages, 21);
    let (_, big_pages) = paged_count(&mut ldap, 5000).await;
    assert_eq!(big_pages, 3, "pages are capped at AD's MaxPageSize of 1000");
}

#[tokio::test]
async fn a_forged_cookie_is_refused() {
    let server = server(50).await;
    let mut ldap = bound(&server).await;
    let ctrl: RawControl = PagedResults { size: 10, cookie: b"forged".to_vec() }.into();
    let res = ldap.with_controls(vec![ctrl]).search(BASE, Scope::Subtree, USERS_FILTER, vec!["1.1"]).await.unwrap();
    assert_eq!(res.1.rc, 53);
}

#[tokio::test]
async fn without_paging_the_result_stops_at_the_size_limit_like_ad() {
    let server = server(2000).await;
    let mut ldap = bound(&server).await;
    let res = ldap.search(BASE, Scope::Subtree, USERS_FILTER, vec!["1.1"]).await.unwrap();
    assert_eq!((res.0.len(), res.1.rc), (1000, 4));
}

#[tokio::test]
async fn binds_fail_like_active_directory() {
    let server = server(10).await;
    let mut ldap = connect(&server).await;
    let res = ldap.simple_bind(SVC, "wrong").await.unwrap();
    assert_eq!(res.rc, 49);
    assert!(res.text.contains("data 52e"), "{}", res.text);
    let res = ldap.simple_bind("svc-sync@example.com", PW).await.unwrap();
    assert_eq!(res.rc, 0, "UPN binds work");
    let mut anon = connect(&server).await;
    let res = anon.search(BASE, Scope::Subtree, "(objectClass=*)", vec!["1.1"]).await.unwrap();
    assert_eq!(res.1.rc, 1);
    assert!(res.1.text.starts_with("000004DC"), "{}", res.1.text);
    let dse = anon.search("", Scope::Base, "(objectClass=*)", vec!["supportedCapabilities"]).await.unwrap();
    let dse = SearchEntry::construct(dse.0.into_iter().next().unwrap());
    assert!(dse.attrs["supportedCapabilities"].contains(&"1.2.840.113556.1.4.800".to_string()));
}

#[tokio::test]
async fn unsupported_operations_are_refused_not_hung() {
    let server = server(10).await;
    let mut ldap = bound(&server).await;
    let dn = format!("cn=svc-sync,ou=Service Accounts,{BASE}");
    let within = |f| tokio::time::timeout(Duration::from_secs(2), f);
    assert_eq!(within(ldap.delete(&dn)).await.unwrap().unwrap().rc, 53);
    let mods: Vec<ldap3::Mod<&str>> = vec![ldap3::Mod::Replace("sn", std::collections::HashSet::from(["x"]))];
    assert_eq!(tokio::time::timeout(Duration::from_secs(2), ldap.modify(&dn, mods)).await.unwrap().unwrap().rc, 53);
    let attrs = vec![("objectClass", std::collections::HashSet::from(["top"]))];
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(2), ldap.add("cn=new,dc=example,dc=com", attrs))
            .await
            .unwrap()
            .unwrap()
            .rc,
        53
    );
    let cmp = tokio::time::timeout(Duration::from_secs(2), ldap.compare(&dn, "sn", "svc-sync")).await.unwrap().unwrap();
    assert_eq!(cmp.0.rc, 53);
}

#[tokio::test]
async fn large_groups_come_in_member_ranges_that_adsync_follows() {
    let server = server(10_000).await;
    let mut ldap = bound(&server).await;
    let res = ldap
        .search(&format!("cn=SG-Sales,ou=Groups,{BASE}"), Scope::Base, "(objectClass=*)", vec!["member"])
        .await
        .unwrap();
    let entry = SearchEntry::construct(res.0.into_iter().next().unwrap());
    assert_eq!(entry.attrs.keys().collect::<Vec<_>>(), ["member;range=0-1499"]);
}

async fn raw(server: &DemoServer) -> TcpStream {
    TcpStream::connect(server.ldap_addr).await.unwrap()
}

/// Reads until the server closes the connection (bounded).
async fn expect_closed(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            _ => {}
        }
    }
    panic!("the server kept a misbehaving connection open");
}

#[tokio::test]
async fn garbage_is_hung_up_on_and_the_server_carries_on() {
    let server = server(10).await;
    let mut stream = raw(&server).await;
    stream.write_all(b"\x30\x05\x02\x01\x01\xff\xff GET / HTTP/1.1\r\n\r\n").await.unwrap();
    expect_closed(&mut stream).await;
    assert_alive(&server).await;
}

#[tokio::test]
async fn oversized_messages_are_refused() {
    let server = server(10).await;
    let mut stream = raw(&server).await;
    // A SEQUENCE announcing 64 MiB, then far more bytes than the server accepts.
    let _ = stream.write_all(&[0x30, 0x84, 0x04, 0x00, 0x00, 0x00]).await;
    let chunk = vec![0x04u8; 64 * 1024];
    for _ in 0..16 {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
    }
    expect_closed(&mut stream).await;
    assert_alive(&server).await;
}

#[tokio::test]
async fn a_client_that_vanishes_mid_page_does_not_hurt_the_server() {
    let server = server(10_000).await;
    for _ in 0..20 {
        let mut ldap = bound(&server).await;
        let ctrl: RawControl = PagedResults { size: 1000, cookie: Vec::new() }.into();
        let mut stream = ldap
            .with_controls(vec![ctrl])
            .streaming_search(BASE, Scope::Subtree, "(objectClass=*)", vec!["*"])
            .await
            .unwrap();
        let _first = stream.next().await.unwrap();
        drop(stream);
        drop(ldap); // the connection closes while the server is still sending the page
    }
    assert_alive(&server).await;
}

/// Fuzz the wire entry point for a bounded time: mutated but plausible requests, each on
/// its own connection, every answer or hang-up bounded; the server must stay healthy.
#[tokio::test]
async fn fuzzed_requests_never_take_the_server_down() {
    let server = server(100).await;
    let seeds = seed_messages();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let started = Instant::now();
    let mut cases = 0;
    while started.elapsed() < Duration::from_secs(4) && cases < 3000 {
        let seed = &seeds[(next(&mut rng) % seeds.len() as u64) as usize];
        let bytes = mutate(seed, &mut rng);
        let mut stream = raw(&server).await;
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_millis(300), stream.read_to_end(&mut sink)).await;
        cases += 1;
        if cases % 250 == 0 {
            assert_alive(&server).await;
        }
    }
    assert!(cases > 200, "only {cases} cases ran");
    assert_alive(&server).await;
}

fn next(state: &mut u64) -> u64 {
    // xorshift64*: deterministic, so a failure reproduces.
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

fn mutate(seed: &[u8], rng: &mut u64) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..(1 + next(rng) % 6) {
        let at = (next(rng) % bytes.len().max(1) as u64) as usize;
        match next(rng) % 4 {
            0 => bytes[at] = next(rng) as u8,
            1 => bytes.insert(at, next(rng) as u8),
            2 if bytes.len() > 1 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at.max(1)),
        }
    }
    bytes
}

/// Valid requests as raw BER: a simple bind, a paged subtree search with a filter, a StartTLS.
fn seed_messages() -> Vec<Vec<u8>> {
    use bytes::BytesMut;
    use ldap3_proto::LdapCodec;
    use ldap3_proto::control::LdapControl;
    use ldap3_proto::proto::*;
    use tokio_util::codec::Encoder;
    let search = LdapSearchRequest {
        base: BASE.into(),
        scope: LdapSearchScope::Subtree,
        aliases: LdapDerefAliases::Never,
        sizelimit: 0,
        timelimit: 0,
        typesonly: false,
        filter: ldap3_proto::parse_ldap_filter_str(
            "(&(objectCategory=person)(|(mail=a*)(userAccountControl:1.2.840.113556.1.4.803:=2)))",
        )
        .unwrap(),
        attrs: vec!["mail".into(), "member;range=0-10".into()],
    };
    let msgs = [
        LdapMsg::new(
            1,
            LdapOp::BindRequest(LdapBindRequest { version: 3, dn: SVC.into(), cred: LdapBindCred::Simple(PW.into()) }),
        ),
        LdapMsg::new_with_ctrls(
            2,
            LdapOp::SearchRequest(search),
            vec![LdapControl::SimplePagedResults { size: 5, cookie: Vec::new() }],
        ),
        LdapMsg::new(
            3,
            LdapOp::ExtendedRequest(LdapExtendedRequest { name: "1.3.6.1.4.1.1466.20037".into(), value: None }),
        ),
    ];
    let mut codec = LdapCodec::default();
    let mut out = Vec::new();
    let mut all = BytesMut::new();
    for msg in msgs {
        let mut buf = BytesMut::new();
        codec.encode(msg, &mut buf).unwrap();
        all.extend_from_slice(&buf);
        out.push(buf.to_vec());
    }
    out.push(all.to_vec());
    out
}
