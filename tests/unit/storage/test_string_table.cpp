// The packed string table a snapshot loads into: every byte of every string, in id order.
#include <gcscope/storage/StringTable.h>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using gcscope::storage::StringTable;

TEST(StringTable, GivenStringsOfEveryShape_WhenAdded_ThenEachIdReadsBackItsBytes)
{
    StringTable t { "", "dict" };
    const std::string nul("nul\0inside", 10);
    const std::string long_(5000, 'x');
    t.push_back(nul);
    t.push_back("");
    t.push_back(long_);
    t.push_back("caf\xc3\xa9");
    ASSERT_EQ(t.size(), 6u);
    EXPECT_EQ(t[0], "");
    EXPECT_EQ(t[1], "dict");
    EXPECT_EQ(t[2], nul);
    EXPECT_EQ(t[3], "");
    EXPECT_EQ(t[4], long_);
    EXPECT_EQ(t[5], "caf\xc3\xa9");
    EXPECT_EQ(t.byteCount(), 4 + nul.size() + long_.size() + 5);
    EXPECT_EQ(t.at(5), "caf\xc3\xa9");
    EXPECT_THROW(t.at(6), std::out_of_range);
}

TEST(StringTable, GivenTwoTables_WhenCompared_ThenOnlyTheSameStringsInTheSameIdsAreEqual)
{
    EXPECT_EQ((StringTable { "", "a", "bc" }), (StringTable { "", "a", "bc" }));
    // The same bytes split differently are different strings.
    EXPECT_FALSE((StringTable { "", "ab", "c" }) == (StringTable { "", "a", "bc" }));
    EXPECT_FALSE((StringTable { "" }) == (StringTable {}));
    StringTable t { "x" };
    t.clear();
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t, StringTable {});
}
