#include "catalog.h"

namespace robust::kafka {

std::vector<std::shared_ptr<const topic_entry>> catalog::list(std::string_view tenant) const {
    auto all = meta::topic_catalog::list(tenant);
    std::erase_if(all, [](const auto& t) { return !valid_topic_name(t->record.name); });
    return all;
}

}  // namespace robust::kafka
