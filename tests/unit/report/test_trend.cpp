// The trend test on hand-made series: steady growth passes; a bounded cache, an oscillating
// population, a single step and two points do not.
#include "report/Trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace gcscope::report;

namespace {

std::vector<double> seconds(std::size_t n, double every = 0.5)
{
    std::vector<double> t;
    for (std::size_t i = 0; i < n; ++i)
        t.push_back(static_cast<double>(i) * every);
    return t;
}

} // namespace

TEST(Trend, GivenASteadyLinearLeakWhenTestedThenItGrowsAtItsSlope)
{
    const auto t = seconds(10);
    std::vector<double> y;
    for (double s : t)
        y.push_back(1000 + 600 * s); // 600 objects a second
    const auto r = testTrend(t, y);
    EXPECT_TRUE(r.growing) << r.verdict;
    EXPECT_NEAR(r.slopePerMinute, 36000, 1e-6);
    EXPECT_DOUBLE_EQ(r.tau, 1.0);
    EXPECT_NEAR(r.r2, 1.0, 1e-12);
    EXPECT_LT(r.pValue, 0.001);
    EXPECT_EQ(r.verdict, "steady growth");
}

TEST(Trend, GivenALeakUnderNoiseWhenTestedThenItStillGrows)
{
    const auto t = seconds(12);
    const double noise[] = { 40, -35, 10, -50, 45, -20, 30, -40, 15, -10, 35, -25 };
    std::vector<double> y;
    for (std::size_t i = 0; i < t.size(); ++i)
        y.push_back(500 + 150 * t[i] + noise[i]); // 75 per point, noise up to 50
    const auto r = testTrend(t, y);
    EXPECT_TRUE(r.growing) << r.verdict;
    EXPECT_GT(r.tau, 0.8);
}

TEST(Trend, GivenACacheThatFillsToItsBoundAndStaysFlatWhenTestedThenItIsNotGrowing)
{
    const auto t = seconds(10);
    const std::vector<double> y { 250, 500, 700, 700, 700, 700, 700, 700, 700, 700 };
    const auto r = testTrend(t, y);
    EXPECT_FALSE(r.growing);
    // Either test rejects it; whichever reports first, the verdict says why.
    EXPECT_TRUE(r.verdict.find("stopped growing") != std::string::npos
        || r.verdict.find("no monotonic trend") != std::string::npos)
        << r.verdict;
}

TEST(Trend, GivenAFillThatTakesMostOfTheRecordingWhenTheEndIsFlatThenItStoppedGrowing)
{
    const auto t = seconds(10);
    const std::vector<double> y { 100, 200, 300, 400, 500, 600, 640, 640, 640, 640 };
    const auto r = testTrend(t, y);
    EXPECT_GE(r.tau, 0.6); // monotonic: only the recent-growth test can tell
    EXPECT_FALSE(r.growing);
    EXPECT_NE(r.verdict.find("stopped growing"), std::string::npos) << r.verdict;
}

TEST(Trend, GivenCyclicGarbageThatComesAndGoesWhenTestedThenThereIsNoTrend)
{
    const auto t = seconds(12);
    const std::vector<double> y { 20, 650, 300, 10, 690, 120, 480, 30, 600, 250, 5, 520 };
    const auto r = testTrend(t, y);
    EXPECT_FALSE(r.growing);
    EXPECT_LT(r.tau, 0.6);
}

TEST(Trend, GivenOneStepUpWhenTestedThenItIsNotSteadyGrowth)
{
    const auto t = seconds(10);
    const std::vector<double> y { 100, 100, 100, 100, 100, 900, 900, 900, 900, 900 };
    EXPECT_FALSE(testTrend(t, y).growing);
}

TEST(Trend, GivenTwoPointsWhenTestedThenThereAreTooFew)
{
    const auto r = testTrend(std::vector<double> { 0, 1 }, std::vector<double> { 1, 100 });
    EXPECT_FALSE(r.growing);
    EXPECT_NE(r.verdict.find("too few points"), std::string::npos);
}

TEST(Trend, GivenThreeRisingPointsWhenTestedThenThatIsEnough)
{
    const auto r = testTrend(std::vector<double> { 0, 1.5, 3 }, std::vector<double> { 100, 220, 330 });
    EXPECT_TRUE(r.growing) << r.verdict;
}

TEST(Trend, GivenAFlatSeriesWhenTestedThenNothingGrows)
{
    const auto t = seconds(8);
    const std::vector<double> y(8, 42);
    const auto r = testTrend(t, y);
    EXPECT_FALSE(r.growing);
    EXPECT_EQ(r.tau, 0);
    EXPECT_EQ(r.pValue, 1);
    EXPECT_EQ(r.r2, 0);
}

TEST(Trend, GivenFiveRisingValuesWhenMannKendallRunsThenSAndPMatchTheTextbook)
{
    // S = 10; Var(S) = 5*4*15/18; z = (10 - 1) / sqrt(Var); one-sided p = 1 - Phi(z).
    const auto mk = mannKendall(std::vector<double> { 1, 2, 3, 4, 5 });
    EXPECT_EQ(mk.s, 10);
    EXPECT_DOUBLE_EQ(mk.tau, 1.0);
    const double z = 9.0 / std::sqrt(5.0 * 4 * 15 / 18);
    EXPECT_NEAR(mk.pValue, 0.5 * std::erfc(z / std::sqrt(2.0)), 1e-12);
    EXPECT_NEAR(mk.pValue, 0.01374, 1e-4);
}

TEST(Trend, GivenTiesWhenMannKendallRunsThenTheVarianceIsCorrected)
{
    // Values 1,1,2,2: S = 4 (four rising pairs, two ties). Var = (4*3*13 - 2*(2*1*9)) / 18
    const auto mk = mannKendall(std::vector<double> { 1, 1, 2, 2 });
    EXPECT_EQ(mk.s, 4);
    const double var = (4.0 * 3 * 13 - 2 * (2.0 * 1 * 9)) / 18;
    EXPECT_NEAR(mk.pValue, 0.5 * std::erfc((4 - 1) / std::sqrt(var) / std::sqrt(2.0)), 1e-12);
}

TEST(Trend, GivenAPerfectLineWhenFittedThenSlopeInterceptAndR2AreExact)
{
    const auto fit = fitLine(std::vector<double> { 0, 1, 2, 3 }, std::vector<double> { 5, 7, 9, 11 });
    EXPECT_DOUBLE_EQ(fit.slope, 2);
    EXPECT_DOUBLE_EQ(fit.intercept, 5);
    EXPECT_DOUBLE_EQ(fit.r2, 1);
}
