// The dark palette gcscope-gui uses with --palette dark, and the screenshot tests with it: one
// place, so what the tests look at is what users get.
#pragma once

#include <QPalette>

namespace gcscope::ui {

QPalette darkPalette();

} // namespace gcscope::ui
