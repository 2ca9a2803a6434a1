#include "platform/tls/certificates.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <vector>

namespace encore::platform::tls {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* pointer) const { Free(pointer); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
    const unsigned long code = ERR_get_error();
    std::string detail;
    if (code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        detail = std::string(": ") + text;
    }
    ERR_clear_error();
    throw CertificateError(what + detail);
}

Bio read_bio(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        fail("out of memory");
    }
    return bio;
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(length));
}

Key load_key(const std::string& pem) {
    auto bio = read_bio(pem);
    Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        fail("not a PEM private key");
    }
    return key;
}

Cert load_cert(const std::string& pem) {
    auto bio = read_bio(pem);
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        fail("not a PEM certificate");
    }
    return cert;
}

std::string cert_to_pem(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        fail("cannot write certificate");
    }
    return drain(bio.get());
}

void set_subject(X509_NAME* name, const std::string& common_name) {
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("Encore"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) != 1) {
        fail("cannot set the certificate name");
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (extension == nullptr || X509_add_ext(cert, extension, -1) != 1) {
        X509_EXTENSION_free(extension);
        fail("cannot add a certificate extension");
    }
    X509_EXTENSION_free(extension);
}

Cert new_certificate(EVP_PKEY* subject_key, std::uint64_t serial, int days) {
    Cert cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) {
        fail("cannot create a certificate");
    }
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial);
    // Backdate a little so a kiosk whose clock is a few minutes behind still accepts it.
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
    if (X509_set_pubkey(cert.get(), subject_key) != 1) {
        fail("cannot set the public key");
    }
    return cert;
}

bool looks_like_ip(const std::string& name) {
    return !name.empty() &&
           name.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
           (name.find('.') != std::string::npos || name.find(':') != std::string::npos);
}

} // namespace

std::string generate_private_key() {
    Key key(EVP_EC_gen("P-256"));
    if (!key) {
        fail("cannot generate a key");
    }
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        fail("cannot write the key");
    }
    return drain(bio.get());
}

std::string make_ca_certificate(const std::string& ca_key_pem, const std::string& common_name,
                                int days) {
    const auto key = load_key(ca_key_pem);
    auto cert = new_certificate(key.get(), 1, days);
    set_subject(X509_get_subject_name(cert.get()), common_name);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        fail("cannot sign the CA certificate");
    }
    return cert_to_pem(cert.get());
}

std::string make_signing_request(const std::string& key_pem, const std::string& common_name) {
    const auto key = load_key(key_pem);
    Request request(X509_REQ_new());
    if (!request) {
        fail("cannot create a signing request");
    }
    set_subject(X509_REQ_get_subject_name(request.get()), common_name);
    if (X509_REQ_set_pubkey(request.get(), key.get()) != 1 ||
        X509_REQ_sign(request.get(), key.get(), EVP_sha256()) == 0) {
        fail("cannot sign the request");
    }
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1) {
        fail("cannot write the request");
    }
    return drain(bio.get());
}

std::string issue_certificate(const std::string& ca_key_pem, const std::string& ca_cert_pem,
                              const std::string& csr_pem, const std::string& common_name,
                              CertificateUse use, int days, std::uint64_t serial) {
    const auto ca_key = load_key(ca_key_pem);
    const auto ca_cert = load_cert(ca_cert_pem);
    auto bio = read_bio(csr_pem);
    Request request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request) {
        fail("not a PEM certificate signing request");
    }
    Key subject_key(X509_REQ_get_pubkey(request.get()));
    if (!subject_key || X509_REQ_verify(request.get(), subject_key.get()) != 1) {
        fail("the signing request's signature does not verify");
    }
    auto cert = new_certificate(subject_key.get(), serial, days);
    set_subject(X509_get_subject_name(cert.get()), common_name);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
    add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
    if (use == CertificateUse::client) {
        add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "clientAuth");
    } else {
        add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name,
                      (looks_like_ip(common_name) ? "IP:" : "DNS:") + common_name);
    }
    add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
    if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) {
        fail("cannot sign the certificate");
    }
    return cert_to_pem(cert.get());
}

std::string common_name_of(const std::string& cert_pem) {
    const auto cert = load_cert(cert_pem);
    char name[256] = {};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, name,
                                  sizeof name) < 0) {
        fail("the certificate has no common name");
    }
    return name;
}

std::uint64_t serial_of(const std::string& cert_pem) {
    const auto cert = load_cert(cert_pem);
    std::uint64_t serial = 0;
    if (ASN1_INTEGER_get_uint64(&serial, X509_get0_serialNumber(cert.get())) != 1) {
        fail("the certificate's serial number is not a 64-bit number");
    }
    return serial;
}

std::string fingerprint_sha256(const std::string& cert_pem) {
    const auto cert = load_cert(cert_pem);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) {
        fail("cannot hash the certificate");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int index = 0; index < length; ++index) {
        hex.push_back(digits[digest[index] >> 4]);
        hex.push_back(digits[digest[index] & 0x0f]);
    }
    return hex;
}

} // namespace encore::platform::tls
