#pragma once

#include <string>

// What the program prints; defined in src/greet.cpp.
std::string greeting();
