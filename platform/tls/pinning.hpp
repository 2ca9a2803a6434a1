#pragma once

#include <optional>
#include <string>

typedef struct ssl_st SSL;

namespace encore::platform::tls {

// For a booth's first contact with a hub, when it knows only the fingerprint of the
// hub's CA from the join token: finds the certificate with that fingerprint in the
// chain the server sent, and checks that the server's own certificate is signed by it
// and valid for `host`. Returns the CA's PEM to trust from then on, or nullopt.
std::optional<std::string> verify_pinned_chain(SSL* connection, const std::string& ca_fingerprint,
                                               const std::string& host);

} // namespace encore::platform::tls
