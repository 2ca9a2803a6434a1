#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

// The few X.509 operations Encore needs, on PEM text so no OpenSSL type leaks out:
// the hub keeps a small CA that issues each kiosk's client certificate at enrolment.
namespace encore::platform::tls {

class CertificateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A new private key (ECDSA P-256), PEM (PKCS#8).
std::string generate_private_key();

// A self-signed CA certificate for `common_name`, valid for `days`.
std::string make_ca_certificate(const std::string& ca_key_pem, const std::string& common_name,
                                int days);

// A certificate signing request for `common_name`, signed with `key_pem`.
std::string make_signing_request(const std::string& key_pem, const std::string& common_name);

enum class CertificateUse { client, server };

// Issues a certificate for the CSR's public key with `common_name` (the CSR's own
// subject is ignored: the issuer decides the identity), signed by the CA. For a
// server certificate, `common_name` also becomes a subjectAltName (DNS or IP).
std::string issue_certificate(const std::string& ca_key_pem, const std::string& ca_cert_pem,
                              const std::string& csr_pem, const std::string& common_name,
                              CertificateUse use, int days, std::uint64_t serial);

// The CN of a PEM certificate.
std::string common_name_of(const std::string& cert_pem);
// The certificate's serial number (as issued by issue_certificate).
std::uint64_t serial_of(const std::string& cert_pem);
// SHA-256 of the certificate's DER encoding, lowercase hex: what a join token pins.
std::string fingerprint_sha256(const std::string& cert_pem);

} // namespace encore::platform::tls
