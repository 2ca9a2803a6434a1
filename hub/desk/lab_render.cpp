#include "hub/desk/lab_render.hpp"

#include "platform/log/logger.hpp"

#include <array>

namespace encore::hub::desk {

namespace {

struct ProductTemplate {
    std::string_view product_id;
    std::string_view file;
    drivers::printer::MediaSize media;
};

constexpr std::array<ProductTemplate, 4> product_templates = {{
    {"4x6", "single-4x6.json", drivers::printer::MediaSize::size_4x6},
    {"5x7", "single-5x7.json", drivers::printer::MediaSize::size_5x7},
    {"8x10", "single-8x10.json", drivers::printer::MediaSize::size_8x10},
    {"strip", "strip-2x6.json", drivers::printer::MediaSize::strip_2x6},
}};

} // namespace

LabTemplates LabTemplates::load(const std::filesystem::path& templates_dir) {
    LabTemplates templates;
    for (const auto& entry : product_templates) {
        LabProduct product{std::string(entry.product_id),
                           kiosk::imaging::load_layout(templates_dir / entry.file), entry.media};
        templates.products_.emplace(product.product_id, std::move(product));
    }
    return templates;
}

std::optional<LabTemplates> load_lab_templates(const std::filesystem::path& templates_dir) {
    try {
        return LabTemplates::load(templates_dir);
    } catch (const std::exception& error) {
        platform::Logger("desk").warning(
            "no print templates (", error.what(),
            "): the order desk cannot print until desk.templates_dir names them");
        return std::nullopt;
    }
}

const LabProduct* LabTemplates::find(std::string_view product_id) const {
    const auto found = products_.find(product_id);
    return found == products_.end() ? nullptr : &found->second;
}

kiosk::imaging::Result<std::vector<std::byte>> render_lab_print(const LabProduct& product,
                                                                std::span<const std::byte> original,
                                                                std::string_view order_code,
                                                                std::string_view guest_site_url) {
    const std::vector<kiosk::imaging::JpegBytes> photos(product.layout.photos.size(), original);
    return kiosk::imaging::compose_print(product.layout, photos, order_code, guest_site_url);
}

} // namespace encore::hub::desk
