#include "table.h"

#include <algorithm>

namespace robust::ctl {
namespace {

std::string one_line(std::string s) {
    std::replace_if(
        s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return s;
}

}  // namespace

size_t display_width(const std::string& s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

text_table::text_table(std::vector<std::string> headers) : headers_(std::move(headers)) {
    for (auto& h : headers_) h = one_line(std::move(h));
}

void text_table::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    for (auto& c : cells) c = one_line(std::move(c));
    rows_.push_back(std::move(cells));
}

std::string text_table::render() const {
    std::vector<size_t> widths(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    };
    measure(headers_);
    for (const auto& r : rows_) measure(r);

    std::string out;
    auto write = [&](const std::vector<std::string>& row) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += "  ";
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]), ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    };
    write(headers_);
    for (const auto& r : rows_) write(r);
    return out;
}

}  // namespace robust::ctl
