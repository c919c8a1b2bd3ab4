//! The suite's own PKI for HTTPS listeners: a CA and a certificate for `127.0.0.1` signed by
//! it, made once per test process (rcgen) and served with rustls. The CA's PEM is written to a
//! file that cases name as `{CA}` (`cafile={CA}`, `httpsCaFilePath: "{CA}"`); nothing on the
//! machine trusts it, so a manager only accepts the listeners when its config says so.

use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct Pki {
    /// The CA certificate, whose PEM is at [`Pki::ca_path`].
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "the harness self-test trusts it")
    )]
    pub ca_der: CertificateDer<'static>,
    /// Absolute path of the CA file; stable for the whole test process.
    pub ca_path: PathBuf,
    pub server: Arc<ServerConfig>,
}

static PKI: LazyLock<Pki> = LazyLock::new(|| make().unwrap_or_else(|e| panic!("test PKI: {e}")));

pub fn pki() -> &'static Pki {
    &PKI
}

fn make() -> Result<Pki, String> {
    let err = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pmrc conformance test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;

    // "127.0.0.1" parses as an IP address SAN, which is what Node checks for an IP host.
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string()]).map_err(err)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1 (pmrc conformance)");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &ca).map_err(err)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                leaf_cert.der().clone(),
                CertificateDer::from(ca.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .map_err(|e| e.to_string())?;

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pmrc-conformance-ca-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let ca_path = dir.join("ca.pem");
    let ca_pem = ca.pem();
    fs::write(&ca_path, &ca_pem).map_err(|e| format!("write {}: {e}", ca_path.display()))?;
    Ok(Pki {
        ca_der: ca.der().clone(),
        ca_path,
        server: Arc::new(server),
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;

    use rustls::pki_types::ServerName;
    use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

    use super::super::registry::{Mount, Registry};
    use super::*;

    fn get_over_tls(host: &str, trust_ca: bool) -> std::io::Result<String> {
        let mut roots = RootCertStore::empty();
        if trust_ca {
            roots.add(pki().ca_der.clone()).unwrap();
        } else {
            // Trust some other CA: the handshake must fail.
            let other = CertificateParams::new(Vec::<String>::new())
                .unwrap()
                .self_signed(&KeyPair::generate().unwrap())
                .unwrap();
            roots.add(other.der().clone()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("127.0.0.1").unwrap();
        let conn = ClientConnection::new(Arc::new(config), name).unwrap();
        let mut tls = StreamOwned::new(conn, TcpStream::connect(host)?);
        write!(
            tls,
            "GET /leftpad-fake HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        match tls.read_to_string(&mut answer) {
            Ok(_) => Ok(answer),
            // The server may close without close_notify after `Connection: close`.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !answer.is_empty() => {
                Ok(answer)
            }
            Err(e) => Err(e),
        }
    }

    #[test]
    fn https_listener_is_trusted_through_the_suite_ca_only() {
        let reg = Registry::start_with_tls(1, vec![Mount::new(1, "/")], &[1]);
        assert!(reg.url(1).starts_with("https://127.0.0.1:"));
        let answer = get_over_tls(&reg.host(1), true).expect("TLS GET with the suite's CA");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            answer.contains(&format!("\"tarball\":\"{}/leftpad-fake/-/", reg.url(1))),
            "tarball URLs of an https listener are https: {answer}"
        );
        assert!(
            get_over_tls(&reg.host(1), false).is_err(),
            "a client that does not trust the suite's CA must fail the handshake"
        );
        let pem = fs::read_to_string(&pki().ca_path).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    }
}
