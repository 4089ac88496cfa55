//! ESS signing-certificate-v2 (RFC 5035 §3), which binds the signer's certificate
//! into the signed attributes. The `cms` crate does not provide it.

use der::asn1::OctetString;
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// `id-aa-signingCertificateV2` (RFC 5035 §3).
pub const ID_AA_SIGNING_CERTIFICATE_V2: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// The `SigningCertificateV2` attribute value, RFC 5035 §3.
///
/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL
/// }
/// ```
/// KýSố writes no policies.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer's certificate first.
    pub certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2`, RFC 5035 §4.
///
/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier
///                             DEFAULT {algorithm id-sha256},
///     certHash                 Hash,
///     issuerSerial             IssuerSerial OPTIONAL
/// }
/// ```
/// With SHA-256 the algorithm is the default and, by DER, omitted.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm; `None` means the default, SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the whole DER certificate.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial`, RFC 5035 §4.
///
/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer's name as a directory name.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}
