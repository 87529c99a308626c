// Fixture for the include check (tests/cmake/include_check_test.cmake): a stage "bad"
// that includes its own header, a declared dependency's and an undeclared one's.
#pragma once
#include "model/trial.hpp"
