#include "hub/app/hub_config.hpp"

namespace encore::hub {

void read_hub_config(platform::config::ObjectReader& root, HubConfig& config) {
    root.read("data_dir", config.data_dir);
    auto public_side = root.object("public");
    public_side.read("listen", config.public_listen);
    public_side.finish();
    auto private_side = root.object("private");
    private_side.read("listen", config.private_listen);
    private_side.finish();
    auto log = root.object("log");
    platform::config::read_log_settings(log, config.log);
    if (config.public_listen == config.private_listen && config.public_listen.port != 0) {
        // The back office must never be reachable through the public listener.
        root.problem("private.listen", "must differ from \"public.listen\" (" +
                                           config.public_listen.to_string() +
                                           "): the back office needs its own address");
    }
}

} // namespace encore::hub
