#include "platform/tls/pinning.hpp"

#include "platform/tls/certificates.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>

namespace encore::platform::tls {
namespace {

std::string to_pem(X509* cert) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), cert);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

} // namespace

std::optional<std::string> verify_pinned_chain(SSL* connection, const std::string& ca_fingerprint,
                                               const std::string& host) {
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(connection);
    X509* leaf = SSL_get0_peer_certificate(connection);
    if (chain == nullptr || leaf == nullptr) {
        return std::nullopt;
    }
    X509* pinned = nullptr;
    for (int index = 0; index < sk_X509_num(chain); ++index) {
        X509* candidate = sk_X509_value(chain, index);
        if (fingerprint_sha256(to_pem(candidate)) == ca_fingerprint) {
            pinned = candidate;
        }
    }
    if (pinned == nullptr) {
        return std::nullopt;
    }
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                  X509_STORE_free);
    X509_STORE_add_cert(store.get(), pinned);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                            X509_STORE_CTX_free);
    if (X509_STORE_CTX_init(context.get(), store.get(), leaf, nullptr) != 1) {
        return std::nullopt;
    }
    X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
    X509_VERIFY_PARAM_set_purpose(parameters, X509_PURPOSE_SSL_SERVER);
    if (X509_VERIFY_PARAM_set1_ip_asc(parameters, host.c_str()) != 1) {
        X509_VERIFY_PARAM_set1_host(parameters, host.c_str(), 0);
    }
    if (X509_verify_cert(context.get()) != 1) {
        return std::nullopt;
    }
    return to_pem(pinned);
}

} // namespace encore::platform::tls
