#pragma once

#include <string>

// The library's interface, used by app/ and tests/; defined in src/greet.cpp.
std::string greeting();
