#include "table.h"

#include <gtest/gtest.h>

namespace robust::ctl {
namespace {

TEST(RobustctlTable, AlignsColumnsWithoutTrailingBlanks) {
    text_table t({"NAME", "SUPERUSER", "CREATED"});
    t.add_row({"alice", "yes", "2024-01-01T00:00:00Z"});
    t.add_row({"bob-the-builder", "no", "-"});
    EXPECT_EQ(t.render(),
              "NAME             SUPERUSER  CREATED\n"
              "alice            yes        2024-01-01T00:00:00Z\n"
              "bob-the-builder  no         -\n");
    EXPECT_EQ(t.rows(), 2u);
}

TEST(RobustctlTable, HeaderOnlyAndEmptyLastCell) {
    text_table t({"A", "B"});
    EXPECT_EQ(t.render(), "A  B\n");
    t.add_row({"long value", ""});
    EXPECT_EQ(t.render(),
              "A           B\n"
              "long value\n");
}

TEST(RobustctlTable, MissingCellsAreEmptyExtraCellsDropped) {
    text_table t({"A", "B", "C"});
    t.add_row({"1"});
    t.add_row({"1", "2", "3", "4"});
    EXPECT_EQ(t.render(),
              "A  B  C\n"
              "1\n"
              "1  2  3\n");
}

TEST(RobustctlTable, CountsCodePointsNotBytes) {
    EXPECT_EQ(display_width("Zürich"), 6u);
    EXPECT_EQ(display_width("日本"), 2u);
    text_table t({"CITY", "N"});
    t.add_row({"Zürich", "1"});
    t.add_row({"Bern", "2"});
    EXPECT_EQ(t.render(),
              "CITY    N\n"
              "Zürich  1\n"
              "Bern    2\n");
}

TEST(RobustctlTable, KeepsEachRowOnOneLine) {
    text_table t({"PAYLOAD", "QOS"});
    t.add_row({"line1\nline2\tx", "1"});
    EXPECT_EQ(t.render(),
              "PAYLOAD        QOS\n"
              "line1 line2 x  1\n");
}

}  // namespace
}  // namespace robust::ctl
