//! Broken servers for the diagnostics tests, all on 127.0.0.1: a TLS-terminating proxy in
//! front of a real directory presenting a certificate made to order (rcgen: expired,
//! wrong name, self-signed), and an LDAP responder that refuses StartTLS.

use futures::{SinkExt, StreamExt};
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapExtendedResponse, LdapMsg, LdapOp, LdapResult, LdapResultCode};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::Framed;

/// A test CA; its PEM goes into `ca_file`.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pub pem: String,
}

/// What the server certificate should look like.
pub struct Leaf<'a> {
    pub names: &'a [&'a str],
    /// Days from today (negative: in the past).
    pub from_days: i64,
    pub to_days: i64,
}

impl Leaf<'_> {
    pub fn valid_for<'a>(names: &'a [&'a str]) -> Leaf<'a> {
        Leaf { names, from_days: -1, to_days: 365 }
    }
}

impl TestCa {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "adsync diagnostics test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let pem = issuer.as_ref().pem();
        Self { issuer, pem }
    }

    /// A rustls server presenting `leaf`, signed by this CA, with the CA in the chain.
    pub fn server(&self, leaf: &Leaf<'_>) -> Arc<ServerConfig> {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(leaf).signed_by(&key, &self.issuer).unwrap();
        let chain = vec![cert.der().clone(), CertificateDer::from(self.issuer.as_ref().der().to_vec())];
        server_config(chain, &key)
    }

    /// The certificate for `leaf` and its key, as PEM files for servers adsync does not run.
    pub fn leaf_pem(&self, leaf: &Leaf<'_>) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(leaf).signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    pub fn write(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("ca.pem");
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

/// A certificate that signs itself: no CA anywhere vouches for it.
pub fn self_signed(leaf: &Leaf<'_>) -> Arc<ServerConfig> {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(leaf).self_signed(&key).unwrap();
    server_config(vec![cert.der().clone()], &key)
}

fn leaf_params(leaf: &Leaf<'_>) -> CertificateParams {
    let names: Vec<String> = leaf.names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(DnType::CommonName, leaf.names[0]);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let (y, m, d) = day(leaf.from_days);
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = day(leaf.to_days);
    params.not_after = rcgen::date_time_ymd(y, m, d);
    params
}

/// Today plus `offset` days, as year, month, day.
fn day(offset: i64) -> (i32, u8, u8) {
    let when = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + offset * 86_400).unwrap();
    let date = jiff::tz::TimeZone::UTC.to_datetime(when);
    (date.year().into(), date.month() as u8, date.day() as u8)
}

fn server_config(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Arc<ServerConfig> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    Arc::new(config)
}

/// Listens on 127.0.0.1 (random port), on its own runtime; stops when dropped.
pub struct Listener {
    pub addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Listener {
    fn start<F, Fut>(serve: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let serve = Arc::new(serve);
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let serve = serve.clone();
                tokio::spawn(async move { serve(client).await });
            }
        });
        Self { addr, _runtime: runtime }
    }

    /// LDAPS in front of a plain LDAP port: TLS with `tls`, then bytes both ways.
    pub fn tls_proxy(upstream: SocketAddr, tls: Arc<ServerConfig>) -> Self {
        let acceptor = TlsAcceptor::from(tls);
        Self::start(move |client| {
            let acceptor = acceptor.clone();
            async move {
                let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(client));
                let Ok(Ok(mut tls)) = handshake.await else { return };
                if let Ok(mut server) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                }
            }
        })
    }

    /// An LDAP server whose TLS is not set up: it answers StartTLS the way a domain
    /// controller without a certificate does (`unavailable`) and ignores everything else.
    pub fn refusing_starttls() -> Self {
        Self::start(|client| async move {
            let mut framed = Framed::new(client, LdapCodec::default());
            while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(10), framed.next()).await {
                if matches!(msg.op, LdapOp::ExtendedRequest(_)) {
                    let _ = framed.send(unavailable(msg.msgid)).await;
                }
            }
        })
    }
}

fn unavailable(msgid: i32) -> LdapMsg {
    let res = LdapResult {
        code: LdapResultCode::Unavailable,
        matcheddn: String::new(),
        message: "00000000: LdapErr: DSID-0C090FC5, comment: Error initializing SSL/TLS, data 0, v4563".into(),
        referral: Vec::new(),
    };
    LdapMsg { msgid, op: LdapOp::ExtendedResponse(LdapExtendedResponse { res, name: None, value: None }), ctrl: vec![] }
}
