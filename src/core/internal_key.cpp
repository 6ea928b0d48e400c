#include "core/internal_key.hpp"

namespace inventory {

std::string dispatch_key(std::string_view transfer_ref, std::string_view sku,
                         std::int32_t to_warehouse_id, const Md5Hex& md5_hex) {
    constexpr char kSeparator = '\x1f';  // chr(31): no identifier or SKU may contain it
    std::string material(transfer_ref);
    material += kSeparator;
    material += sku;
    material += kSeparator;
    material += std::to_string(to_warehouse_id);
    return std::string(kInternalKeyPrefix) + "dispatch:" + md5_hex(material);
}

}  // namespace inventory
