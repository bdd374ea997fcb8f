//! rustls client settings (aws-lc-rs) for LDAPS and StartTLS, and reading TLS failures.

use super::error::{LdapFailure, TlsProblem};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("TLS: cannot read source.ca_file {path}: {detail}. Give a PEM file holding the CA certificate(s).")]
    CaFile { path: String, detail: String },
    #[error(
        "TLS: source.ca_file {path} holds no certificate. It must contain at least one \"-----BEGIN CERTIFICATE-----\" block."
    )]
    CaFileEmpty { path: String },
    #[error("TLS: cannot set up the TLS library: {0}")]
    Provider(String),
}

/// Verified by default: `ca_file` if given, else the system's trusted roots.
pub fn client_config(ca_file: Option<&Path>, insecure: bool) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Provider(e.to_string()))?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(root_store(ca_file)?).with_no_client_auth()
    };
    config.enable_sni = true;
    Ok(Arc::new(config))
}

pub fn root_store(ca_file: Option<&Path>) -> Result<RootCertStore, TlsSetupError> {
    let mut store = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let shown = path.display().to_string();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| TlsSetupError::CaFile { path: shown.clone(), detail: e.to_string() })?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TlsSetupError::CaFile { path: shown.clone(), detail: e.to_string() })?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TlsSetupError::CaFileEmpty { path: shown });
            }
        }
        None => {
            // Unreadable individual system certificates are skipped, as every TLS client does.
            let native = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(native.certs);
        }
    }
    Ok(store)
}

/// Reads the TLS reason out of the error chain ldap3/tokio-rustls hand back.
pub fn classify_tls_error(err: &(dyn std::error::Error + 'static)) -> Option<(TlsProblem, String)> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some((tls_problem(tls), tls.to_string()));
        }
        // io::Error::source() skips the error it wraps, so look inside explicitly.
        let wrapped = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        current = match wrapped {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

/// A TLS handshake that failed, as the admin reads it: rustls' reason when the error chain
/// has one; on an LDAPS port, a server that hangs up on the ClientHello does not speak TLS.
pub fn handshake_failure(err: &(dyn std::error::Error + 'static), host: &str, ldaps: bool) -> Option<LdapFailure> {
    let (problem, detail) = match classify_tls_error(err) {
        Some(found) => found,
        None if ldaps => (TlsProblem::NotTls, err.to_string()),
        None => return None,
    };
    Some(LdapFailure::Tls { problem, host: host.to_string(), detail })
}

fn tls_problem(err: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer | C::BadSignature | C::UnhandledCriticalExtension => TlsProblem::UntrustedIssuer,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::NameMismatch,
            C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotYetValid,
            _ => TlsProblem::Other,
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => TlsProblem::NotTls,
        _ => TlsProblem::Other,
    }
}

/// `tls_insecure = true`: every certificate is accepted. Exists for labs; warned about loudly.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
