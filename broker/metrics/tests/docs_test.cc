// docs/metrics.md documents exactly the metrics the registry defines, with
// their types (the path comes from CMake as ROBUST_METRICS_DOC).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "exposition.h"
#include "metrics/registry.h"

namespace robust::metrics {
namespace {

struct doc_row {
    std::string type;
    std::string labels;
};

// Table rows of the form "| `robustmq_name` | type | labels | meaning |".
std::map<std::string, doc_row> documented_metrics() {
    std::ifstream in(ROBUST_METRICS_DOC);
    EXPECT_TRUE(in) << "cannot open " << ROBUST_METRICS_DOC;
    std::map<std::string, doc_row> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("| `robustmq_")) continue;
        std::vector<std::string> cells;
        std::istringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');) {
            const auto b = cell.find_first_not_of(' ');
            const auto e = cell.find_last_not_of(' ');
            cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
        }
        EXPECT_GE(cells.size(), 4u) << line;
        if (cells.size() < 4) continue;
        const std::string name = cells[0].substr(1, cells[0].find('`', 1) - 1);
        EXPECT_TRUE(rows.emplace(name, doc_row{cells[1], cells[2]}).second)
            << name << " documented twice";
    }
    return rows;
}

TEST(MetricsDocs, EveryMetricIsDocumentedAndEveryDocumentedMetricExists) {
    registry r;
    const auto docs = documented_metrics();
    const auto names = r.metric_names();
    for (const auto& name : names) EXPECT_TRUE(docs.contains(name)) << name << " not in the docs";
    for (const auto& [name, row] : docs) {
        EXPECT_TRUE(std::find(names.begin(), names.end(), name) != names.end())
            << name << " is documented but not defined";
    }
}

TEST(MetricsDocs, DocumentedTypesAndLabelsMatchTheScrape) {
    registry r;
    r.set_mqtt_source([] {
        mqtt_sample s;
        s.connections_by_listener = {{"mqtt-tcp", 1}};
        return s;
    });
    auto reg = r.add_storage_source("journal", [] { return storage_sample{1, 1}; });
    const auto e = test::parse_exposition(r.scrape());
    ASSERT_TRUE(e.errors.empty());
    for (const auto& [name, row] : documented_metrics()) {
        if (!e.types.contains(name)) continue;  // reported by the test above
        EXPECT_EQ(row.type, e.types.at(name)) << name;
        // Every label the scrape shows is named in the labels column.
        for (const auto& s : e.samples) {
            if (s.name != name && s.name != name + "_bucket" && s.name != name + "_sum" &&
                s.name != name + "_count") {
                continue;
            }
            for (const auto& [label, value] : s.labels) {
                if (label == "le") continue;  // histogram buckets
                EXPECT_NE(row.labels.find("`" + label + "`"), std::string::npos)
                    << name << ": label " << label << " not documented";
            }
        }
    }
}

}  // namespace
}  // namespace robust::metrics
