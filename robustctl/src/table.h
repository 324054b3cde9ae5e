#pragma once
// A plain-text table: a header row and rows of cells, columns padded to the
// widest cell and separated by two spaces, no trailing blanks. Widths count
// UTF-8 code points, so names such as "Zürich" line up. Cells with a line
// break or tab have them replaced by a blank so a row stays one line.
//
// Built and rendered by one thread; the formatter holds no global state.

#include <string>
#include <vector>

namespace robust::ctl {

class text_table {
public:
    explicit text_table(std::vector<std::string> headers);

    /// Adds a row; missing cells are empty, extra cells are dropped.
    void add_row(std::vector<std::string> cells);

    size_t rows() const { return rows_.size(); }

    /// The table, one '\n'-terminated line per row, header first.
    std::string render() const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

/// Code points in a UTF-8 string (bytes that do not continue a sequence).
size_t display_width(const std::string& s);

}  // namespace robust::ctl
