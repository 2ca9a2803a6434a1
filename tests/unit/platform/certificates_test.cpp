#include "platform/tls/certificates.hpp"

#include <doctest/doctest.h>

using namespace encore::platform::tls;

TEST_CASE("a CA issues a kiosk certificate whose name is the CA's choice") {
    const auto ca_key = generate_private_key();
    const auto ca_cert = make_ca_certificate(ca_key, "Encore hub CA", 3650);
    CHECK(common_name_of(ca_cert) == "Encore hub CA");

    const auto kiosk_key = generate_private_key();
    const auto request = make_signing_request(kiosk_key, "i-would-like-to-be-admin");
    const auto cert =
        issue_certificate(ca_key, ca_cert, request, "booth-1", CertificateUse::client, 825, 42);
    CHECK(common_name_of(cert) == "booth-1");
    CHECK(cert.find("-----BEGIN CERTIFICATE-----") == 0);
}

TEST_CASE("fingerprints are 64 hex digits and differ between certificates") {
    const auto key = generate_private_key();
    const auto first = make_ca_certificate(key, "one", 10);
    const auto second = make_ca_certificate(generate_private_key(), "two", 10);
    CHECK(fingerprint_sha256(first).size() == 64);
    CHECK(fingerprint_sha256(first) == fingerprint_sha256(first));
    CHECK(fingerprint_sha256(first) != fingerprint_sha256(second));
}

TEST_CASE("garbage instead of PEM is a clear error") {
    CHECK_THROWS_WITH_AS(common_name_of("not a certificate"),
                         doctest::Contains("not a PEM certificate"), CertificateError);
    const auto ca_key = generate_private_key();
    const auto ca_cert = make_ca_certificate(ca_key, "ca", 10);
    CHECK_THROWS_AS(
        issue_certificate(ca_key, ca_cert, "junk", "booth", CertificateUse::client, 1, 2),
        CertificateError);
}
