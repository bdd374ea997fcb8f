//! A throw-away CA and server certificate for the demo directory (rcgen, aws-lc-rs).
//!
//! Generated at every start so the demo exercises verified TLS exactly like a real DC:
//! clients trust the CA file the demo writes, never "insecure" mode.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
#[error("demo TLS setup failed: {0}")]
pub struct CertError(String);

fn err(e: impl std::fmt::Display) -> CertError {
    CertError(e.to_string())
}

/// The CA (as PEM, for clients) and a rustls server config presenting a certificate it signed.
pub struct DemoTls {
    pub ca_pem: String,
    pub server: Arc<ServerConfig>,
}

impl DemoTls {
    /// `names`: the DNS names and IP addresses the server certificate is valid for.
    pub fn generate(names: &[&str]) -> Result<Self, CertError> {
        let ca = issue_ca()?;
        let (cert, key) = issue_server(&ca, names)?;
        let chain = vec![cert, CertificateDer::from(ca.as_ref().der().to_vec())];
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(err)?;
        Ok(Self { ca_pem: ca.as_ref().pem(), server: Arc::new(server) })
    }
}

fn issue_ca() -> Result<CertifiedIssuer<'static, KeyPair>, CertError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    params.distinguished_name.push(DnType::CommonName, "adsync demo CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(err)?).map_err(err)
}

fn issue_server(
    ca: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), CertError> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(err)?;
    params.distinguished_name.push(DnType::CommonName, "dc1.example.com");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, ca).map_err(err)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key_der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn ca_pem_verifies_the_server_certificate_chain() {
        let tls = DemoTls::generate(&["127.0.0.1", "localhost"]).unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let certs: Vec<_> = CertificateDer::pem_slice_iter(tls.ca_pem.as_bytes()).collect::<Result<_, _>>().unwrap();
        assert_eq!(certs.len(), 1);
    }
}
