#pragma once

#include "drivers/printer/media.hpp"
#include "kiosk/imaging/compose.hpp"
#include "kiosk/imaging/layout.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

// How the hub prints a reordered photo: each product has a layout template (the same
// JSON templates and the same imaging code as the booth), rendered from the stored
// original at the product's size, and the paper to ask the lab printer for.
//
//   product   template                 paper
//   4x6       single-4x6.json          4x6
//   5x7       single-5x7.json          5x7
//   8x10      single-8x10.json         8x10
//   strip     strip-2x6.json           2x6 (the photo in every slot of the strip)
//
// Each print carries the order's short code and a QR code of the guest site's address,
// where the code opens the order again.
namespace encore::hub::desk {

struct LabProduct {
    std::string product_id;
    kiosk::imaging::Layout layout;
    drivers::printer::MediaSize media;
};

class LabTemplates {
public:
    // Reads the templates of every product from `templates_dir` (kiosk/imaging/templates
    // in the source tree, /usr/share/encore/templates when installed). Throws
    // platform::config::ConfigError naming the file when one is missing or broken: a
    // start-up failure.
    static LabTemplates load(const std::filesystem::path& templates_dir);

    // nullopt for a product the lab cannot print.
    const LabProduct* find(std::string_view product_id) const;

private:
    std::map<std::string, LabProduct, std::less<>> products_;
};

// The templates of `templates_dir`, or nullopt (logged, naming desk.templates_dir) when
// they cannot be read: the hub then runs without its lab, and releases say why.
std::optional<LabTemplates> load_lab_templates(const std::filesystem::path& templates_dir);

// The print of one reordered photo: the product's layout with `original` in every photo
// slot. Pure; slow (decodes the original): call it on a worker thread.
kiosk::imaging::Result<std::vector<std::byte>> render_lab_print(const LabProduct& product,
                                                                std::span<const std::byte> original,
                                                                std::string_view order_code,
                                                                std::string_view guest_site_url);

} // namespace encore::hub::desk
