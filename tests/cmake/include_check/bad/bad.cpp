// Fixture for the include check: never compiled, only read.
#include "bad/bad.hpp"

#include <vector>

#include "scan/scanner.hpp"
